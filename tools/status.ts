// `npm run status -- --stack <dev|staging|prod> [--json <file>] [--at <ISO time>] [--kubeconfig <file>]`
// Read-only: for every secret the environment model plans, what AWS shows about its rotation, expiry and alarms,
// grouped by "needs action now / soon / ok"; with --kubeconfig, also each planned ExternalSecret's Ready condition and
// last sync time (a missing, not-ready or stale one needs action now). A kubeconfig that cannot be used exits 2. Exit 0 when nothing needs action now, 1 when something does, 2 for bad
// usage, config or catalog.
import * as fs from "fs";
import * as path from "path";
import { CatalogError, loadCatalog } from "../model/catalog";
import { ConfigError, ENVIRONMENTS, parseEnvironmentConfig, readStackFile } from "../model/config";
import { assertValidModel, planEnvironment } from "../model/environment";
import { assessSecret, assessSettings, alarmConcerns } from "./status/assess";
import { alarmsInAlarm, observeSecrets } from "./status/collect";
import { buildStatusReport, formatStatusReport, statusExitCode } from "./status/report";
import { readFlags, requireStack, UsageError } from "./cli";
import { maxTaskFileAgeSeconds } from "../model/rollout";
import { planRefreshTargets } from "../stacks/refresh";
import { connectKube, KubeEndpoint } from "./preflight/kube";
import { assessExternalSecret, expectedExternalSecrets, ExternalSecretStatus, listExternalSecrets } from "./status/external-secrets";
import { KubeconfigError, readKubeconfig } from "./status/kubeconfig";

const USAGE = `Usage: npm run status -- --stack <${ENVIRONMENTS.join("|")}> [--json <file>] [--at <ISO time>] [--kubeconfig <file>] [--concurrency <n>]`;

interface StatusArgs {
    stack: string;
    json?: string;
    at: Date;
    kubeconfig?: string;
    concurrency: number;
}

function parseArgs(argv: string[]): StatusArgs {
    const args: Partial<StatusArgs> = { at: new Date(), concurrency: 8 };
    readFlags(argv, (flag, value) => {
        if (flag === "--stack") args.stack = value();
        else if (flag === "--json") args.json = value();
        else if (flag === "--kubeconfig") args.kubeconfig = value();
        else if (flag === "--at") {
            const v = value();
            args.at = new Date(v);
            if (Number.isNaN(args.at.getTime())) throw new UsageError(`--at '${v}' is not a date; give an ISO time such as 2026-12-31T00:00:00Z.`);
        } else if (flag === "--concurrency") {
            args.concurrency = Number(value());
            if (!Number.isInteger(args.concurrency) || args.concurrency < 1 || args.concurrency > 32) throw new UsageError("--concurrency must be an integer from 1 to 32.");
        } else return false;
        return true;
    });
    return { ...args, stack: requireStack(args.stack) } as StatusArgs;
}

async function main(): Promise<number> {
    const projectDir = path.resolve(__dirname, "..");
    let args: StatusArgs;
    let model;
    let endpoint: KubeEndpoint | undefined;
    try {
        args = parseArgs(process.argv.slice(2));
        const config = parseEnvironmentConfig(readStackFile(projectDir, args.stack));
        model = assertValidModel(planEnvironment(config, loadCatalog(path.join(projectDir, "catalog"))));
        // A kubeconfig that cannot be used is a usage error, found before any AWS call.
        endpoint = args.kubeconfig ? readKubeconfig(args.kubeconfig) : undefined;
    } catch (err) {
        if (err instanceof UsageError) {
            if (err.message) console.error(err.message);
            console.error(USAGE);
            return 2;
        }
        if (err instanceof ConfigError || err instanceof CatalogError || err instanceof KubeconfigError) {
            console.error(err.message);
            return 2;
        }
        throw err;
    }

    const tty = process.stdout.isTTY === true;
    const options = {
        region: model.config.region,
        concurrency: args.concurrency,
        onProgress: tty ? (done: number, total: number) => process.stderr.write(`\rReading ${done}/${total} secrets...`) : undefined,
    };
    const [observations, alarmRead] = await Promise.all([observeSecrets(model.secrets.map((s) => s.fullName), options), alarmsInAlarm(options)]);
    if (tty) process.stderr.write("\n");

    const settings = assessSettings(model);
    const secrets = model.secrets.map((s, i) => assessSecret(s, observations[i], alarmRead.alarms, settings, args.at));
    const otherAlarms = alarmRead.alarms
        .filter((a) => a.name.startsWith(`${model.config.namePrefix}-`) && !model.secrets.some((s) => alarmConcerns(a, s, settings.functionNameOf(s.entry.name))))
        .map((a) => a.name);
    const skipped: string[] = [];
    if (alarmRead.error) skipped.push(`alarms could not be read (${alarmRead.error}); no secret shows its alarms.`);
    let externalSecrets: ExternalSecretStatus[] | undefined;
    if (!endpoint) {
        skipped.push(`ExternalSecret conditions: no --kubeconfig given, so the Ready condition and last sync time of ExternalSecrets were not checked.`);
    } else {
        const api = await connectKube(endpoint!);
        if ("unreachable" in api) {
            skipped.push(`ExternalSecret conditions: the cluster of ${args.kubeconfig} could not be reached (${api.unreachable}), so no ExternalSecret was checked.`);
        } else {
            const expected = expectedExternalSecrets(planRefreshTargets(model.catalog, (n) => model.secretsByName.get(n)?.fullName));
            const listings = await listExternalSecrets(api, expected.map((e) => e.namespace));
            externalSecrets = expected.map((e) => assessExternalSecret(e, listings.get(e.namespace)!, args.at, maxTaskFileAgeSeconds(model.rollout)));
        }
    }
    const report = buildStatusReport({
        stack: args.stack,
        checkedAt: args.at.toISOString(),
        secrets,
        notChecked: model.rdsManaged.map((s) => ({ catalogName: s.name, reason: "RDS names and rotates it; see the RDS console" })),
        otherAlarms,
        skipped,
        externalSecrets,
    });
    console.log(formatStatusReport(report));
    if (args.json) {
        fs.mkdirSync(path.dirname(path.resolve(args.json)), { recursive: true });
        fs.writeFileSync(args.json, JSON.stringify(report, null, 2));
        console.log(`\nWrote ${args.json}`);
    }
    return statusExitCode(report);
}

main().then(
    (code) => process.exit(code),
    (err) => {
        console.error(`status failed: ${(err as Error)?.stack ?? err}`);
        process.exit(2);
    },
);

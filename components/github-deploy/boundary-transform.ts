// Puts the platform boundary on every IAM role of the program, the way CDK's PermissionsBoundary aspect does, so no
// component can forget it: the deploy role is denied creating or changing a role without it.
import * as pulumi from "@pulumi/pulumi";
import { roleNames } from "../../model/names";
import { platformBoundaryArn } from "./guardrails";

const ROLE_TYPE = "aws:iam/role:Role";

/** Role names the bootstrap administrator owns: they carry no boundary, since the deploy role never touches them. */
export function bootstrapRoleNames(namePrefix: string): string[] {
    return [roleNames.githubPreview(namePrefix), roleNames.githubDeploy(namePrefix)];
}

/** A stack transformation that sets `permissionsBoundary` on every role but the CI roles; a role that sets another boundary fails. */
export function platformBoundaryTransformation(accountId: string, namePrefix: string): pulumi.ResourceTransformation {
    const boundary = platformBoundaryArn(accountId, namePrefix);
    const exempt = new Set(bootstrapRoleNames(namePrefix));
    return (args) => {
        if (args.type !== ROLE_TYPE) return undefined;
        const props = args.props as Record<string, unknown>;
        if (typeof props.name === "string" && exempt.has(props.name)) return undefined;
        if (props.permissionsBoundary !== undefined && props.permissionsBoundary !== boundary) {
            throw new Error(`Role '${args.name}' sets permissionsBoundary '${String(props.permissionsBoundary)}'; platform roles carry ${boundary}, so remove the field.`);
        }
        return { props: { ...props, permissionsBoundary: boundary }, opts: args.opts };
    };
}

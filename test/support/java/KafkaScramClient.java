// A Kafka Java client for the end-to-end tests, on the same kafka-clients jar the broker ships.
//   login <bootstrap>  reads a JAAS line (the value of sasl.jaas.config) on stdin, logs in with SCRAM-SHA-512 over
//                      TLS (SASL_SSL) and asks the cluster for its id. Exit 0: logged in (prints the cluster id);
//                      2: the broker refused the credentials; 1: any other failure.
//   properties <bootstrap>  the same, configured only by a client properties file read on stdin (the consumer's
//                      client.properties) plus bootstrap.servers.
//   users <bootstrap>  reads the admin's JAAS line, then lines "upsert<TAB>user<TAB>password" or "delete<TAB>user",
//                      and applies them as SCRAM-SHA-512 credentials (what MSK does for associated secrets).
// Credentials are read from stdin, never from argv, so they do not show in the process list.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.errors.SaslAuthenticationException;

public final class KafkaScramClient {
    private static Properties clientProperties(String bootstrap, String jaas) {
        Properties p = new Properties();
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", "SCRAM-SHA-512");
        p.put("sasl.jaas.config", jaas);
        return withTestTimeouts(p, bootstrap);
    }

    private static Properties withTestTimeouts(Properties p, String bootstrap) {
        p.put("bootstrap.servers", bootstrap);
        p.put("request.timeout.ms", "15000");
        p.put("default.api.timeout.ms", "20000");
        // A refused login is final: no reconnect storm while the test waits for the answer.
        p.put("reconnect.backoff.max.ms", "1000");
        return p;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !(args[0].equals("login") || args[0].equals("users") || args[0].equals("properties"))) {
            System.err.println("usage: KafkaScramClient login|users|properties <bootstrap>");
            System.exit(64);
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (args[0].equals("properties")) {
            Properties p = new Properties();
            p.load(in);
            try (Admin admin = Admin.create(withTestTimeouts(p, args[1]))) {
                System.out.println(admin.describeCluster().clusterId().get(20, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                System.err.println("KafkaScramClient properties failed: " + e.getCause());
                System.exit(e.getCause() instanceof SaslAuthenticationException ? 2 : 1);
            }
            return;
        }
        String jaas = in.readLine();
        if (jaas == null || jaas.isBlank()) {
            System.err.println("KafkaScramClient: the first line of stdin must be a JAAS line (sasl.jaas.config).");
            System.exit(64);
        }
        try (Admin admin = Admin.create(clientProperties(args[1], jaas))) {
            if (args[0].equals("login")) {
                System.out.println(admin.describeCluster().clusterId().get(20, TimeUnit.SECONDS));
                return;
            }
            List<UserScramCredentialAlteration> changes = new ArrayList<>();
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isEmpty()) continue;
                String[] f = line.split("\t", 3);
                if (f[0].equals("upsert") && f.length == 3) {
                    changes.add(new UserScramCredentialUpsertion(f[1], new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), f[2]));
                } else if (f[0].equals("delete") && f.length == 2) {
                    changes.add(new UserScramCredentialDeletion(f[1], ScramMechanism.SCRAM_SHA_512));
                } else {
                    System.err.println("KafkaScramClient: unreadable line on stdin; expected upsert<TAB>user<TAB>password or delete<TAB>user.");
                    System.exit(64);
                }
            }
            admin.alterUserScramCredentials(changes).all().get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            System.err.println("KafkaScramClient " + args[0] + " failed: " + cause);
            System.exit(cause instanceof SaslAuthenticationException ? 2 : 1);
        }
    }
}

// What a consumer pod gets from a stored secret value, for the end-to-end tests: the Kubernetes Secret keys (file
// names of the mounted volume) and their contents. Interim: these follow the consumer wiring in examples/ (dbt
// mounts `private_key`, Kafka clients take `sasl.jaas.config`) until model/secret-kinds.ts lands on main with the
// generated views; then they render its templates instead.
/** Secret key (file name) to file content. */
export type ConsumerFiles = Readonly<Record<string, string>>;

/** A Kafka client's view of a kafka-scram secret: the JAAS line for `sasl.jaas.config`, and a client properties file. */
export function kafkaClientView(storedJson: string): ConsumerFiles {
    const v = JSON.parse(storedJson) as { username: string; password: string };
    const jaas = `org.apache.kafka.common.security.scram.ScramLoginModule required username="${v.username}" password="${v.password}";`;
    return { "sasl.jaas.config": jaas, "client.properties": `security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=${jaas}\n` };
}

/** dbt's and the JDBC driver's view of a snowflake-keypair secret: the PKCS#8 PEM key file `private_key`. */
export function snowflakeKeyFileView(storedJson: string): ConsumerFiles {
    const v = JSON.parse(storedJson) as { privateKey: string };
    return { private_key: v.privateKey };
}

package io.stemflow.kafka.embedded;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How an {@link EmbeddedKafka} runs secured: one {@code SASL_SSL} listener for clients and the broker itself, a
 * {@code SASL_SSL} controller listener, the KRaft {@code StandardAuthorizer} with no access unless an ACL grants it.
 *
 * <p>Mechanisms: clients authenticate with SCRAM-SHA-512 (or -256); their credentials live in the cluster's
 * metadata and are added by an administrator ({@code Admin.alterUserScramCredentials}). The broker's own
 * connections (inter-broker, broker to controller) and the administrator that adds those credentials use PLAIN over
 * TLS with the static users of {@link #plainUsers()}: KRaft cannot authenticate SCRAM on the controller listener
 * (the credentials are in the metadata log the controller itself serves), and a data directory formatted without
 * SCRAM credentials (a stack that ran without {@code --secure} before) would otherwise have no way in. Every PLAIN
 * user is a super user; there are no others.
 *
 * @param keystore           the broker's PKCS12 key store (its certificate names {@code localhost} and
 *                           {@code 127.0.0.1})
 * @param keystorePassword   its password (also the key's)
 * @param truststore         a PKCS12 trust store holding the broker's certificate, for the broker as a client of itself
 * @param truststorePassword its password
 * @param brokerUser         the PLAIN user the broker connects to itself and to the controller as
 * @param plainUsers         PLAIN users and passwords, the broker's among them: the super users
 */
public record BrokerSecurity(Path keystore, String keystorePassword, Path truststore, String truststorePassword,
                             String brokerUser, Map<String, String> plainUsers) {

    static final String LISTENER = "SASL_SSL";
    private static final String PLAIN = "org.apache.kafka.common.security.plain.PlainLoginModule";
    private static final String SCRAM = "org.apache.kafka.common.security.scram.ScramLoginModule";

    public BrokerSecurity {
        Objects.requireNonNull(keystore, "keystore");
        Objects.requireNonNull(keystorePassword, "keystorePassword");
        Objects.requireNonNull(truststore, "truststore");
        Objects.requireNonNull(truststorePassword, "truststorePassword");
        Objects.requireNonNull(brokerUser, "brokerUser");
        plainUsers = Map.copyOf(new TreeMap<>(plainUsers));
        if (!plainUsers.containsKey(brokerUser)) {
            throw new IllegalArgumentException("the broker user '" + brokerUser + "' must be one of the PLAIN users");
        }
        for (final String user : plainUsers.keySet()) {
            if (!user.matches("[A-Za-z0-9_-]+")) {
                throw new IllegalArgumentException("PLAIN user names must be of [A-Za-z0-9_-], was '" + user + "'");
            }
        }
    }

    /** The listener and security properties of the broker's {@code server.properties}. */
    Map<String, String> brokerProperties(final int port, final int controllerPort) {
        final Map<String, String> p = new LinkedHashMap<>();
        p.put("listeners", LISTENER + "://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", LISTENER + "://127.0.0.1:" + port);
        p.put("listener.security.protocol.map", LISTENER + ":SASL_SSL,CONTROLLER:SASL_SSL");
        p.put("inter.broker.listener.name", LISTENER);
        p.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        p.put("sasl.mechanism.controller.protocol", "PLAIN");
        final StringBuilder users = new StringBuilder();
        plainUsers.forEach((user, password) -> users.append(" user_").append(user).append("=\"").append(quoted(password))
                .append('"'));
        final String plainJaas = PLAIN + " required username=\"" + brokerUser + "\" password=\""
                + quoted(plainUsers.get(brokerUser)) + "\"" + users + ";";
        final String client = "listener.name." + LISTENER.toLowerCase(java.util.Locale.ROOT) + ".";
        p.put(client + "sasl.enabled.mechanisms", "SCRAM-SHA-512,SCRAM-SHA-256,PLAIN");
        p.put(client + "plain.sasl.jaas.config", plainJaas);
        p.put(client + "scram-sha-512.sasl.jaas.config", SCRAM + " required;");
        p.put(client + "scram-sha-256.sasl.jaas.config", SCRAM + " required;");
        p.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        p.put("listener.name.controller.plain.sasl.jaas.config", plainJaas);
        p.put("ssl.keystore.type", "PKCS12");
        p.put("ssl.keystore.location", keystore.toAbsolutePath().toString());
        p.put("ssl.keystore.password", keystorePassword);
        p.put("ssl.key.password", keystorePassword);
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.location", truststore.toAbsolutePath().toString());
        p.put("ssl.truststore.password", truststorePassword);
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("allow.everyone.if.no.acl.found", "false");
        final StringBuilder supers = new StringBuilder();
        for (final String user : plainUsers.keySet()) {
            supers.append(supers.isEmpty() ? "" : ";").append("User:").append(user);
        }
        p.put("super.users", supers.toString());
        return p;
    }

    /** Client properties of PLAIN user {@code user} (a super user): for the broker's readiness check and administration. */
    public Map<String, Object> plainClient(final String user) {
        final String password = plainUsers.get(user);
        if (password == null) {
            throw new IllegalArgumentException("'" + user + "' is not a PLAIN user of this broker");
        }
        final Map<String, Object> p = new HashMap<>();
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", "PLAIN");
        p.put("sasl.jaas.config", PLAIN + " required username=\"" + user + "\" password=\"" + quoted(password) + "\";");
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.location", truststore.toAbsolutePath().toString());
        p.put("ssl.truststore.password", truststorePassword);
        return p;
    }

    private static String quoted(final String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public String toString() {
        return "BrokerSecurity[keystore=" + keystore + ", truststore=" + truststore + ", brokerUser=" + brokerUser
                + ", plainUsers=" + plainUsers.keySet() + ", passwords hidden]";
    }
}

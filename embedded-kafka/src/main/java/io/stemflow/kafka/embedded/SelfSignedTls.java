package io.stemflow.kafka.embedded;

import io.stemflow.service.OwnerOnly;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A broker's TLS material made once per directory: a self-signed certificate (EC P-256, ten years) for
 * {@code localhost}, {@code 127.0.0.1} and any further host names, in a PKCS12 key store, and a PKCS12 trust store
 * holding that certificate for the clients. Made with the JDK's own {@code keytool} as a child process (no
 * certificate library on the class path); the passwords reach it through its environment, never its command line
 * (which {@code ps} shows). Every file is owner-only ({@link OwnerOnly}).
 *
 * <p>Layout of {@code dir}: {@code broker.p12}, {@code broker.p12.password}, {@code truststore.p12},
 * {@code truststore.p12.password}, {@code broker.crt} (the certificate in PEM, for tools like {@code kcat}).
 */
public record SelfSignedTls(Path keystore, String keystorePassword, Path truststore, String truststorePassword,
                            Path certificate) {

    private static final long KEYTOOL_TIMEOUT_S = 60;

    /** The stores in {@code dir}, made first if they are not there yet. */
    public static SelfSignedTls in(final Path dir, final String... moreHostNames) {
        OwnerOnly.directory(dir);
        final Path keystore = dir.resolve("broker.p12");
        final Path truststore = dir.resolve("truststore.p12");
        final Path certificate = dir.resolve("broker.crt");
        final String keystorePassword = RandomSecret.in(dir.resolve("broker.p12.password"));
        final String truststorePassword = RandomSecret.in(dir.resolve("truststore.p12.password"));
        if (!Files.exists(keystore) || !Files.exists(truststore) || !Files.exists(certificate)) {
            make(dir, keystore, keystorePassword, truststore, truststorePassword, certificate, moreHostNames);
        }
        return new SelfSignedTls(keystore, keystorePassword, truststore, truststorePassword, certificate);
    }

    private static void make(final Path dir, final Path keystore, final String keystorePassword, final Path truststore,
                             final String truststorePassword, final Path certificate, final String... moreHostNames) {
        final Path work = dir.resolve("making");
        deleteAll(work);
        OwnerOnly.directory(work);
        final Path ks = work.resolve(keystore.getFileName());
        final Path ts = work.resolve(truststore.getFileName());
        final Path crt = work.resolve(certificate.getFileName());
        final StringBuilder san = new StringBuilder("dns:localhost,ip:127.0.0.1");
        for (final String host : moreHostNames) {
            san.append(",dns:").append(host);
        }
        keytool(work, "-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1",
                "-sigalg", "SHA256withECDSA", "-validity", "3650", "-dname", "CN=localhost, O=stemflow local stack",
                "-ext", "SAN=" + san, "-keystore", ks.toString(), "-storetype", "PKCS12",
                "-storepass:env", "STORE_PASS", "-keypass:env", "STORE_PASS");
        keytool(work, "-exportcert", "-rfc", "-alias", "broker", "-keystore", ks.toString(), "-storetype", "PKCS12",
                "-storepass:env", "STORE_PASS", "-file", crt.toString());
        keytool(work, "-importcert", "-noprompt", "-alias", "stemflow-broker", "-file", crt.toString(),
                "-keystore", ts.toString(), "-storetype", "PKCS12", "-storepass:env", "TRUST_PASS");
        try {
            for (final Path made : List.of(ks, ts, crt)) {
                OwnerOnly.file(made);
                Files.move(made, dir.resolve(made.getFileName()), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot move the broker's TLS stores into " + dir, e);
        }
        deleteAll(work);
    }

    private static void keytool(final Path work, final String... args) {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        final Path log = work.resolve("keytool.log");
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        final Path dir = work.getParent();
        builder.environment().put("STORE_PASS", RandomSecret.in(dir.resolve("broker.p12.password")));
        builder.environment().put("TRUST_PASS", RandomSecret.in(dir.resolve("truststore.p12.password")));
        try {
            final Process process = builder.start();
            if (!process.waitFor(KEYTOOL_TIMEOUT_S, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " did not finish within " + KEYTOOL_TIMEOUT_S + " s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed with code " + process.exitValue() + ": "
                        + Files.readString(log, StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run keytool to make the broker's certificate", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while making the broker's certificate", e);
        }
    }

    private static void deleteAll(final Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (final Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + dir, e);
        }
    }

    @Override
    public String toString() {
        return "SelfSignedTls[keystore=" + keystore + ", truststore=" + truststore + ", passwords hidden]";
    }
}

package com.agentsecretstore.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;

import org.jboss.logging.Logger;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

import com.agentsecretstore.dev.EmbeddedPostgresForTests;

/**
 * Which PostgreSQL the tests use, so that the README's test command works on a fresh machine too.
 *
 * <p>A JUnit {@link LauncherSessionListener} (registered in {@code META-INF/services}): it runs once per test
 * JVM before any test class, in the unit suite and in the {@code *IT} suite alike. When no datasource URL is
 * configured (system properties, environment, {@code .env}) and nothing listens on 127.0.0.1:5432, it starts the
 * embedded PostgreSQL 17 that dev mode uses and points the datasource system properties at it; they outrank
 * the {@code %test} entries of application.properties, and the ITs hand them to the replicas they start
 * ({@link #replicaEnvironment()}). With a configured or running server (as CI has) it does nothing.
 *
 * <p>{@code -Dagentsecretstore.test.postgres.probe=host:port} checks another address than 127.0.0.1:5432:
 * pointing it at an unused port tries the embedded path on a machine whose PostgreSQL keeps running.
 */
public final class TestDatabase implements LauncherSessionListener {

    static final String PROBE = "agentsecretstore.test.postgres.probe";
    static final String DEFAULT_PROBE = "127.0.0.1:5432";
    /** Set (to true) once this JVM's tests use an embedded server. */
    static final String EMBEDDED = "agentsecretstore.test.postgres.embedded";
    static final String JDBC_URL = "quarkus.datasource.jdbc.url";
    static final String REACTIVE_URL = "quarkus.datasource.reactive.url";
    static final String USERNAME = "quarkus.datasource.username";
    static final String PASSWORD = "quarkus.datasource.password";
    private static final String DEFAULT_JDBC_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";

    private static final Logger LOG = Logger.getLogger(TestDatabase.class);
    /** Zonky's own start-up lines would add to the one line this class logs; held so the level sticks. */
    private static final java.util.logging.Logger ZONKY = java.util.logging.Logger.getLogger("io.zonky.test.db");

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        ensureDatabase();
    }

    static synchronized void ensureDatabase() {
        if (Boolean.getBoolean(EMBEDDED) || configured()) {
            return;
        }
        String probe = System.getProperty(PROBE, DEFAULT_PROBE);
        if (listening(probe)) {
            return;
        }
        ZONKY.setLevel(Level.WARNING);
        Map<String, String> datasource = EmbeddedPostgresForTests.start();
        datasource.forEach(System::setProperty);
        System.setProperty(EMBEDDED, "true");
        LOG.infof("No PostgreSQL at %s: tests use an embedded PostgreSQL 17 at %s (throw-away, under "
                + "target/embedded-postgres/, deleted when the tests end)", probe, datasource.get(JDBC_URL));
    }

    /**
     * A datasource URL set by a system property, the environment or the project's {@code .env} file (as Quarkus
     * reads them), in either the plain or the test profile.
     */
    private static boolean configured() {
        String dotEnv = dotEnv();
        for (String key : List.of(JDBC_URL, REACTIVE_URL)) {
            for (String name : List.of(key, "%test." + key)) {
                String env = environmentName(name);
                if (present(System.getProperty(name)) || present(System.getenv(env))
                        || dotEnv.lines().anyMatch(line -> line.strip().startsWith(env + "="))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String dotEnv() {
        Path file = Path.of(".env");
        try {
            return Files.isRegularFile(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean listening(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        String host = hostAndPort.substring(0, colon);
        int port = Integer.parseInt(hostAndPort.substring(colon + 1));
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The JDBC URL of the tests' server: a configured or embedded one, else the local default. */
    public static String jdbcUrl() {
        return setting(JDBC_URL, DEFAULT_JDBC_URL);
    }

    /** A new connection to the tests' server, outside any schema; for tests that run no Quarkus. */
    public static Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), setting(USERNAME, "postgres"), setting(PASSWORD, ""));
    }

    /**
     * Environment variables that point a packaged replica at the tests' server: the datasource system
     * properties (the embedded server's, or ones given with {@code -D}); none when the environment, which a
     * replica inherits, already says where the database is.
     */
    public static Map<String, String> replicaEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String key : List.of(JDBC_URL, REACTIVE_URL, USERNAME, PASSWORD)) {
            String value = System.getProperty(key);
            if (present(value)) {
                env.put(environmentName(key), value);
            }
        }
        return env;
    }

    private static String setting(String key, String fallback) {
        String value = System.getProperty(key);
        if (!present(value)) {
            value = System.getenv(environmentName(key));
        }
        return present(value) ? value : fallback;
    }

    /** MicroProfile Config's environment variable name: {@code %test.a.b} becomes {@code _TEST_A_B}. */
    private static String environmentName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}

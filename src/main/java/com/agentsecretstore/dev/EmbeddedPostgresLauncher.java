package com.agentsecretstore.dev;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Starts the dev-mode embedded PostgreSQL at most once per JVM. Loaded only from the dev branch of
 * {@link EmbeddedPostgresConfigSourceFactory} (and by the test suites, through {@link #startNew()}, when no
 * PostgreSQL runs); the only class that links against zonky.
 *
 * <p>Dev-mode hot reload runs the config factories again in a new class loader, where this class and its
 * statics are fresh; the server's port and password are therefore remembered in system properties, which
 * live as long as the JVM, and a still-answering server is reused. Zonky's shutdown hook stops the server and
 * deletes its data when the JVM exits.
 */
final class EmbeddedPostgresLauncher {

    static final String PORT_PROPERTY = EmbeddedPostgresConfigSourceFactory.PORT_PROPERTY;
    static final String PASSWORD_PROPERTY = "agentsecretstore.dev.embedded-postgres.password";
    private static final String HOST = EmbeddedPostgresConfigSourceFactory.HOST;
    private static final String DATABASE = "postgres";
    private static final String USER = "postgres";
    /** Zonky's lock file in each data directory, held (FileLock) by the JVM that runs the server. */
    private static final String ZONKY_LOCK_FILE = "epg-lock";

    private static final Logger LOG = Logger.getLogger(EmbeddedPostgresConfigSourceFactory.class);

    private EmbeddedPostgresLauncher() {
    }

    static Map<String, String> ensureStarted() {
        // A string literal is interned: one object per JVM, whichever class loader loaded this class.
        synchronized ("com.agentsecretstore.dev.EmbeddedPostgresLauncher") {
            String knownPort = System.getProperty(PORT_PROPERTY);
            String knownPassword = System.getProperty(PASSWORD_PROPERTY);
            if (knownPort != null && knownPassword != null) {
                int port = Integer.parseInt(knownPort);
                if (answers(port, knownPassword)) {
                    LOG.debugf("Dev mode: reusing the embedded PostgreSQL at %s", jdbcUrl(port));
                    return properties(port, knownPassword);
                }
                LOG.warnf("Dev mode: the embedded PostgreSQL at %s no longer answers; starting a new one", jdbcUrl(port));
            }
            long t0 = System.nanoTime();
            String password = randomPassword();
            int port = start(password);
            System.setProperty(PORT_PROPERTY, Integer.toString(port));
            System.setProperty(PASSWORD_PROPERTY, password);
            LOG.infof("Dev mode: started a throw-away embedded PostgreSQL in %d ms: %s (user %s, password %s). "
                    + "Its data is deleted when dev mode stops; set QUARKUS_DATASOURCE_JDBC_URL and "
                    + "QUARKUS_DATASOURCE_REACTIVE_URL to use another database. Server log: %s",
                    (System.nanoTime() - t0) / 1_000_000, jdbcUrl(port), USER, password,
                    dataParent().resolve("postgres.log"));
            return properties(port, password);
        }
    }

    /**
     * Starts a new secured server, without reuse or log line, and returns the datasource properties that
     * reach it. The test suites use it when no PostgreSQL is running (see the tests' {@code support/TestDatabase}).
     */
    static Map<String, String> startNew() {
        String password = randomPassword();
        return properties(start(password), password);
    }

    private static int start(String password) {
        Path parent = dataParent();
        removeStaleDataDirectories(parent);
        Path serverLog = parent.resolve("postgres.log");
        EmbeddedPostgres postgres;
        try {
            Files.createDirectories(parent);
            ProcessBuilder.Redirect toServerLog = ProcessBuilder.Redirect.appendTo(serverLog.toFile());
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(parent.resolve(UUID.randomUUID().toString()))
                    .setCleanDataDirectory(true)
                    .setServerConfig("listen_addresses", HOST)
                    .setServerConfig("fsync", "off")
                    .setServerConfig("full_page_writes", "off")
                    // initdb, pg_ctl and server output go to a file instead of the dev console
                    .setOutputRedirector(toServerLog)
                    .setErrorRedirector(toServerLog)
                    .start();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Dev mode: could not start the embedded PostgreSQL (see " + serverLog
                    + "); or set QUARKUS_DATASOURCE_JDBC_URL and QUARKUS_DATASOURCE_REACTIVE_URL", e);
        }
        int port = postgres.getPort();
        requirePassword(port, password);
        return port;
    }

    /**
     * Zonky's initdb trusts every local connection, and the server keeps the OS identity of this JVM (as root,
     * zonky runs it in a user namespace as "nobody", still root outside). A superuser can run programs on
     * the server ({@code COPY ... TO PROGRAM}), so any local user could act as us: require a random password.
     */
    private static void requirePassword(int port, String password) {
        Properties props = connectionProperties(null);
        try (Connection c = new org.postgresql.Driver().connect(jdbcUrl(port), props);
                Statement s = c.createStatement()) {
            s.execute("alter role " + USER + " password '" + password + "'");
            String hbaFile;
            try (ResultSet rs = s.executeQuery("select current_setting('hba_file')")) {
                rs.next();
                hbaFile = rs.getString(1);
            }
            Files.writeString(Path.of(hbaFile), "# Written by " + EmbeddedPostgresLauncher.class.getName() + "\n"
                    + "local all all scram-sha-256\n"
                    + "host all all 127.0.0.1/32 scram-sha-256\n"
                    + "host all all ::1/128 scram-sha-256\n", StandardCharsets.UTF_8);
            s.execute("select pg_reload_conf()");
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("Dev mode: could not secure the embedded PostgreSQL", e);
        }
    }

    /**
     * Data directories live in {@code target/embedded-postgres/} when dev mode runs in the project directory
     * (as {@code quarkus:dev} does): {@code mvn clean} removes any left behind by a killed JVM.
     */
    private static Path dataParent() {
        Path target = Path.of("target");
        return Files.isDirectory(target)
                ? target.resolve("embedded-postgres").toAbsolutePath()
                : Path.of(System.getProperty("java.io.tmpdir"), "agent-secret-store-embedded-postgres");
    }

    /**
     * Deletes data directories whose JVM is gone (killed before zonky's shutdown hook could run). A server
     * orphaned that way notices within a minute that its data directory is gone and shuts itself down.
     */
    private static void removeStaleDataDirectories(Path parent) {
        if (!Files.isDirectory(parent)) {
            return;
        }
        try (Stream<Path> children = Files.list(parent)) {
            children.filter(Files::isDirectory).filter(EmbeddedPostgresLauncher::unlocked).forEach(dir -> {
                LOG.infof("Dev mode: deleting the stale embedded PostgreSQL data directory %s", dir);
                deleteRecursively(dir);
            });
        } catch (IOException e) {
            LOG.debugf(e, "Dev mode: could not list %s", parent);
        }
    }

    private static boolean unlocked(Path dir) {
        File lockFile = dir.resolve(ZONKY_LOCK_FILE).toFile();
        if (!lockFile.exists()) {
            return false;
        }
        try (FileOutputStream out = new FileOutputStream(lockFile, true); FileLock lock = out.getChannel().tryLock()) {
            return lock != null;
        } catch (IOException | OverlappingFileLockException e) {
            return false;
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.debugf(e, "Dev mode: could not delete %s", dir);
        }
    }

    private static boolean answers(int port, String password) {
        try (Connection c = new org.postgresql.Driver().connect(jdbcUrl(port), connectionProperties(password));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select 1")) {
            return rs.next();
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    private static Properties connectionProperties(String password) {
        Properties props = new Properties();
        props.setProperty("user", USER);
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", "5");
        return props;
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String jdbcUrl(int port) {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + DATABASE;
    }

    private static Map<String, String> properties(int port, String password) {
        return Map.of(
                EmbeddedPostgresConfigSourceFactory.JDBC_URL, jdbcUrl(port),
                EmbeddedPostgresConfigSourceFactory.REACTIVE_URL, "postgresql://" + HOST + ":" + port + "/" + DATABASE,
                "quarkus.datasource.username", USER,
                "quarkus.datasource.password", password);
    }
}

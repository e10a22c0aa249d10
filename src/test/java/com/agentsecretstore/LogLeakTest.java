package com.agentsecretstore;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Runs last (see junit-platform.properties): every API key and secret value the suite created must
 * be absent from every log line the service wrote, at DEBUG level for our own code.
 */
@QuarkusTest
@Order(Integer.MAX_VALUE)
class LogLeakTest {

    @Test
    void noKeyOrSecretValueAppearsInAnyLogLine() throws IOException {
        Path log = Path.of("target/quarkus-test.log");
        assertTrue(Files.exists(log), "the test profile writes its log to " + log);
        String text = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(text.contains("Master keyring ready"), "the log file captures the service's own lines");
        assertTrue(Api.SENSITIVE.size() > 20, "the suite created keys and values to look for");
        List<String> leaked = new ArrayList<>();
        for (String sensitive : Api.SENSITIVE) {
            if (text.contains(sensitive)) {
                leaked.add(sensitive.substring(0, Math.min(8, sensitive.length())) + "…");
            }
        }
        assertFalse(!leaked.isEmpty(), "leaked into logs: " + leaked);
    }
}

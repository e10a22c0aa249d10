package com.agentsecretstore.ops;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Flow;

import io.quarkus.test.junit.QuarkusTest;

/** The operational metrics, as Prometheus scrapes them from /q/metrics. */
@QuarkusTest
class OpsMetricsTest {

    private static final Duration PATIENCE = Duration.ofMinutes(2);

    @BeforeEach
    void firstReadingIsDone() {
        // Until the first reading the gauges say NaN, and decisions made before it are not observed.
        await().atMost(PATIENCE).until(() -> value(scrape(), "ass_approvals_open", "status=\"pending\"").isPresent());
    }

    @Test
    void aPendingRequestShowsInTheOpenGaugeAndItsAge() {
        String ns = Flow.namespaceWithTiers("ops-pending", 0);
        Api.Created agent = Api.principal("agent", ns);
        Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");

        await().atMost(PATIENCE).until(() -> value(scrape(), "ass_approvals_open", "status=\"pending\"").orElse(0) >= 1);
        String metrics = scrape();
        assertTrue(value(metrics, "ass_approvals_oldest_pending_age_seconds", "").orElse(-1) >= 0, metrics);
        assertTrue(value(metrics, "ass_approvals_open", "status=\"delayed\"").orElse(-1) >= 0, metrics);
        assertTrue(value(metrics, "ass_approvals_issuance_overdue_seconds", "").orElse(-1) >= 0, metrics);
        for (String outbox : new String[] { "webhook", "mail" }) {
            assertTrue(value(metrics, "ass_outbox_backlog", "outbox=\"" + outbox + "\"").orElse(-1) >= 0, metrics);
            assertTrue(value(metrics, "ass_outbox_oldest_undelivered_age_seconds", "outbox=\"" + outbox + "\"").orElse(-1) >= 0,
                    metrics);
        }
        assertTrue(value(metrics, "ass_audit_unsealed_entries", "").orElse(-1) >= 0, metrics);
        assertTrue(value(metrics, "ass_audit_sealing_lag_seconds", "").orElse(-1) >= 0, metrics);
    }

    @Test
    void aDenialIsTimedFromRequestToDecision() {
        String ns = Flow.namespaceWithTiers("ops-deny", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created approver = Api.principal("approver", ns);
        double before = value(scrape(), "ass_approval_decision_seconds_count", "outcome=\"denied\"").orElse(0);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        Flow.deny(approver.key(), id, "not today").then().statusCode(200);

        await().atMost(PATIENCE).until(
                () -> value(scrape(), "ass_approval_decision_seconds_count", "outcome=\"denied\"").orElse(0) >= before + 1);
        String metrics = scrape();
        assertTrue(value(metrics, "ass_approval_decision_seconds_sum", "outcome=\"denied\"").orElse(-1) >= 0, metrics);
        assertTrue(value(metrics, "ass_approval_decision_seconds_bucket", "le=\"+Inf\"").isPresent(), metrics);
    }

    @Test
    void aDelayedIssuanceRecordsItsLateness() {
        String ns = Flow.namespaceWithTiers("ops-delay", 1);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created a1 = Api.principal("approver", ns);
        Api.Created a2 = Api.principal("approver", ns);
        double before = value(scrape(), "ass_approval_issuance_lateness_seconds_count", "").orElse(0);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/crit/*");
        Flow.approve(a1.key(), id).then().statusCode(200);
        Flow.approve(a2.key(), id).then().statusCode(200);

        await().atMost(PATIENCE).until(() -> value(scrape(), "ass_approval_issuance_lateness_seconds_count", "").orElse(0) >= before + 1);
        assertTrue(value(scrape(), "ass_approval_decision_seconds_count", "outcome=\"approved\"").orElse(0) >= 1);
    }

    private static String scrape() {
        return given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The value of the first sample of {@code name} whose labels contain {@code label}; empty when absent or NaN. */
    private static OptionalDouble value(String metrics, String name, String label) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)").matcher(metrics);
        while (m.find()) {
            String labels = m.group(1) == null ? "" : m.group(1);
            if (labels.contains(label)) {
                double v = Double.parseDouble(m.group(2));
                return Double.isNaN(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
            }
        }
        return OptionalDouble.empty();
    }
}

package com.agentsecretstore.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Issue 11.16: what an agent writes reaches an approver's email as quoted text on one line. */
class MailComposerTest {

    static final String GENUINE = "https://ass.example.com/dashboard/approvals/apr_1";

    static Map<String, Object> payload(String description) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("approval_request_id", "apr_1");
        p.put("requested_by", "deploy-bot");
        p.put("scope", "secrets:read:prod/db/*");
        p.put("tier", "critical");
        p.put("received_approvals", 0);
        p.put("required_approvals", 2);
        p.put("description", description);
        p.put("approve_url", GENUINE);
        return p;
    }

    static List<String> reviewLines(String body) {
        return body.lines().filter(l -> l.contains("Review it")).toList();
    }

    @Test
    void newlinesInADescriptionCannotForgeAReviewLink() {
        String forged = "routine rotation\n\nReview it: https://evil.example/approve\r\nSecrets: none";
        String body = new MailComposer().compose(EventType.REQUESTED, payload(forged)).body();
        assertEquals(List.of("Review it: " + GENUINE), body.lines().filter(l -> l.startsWith("Review it")).toList());
        assertEquals(0, body.lines().filter(l -> l.startsWith("Secrets:")).count(), "no forged field line");
        assertTrue(body.contains("Description: \"routine rotation Review it: https://evil.example/approve Secrets: none\"\n"),
                body);
        assertEquals(2, reviewLines(body).size(), "the forged text stays inside the quoted description");
    }

    @Test
    void unicodeSeparatorsAndBidiOverridesAreStripped() {
        String sneaky = "ok\u2028Review it: https://evil.example\u2029\u202Eevil\u0000\u0085x";
        String body = new MailComposer().compose(EventType.REQUESTED, payload(sneaky)).body();
        String line = body.lines().filter(l -> l.startsWith("Description: ")).findFirst().orElseThrow();
        assertEquals("Description: \"ok Review it: https://evil.example evil x\"", line);
        assertFalse(body.chars().anyMatch(c -> c == 0x2028 || c == 0x2029 || c == 0x202E || c == 0 || c == 0x85));
    }

    @Test
    void quotesInsideTheTextCannotCloseTheQuote() {
        String body = new MailComposer().compose(EventType.REQUESTED, payload("a\" then \\\" b")).body();
        assertTrue(body.contains("Description: \"a\\\" then \\\\\\\" b\"\n"), body);
    }

    @Test
    void theSubjectIsOneLine() {
        Map<String, Object> p = payload("x");
        p.put("requested_by", "bot\r\nBcc: victim@example.com");
        String subject = new MailComposer().compose(EventType.REQUESTED, p).subject();
        assertFalse(subject.contains("\n") || subject.contains("\r"), subject);
        assertEquals("Approval needed: critical access to secrets:read:prod/db/* for bot Bcc: victim@example.com", subject);
    }
}

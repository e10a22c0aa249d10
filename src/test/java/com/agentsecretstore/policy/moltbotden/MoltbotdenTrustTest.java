package com.agentsecretstore.policy.moltbotden;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import com.agentsecretstore.policy.TrustTier;
import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.Flow;
import com.agentsecretstore.support.MoltbotdenStub;
import com.agentsecretstore.support.MoltbotdenStub.Reply;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Trust tiers looked up from a MoltbotDen registry (a local stub): each tier the registry gives
 * yields the reference table; every kind of failure counts as Unregistered and never relaxes; an
 * admin's override wins; answers are cached per agent and expire; the key goes only where the
 * environment says.
 */
@QuarkusTest
@QuarkusTestResource(MoltbotdenStub.class)
class MoltbotdenTrustTest {

    private static final String SETTINGS = "/v1/settings/integrations/moltbotden";

    @Inject
    TrustLookup lookup;

    @BeforeEach
    void integrationOn() {
        Api.SENSITIVE.add(MoltbotdenStub.API_KEY);
        Api.admin().body(Map.of("enabled", true)).put(SETTINGS).then().statusCode(200);
    }

    @AfterEach
    void integrationOff() {
        Api.admin().body(Map.of("enabled", false)).put(SETTINGS).then().statusCode(200);
    }

    private static Api.Created agent(String ns, String moltbotdenId, String override) {
        Map<String, Object> body = new HashMap<>(Map.of("name", Api.unique("md-agent"), "role", "agent",
                "namespaces", List.of(ns)));
        if (moltbotdenId != null) {
            body.put("moltbotden_id", moltbotdenId);
        }
        if (override != null) {
            body.put("trust_tier", override);
        }
        Response r = Api.admin().body(body).post("/v1/principals");
        r.then().statusCode(201);
        Api.SENSITIVE.add(r.path("api_key"));
        return new Api.Created(r.path("id"), r.path("name"), r.path("api_key"));
    }

    @ParameterizedTest(name = "registry says {0}, {1} secret: {3} approval(s), delay {4}s")
    @CsvSource({
            "T5,  std,  verified,     0, 0",
            "T5,  sens, verified,     0, 0",
            "T5,  crit, verified,     1, 0",
            "T4,  std,  established,  0, 0",
            "T4,  sens, established,  0, 0",
            "T4,  crit, established,  2, 300",
            "T3,  std,  active,       0, 0",
            "T3,  sens, active,       1, 0",
            "T3,  crit, active,       2, 300",
            "T2,  std,  new,          0, 0",
            "T2,  sens, new,          1, 0",
            "T2,  crit, new,          2, 300",
            "404, std,  unregistered, 0, 0",
            "404, sens, unregistered, 1, 0",
            "404, crit, unregistered, 2, 300" })
    void theRegistrysTierGivesTheReferenceTable(String registry, String tree, String trust, int approvals, int delay) {
        String ns = Flow.namespaceWithTiers("md-table", 300);
        String id = Api.unique("md");
        if (!registry.equals("404")) {
            MoltbotdenStub.answer(id, Reply.tier(id, registry));
        }
        Api.Created a = agent(ns, id, null);

        Response r = Flow.requestToken(a.key(), "secrets:read:" + ns + "/" + tree + "/*");
        if (approvals == 0) {
            r.then().statusCode(201).body("status", equalTo("approved"));
            Api.SENSITIVE.add(r.path("value"));
            return;
        }
        r.then().statusCode(202).body("required_approvals", equalTo(approvals));
        String requestId = r.path("approval_request_id");
        Api.admin().get("/v1/approvals/" + requestId).then().statusCode(200)
                .body("required_approvals", equalTo(approvals)).body("approval_delay_seconds", equalTo(delay))
                .body("trust_tier", equalTo(trust)).body("trust_source", equalTo("lookup"));
        assertEquals("Bearer " + MoltbotdenStub.API_KEY, MoltbotdenStub.authorization(id));
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("HTTP 500", Reply.status(500)),
                Arguments.of("HTTP 401", Reply.status(401)),
                Arguments.of("no answer (timeout)", Reply.hanging()),
                Arguments.of("a verified answer after the timeout", Reply.body("{}").after(4000)),
                Arguments.of("garbage", Reply.body("<html>not json")),
                Arguments.of("JSON without a tier", Reply.body("{\"id\":\"x\"}")),
                Arguments.of("an unknown tier", null),
                Arguments.of("T1", null),
                Arguments.of("an answer about another agent", null));
    }

    @ParameterizedTest(name = "{0} counts as Unregistered")
    @MethodSource("failures")
    void anyFailureCountsAsUnregisteredAndNeverRelaxes(String what, Reply given) {
        String ns = Flow.namespaceWithTiers("md-fail", 300);
        String id = Api.unique("md");
        Reply reply = switch (what) {
            case "an unknown tier" -> Reply.tier(id, "T9");
            case "T1" -> Reply.tier(id, "T1");
            case "an answer about another agent" -> Reply.tier("someone-else", "T5");
            case "a verified answer after the timeout" -> Reply.tier(id, "T5").after(4000);
            default -> given;
        };
        MoltbotdenStub.answer(id, reply);
        Api.Created a = agent(ns, id, null);

        // Sensitive: Verified or Established would auto-approve it, so a 202 shows nothing was relaxed.
        Response r = Flow.requestToken(a.key(), "secrets:read:" + ns + "/sens/*");
        r.then().statusCode(202).body("required_approvals", equalTo(1));
        Api.admin().get("/v1/approvals/" + r.path("approval_request_id")).then().statusCode(200)
                .body("trust_tier", equalTo("unregistered")).body("trust_source", equalTo("unavailable"));
        assertEquals(1, MoltbotdenStub.hits(id));
    }

    @Test
    void anAdminSetTierOverridesTheRegistryAndNothingIsAsked() {
        String ns = Flow.namespaceWithTiers("md-override", 300);
        String id = Api.unique("md");
        MoltbotdenStub.answer(id, Reply.tier(id, "T5"));
        Api.Created a = agent(ns, id, "new");

        Response r = Flow.requestToken(a.key(), "secrets:read:" + ns + "/sens/*");
        r.then().statusCode(202);
        Api.admin().get("/v1/approvals/" + r.path("approval_request_id")).then().statusCode(200)
                .body("trust_tier", equalTo("new")).body("trust_source", equalTo("override"));
        assertEquals(0, MoltbotdenStub.hits(id));

        // Clearing the override hands the decision back to the registry.
        Api.admin().body(Map.of("trust_tier", "")).patch("/v1/principals/" + a.id()).then().statusCode(200)
                .body("trust_tier", nullValue());
        Flow.requestToken(a.key(), "secrets:read:" + ns + "/sens/*").then().statusCode(201);
        assertEquals(1, MoltbotdenStub.hits(id));
    }

    @Test
    void anAgentWithoutAMoltbotdenIdIsUnregisteredWithoutALookup() {
        String ns = Flow.namespaceWithTiers("md-unlinked", 300);
        Api.Created a = agent(ns, null, null);
        Response r = Flow.requestToken(a.key(), "secrets:read:" + ns + "/sens/*");
        r.then().statusCode(202);
        String requestId = r.path("approval_request_id");
        Api.admin().get("/v1/approvals/" + requestId).then().statusCode(200)
                .body("trust_tier", equalTo("unregistered")).body("trust_source", equalTo("unlinked"));

        // A MoltbotDen id set later is looked up on the next request.
        String id = Api.unique("md");
        MoltbotdenStub.answer(id, Reply.tier(id, "T4"));
        Api.admin().body(Map.of("moltbotden_id", id)).patch("/v1/principals/" + a.id()).then().statusCode(200)
                .body("moltbotden_id", equalTo(id));
        Flow.requestToken(a.key(), "secrets:read:" + ns + "/sens/*").then().statusCode(201);
    }

    @Test
    void theTierAndItsSourceAreAuditedAndInTheWebhookPayload() {
        String ns = Flow.namespaceWithTiers("md-audit", 300);
        String id = Api.unique("md");
        MoltbotdenStub.answer(id, Reply.tier(id, "T3"));
        Api.Created a = agent(ns, id, null);
        String requestId = Flow.pending(a.key(), "secrets:read:" + ns + "/sens/*");

        String details = (String) Db.query("select details from audit_entry where action = 'approval.request' and target_id = ?",
                requestId).get(0).get("details");
        assertTrue(details.contains("\"trust_tier\":\"active\"") && details.contains("\"trust_source\":\"lookup\""), details);
        String payload = (String) Db.query("select payload from event where type = 'approval.requested' and approval_request_id = ?",
                requestId).get(0).get("payload");
        assertTrue(payload.contains("\"trust_tier\":\"active\"") && payload.contains("\"trust_source\":\"lookup\""), payload);
    }

    @Test
    void standardRequestsAskNothing() {
        String ns = Flow.namespaceWithTiers("md-std", 300);
        String id = Api.unique("md");
        MoltbotdenStub.answer(id, Reply.tier(id, "T5"));
        Api.Created a = agent(ns, id, null);
        Response r = Flow.requestToken(a.key(), "secrets:read:" + ns + "/std/*");
        r.then().statusCode(201);
        Api.SENSITIVE.add(r.path("value"));
        assertEquals(0, MoltbotdenStub.hits(id));
    }

    @Test
    void anAnswerIsCachedPerAgentAndExpires() {
        TrustLookup.Effective settings = lookup.effective(new StoredSettings(true, null));
        String id = Api.unique("md-cache");
        MoltbotdenStub.answer(id, Reply.tier(id, "T5"));
        long started = System.nanoTime();
        assertEquals(new ResolvedTrust(TrustTier.VERIFIED, TrustSource.LOOKUP), resolve(settings, id));
        MoltbotdenStub.answer(id, Reply.tier(id, "T2"));
        ResolvedTrust second = resolve(settings, id);
        Assumptions.assumeTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(2)) < 0,
                "the machine was too slow to see the cache hold within its 3 s lifetime");
        assertEquals(TrustTier.VERIFIED, second.tier(), "the cached answer holds");
        assertEquals(1, MoltbotdenStub.hits(id));

        // Once the 3 s (test profile) have passed, the registry is asked again and its new answer counts.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> resolve(settings, id).tier() == TrustTier.NEW);
        assertEquals(2, MoltbotdenStub.hits(id));
    }

    @Test
    void failuresAreNotCached() {
        TrustLookup.Effective settings = lookup.effective(new StoredSettings(true, null));
        String id = Api.unique("md-flaky");
        MoltbotdenStub.answer(id, Reply.status(503));
        assertEquals(new ResolvedTrust(TrustTier.UNREGISTERED, TrustSource.UNAVAILABLE), resolve(settings, id));
        MoltbotdenStub.answer(id, Reply.tier(id, "T4"));
        assertEquals(new ResolvedTrust(TrustTier.ESTABLISHED, TrustSource.LOOKUP), resolve(settings, id));
    }

    private ResolvedTrust resolve(TrustLookup.Effective settings, String id) {
        return lookup.resolve(settings, null, id).await().atMost(Duration.ofSeconds(20));
    }

    @Test
    void theKeyGoesOnlyToTheEnvironmentsOrigin() {
        // localhost is another origin than the environment's 127.0.0.1, though it reaches the same stub.
        String elsewhere = "http://localhost:" + MoltbotdenStub.port();
        Api.admin().body(Map.of("enabled", true, "base_url", elsewhere)).put(SETTINGS).then().statusCode(200)
                .body("effective_url", equalTo(elsewhere)).body("api_key_sent", equalTo(false));
        String id = Api.unique("md");
        MoltbotdenStub.answer(id, Reply.tier(id, "T5"));
        Api.admin().body(Map.of("moltbotden_id", id)).post(SETTINGS + "/test").then().statusCode(200)
                .body("ok", equalTo(true)).body("lookup.trust_tier", equalTo("verified"));
        assertEquals("", MoltbotdenStub.authorization(id));

        Api.admin().body(Map.of("enabled", true)).put(SETTINGS).then().statusCode(200)
                .body("base_url", nullValue()).body("effective_url", equalTo(MoltbotdenStub.url()))
                .body("api_key_sent", equalTo(true));
        Api.admin().body(Map.of("moltbotden_id", id)).post(SETTINGS + "/test").then().statusCode(200).body("ok", equalTo(true));
        assertEquals("Bearer " + MoltbotdenStub.API_KEY, MoltbotdenStub.authorization(id));
    }

    @Test
    void settingsShowWhatIsInForceButNeverTheKey() {
        String ns = Flow.namespaceWithTiers("md-settings", 300);
        String id = Api.unique("md");
        MoltbotdenStub.answer(id, Reply.status(500));
        Flow.requestToken(agent(ns, id, null).key(), "secrets:read:" + ns + "/sens/*").then().statusCode(202);

        String body = Api.admin().get(SETTINGS).then().statusCode(200)
                .body("enabled", equalTo(true)).body("effective_url", equalTo(MoltbotdenStub.url()))
                .body("api_key_configured", equalTo(true)).body("cache_ttl_seconds", equalTo(3))
                .body("timeout_millis", equalTo(2000))
                .body("last_lookup.moltbotden_id", equalTo(id)).body("last_lookup.outcome", equalTo("failed"))
                .body("last_lookup.detail", equalTo("HTTP 500")).body("last_lookup.trust_tier", equalTo("unregistered"))
                .extract().asString();
        assertFalse(body.contains(MoltbotdenStub.API_KEY));
        assertTrue(Db.count("select count(*) from audit_entry where action = 'settings.update' and details like '%\"enabled\":true%'") > 0);
    }

    @Test
    void testConnectionReportsWithoutSecrets() {
        // No agent named: an id no registry knows; 404 proves the way there.
        String answer = Api.admin().body("{}").post(SETTINGS + "/test").then().statusCode(200)
                .body("ok", equalTo(true)).body("lookup.outcome", equalTo("not_registered"))
                .body("lookup.http_status", equalTo(404)).extract().asString();
        assertFalse(answer.contains(MoltbotdenStub.API_KEY));
        String id = Api.unique("md");
        MoltbotdenStub.answer(id, Reply.status(500));
        Api.admin().body(Map.of("moltbotden_id", id)).post(SETTINGS + "/test").then().statusCode(200)
                .body("ok", equalTo(false)).body("lookup.detail", equalTo("HTTP 500"));
    }

    @Test
    void onlyAdminsReachTheSettingsAndBadInputIsNamed() {
        Api.Created approver = Api.principal("approver", "md");
        Api.as(approver.key()).get(SETTINGS).then().statusCode(403);
        Api.as(approver.key()).body(Map.of("enabled", false)).put(SETTINGS).then().statusCode(403);
        Api.as(approver.key()).body("{}").post(SETTINGS + "/test").then().statusCode(403);
        Api.admin().body(Map.of("enabled", true, "base_url", "ftp://x")).put(SETTINGS).then().statusCode(422)
                .body("errors[0].field", equalTo("base_url"));
        Api.admin().body(Map.of("enabled", true, "base_url", "https://user:pw@registry.example")).put(SETTINGS)
                .then().statusCode(422).body("errors[0].field", equalTo("base_url"));
        Api.admin().body(Map.of("base_url", "https://registry.example")).put(SETTINGS).then().statusCode(422)
                .body("errors[0].field", equalTo("enabled"));
        // The key is configuration, never a setting: an unknown field is refused.
        Api.admin().body(Map.of("enabled", true, "api_key", "x")).put(SETTINGS).then().statusCode(400);
    }
}

package com.agentsecretstore.passkey;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.agentsecretstore.passkey.PasskeyApi.Assertion;
import com.agentsecretstore.passkey.StepUpResult.Verdict;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Role;
import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.Flow;
import com.agentsecretstore.support.SoftPasskey;
import com.agentsecretstore.support.TestClock;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.response.Response;

/**
 * Passkey step-up of critical approvals against the real service and database, with a software
 * passkey that signs for real (ES256): nothing of the verifier is stubbed.
 */
@QuarkusTest
class PasskeyStepUpTest {

    @Inject
    TestClock clock;

    @Inject
    PasskeyService passkeys;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    private record Setup(String ns, Api.Created agent, Api.Created a, Api.Created b, String id) {
    }

    private static Setup critical() {
        String ns = Flow.namespaceWithTiers("stepup", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created a = Api.principal("approver", ns);
        Api.Created b = Api.principal("approver", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/crit/*");
        return new Setup(ns, agent, a, b, id);
    }

    private static Response approve(String key, String id, Map<String, Object> stepUp) {
        return Api.as(key).body(stepUp == null ? Map.of("comment", "ok") : Map.of("comment", "ok", "step_up", stepUp))
                .post("/v1/approvals/" + id + "/approve");
    }

    @Test
    void aCriticalRequestSaysItNeedsAStepUpAndStillOffersApprove() {
        Setup s = critical();
        Api.as(s.a().key()).get("/v1/approvals/" + s.id()).then().statusCode(200)
                .body("step_up_required", equalTo(true)).body("allowed_actions", hasItem("approve"));
    }

    @Test
    void aCriticalApprovalWithoutAPasskeyAssertionIsRefusedAndAudited() {
        Setup s = critical();
        approve(s.a().key(), s.id(), null).then().statusCode(403)
                .contentType("application/problem+json")
                .body("type", equalTo("https://agentsecretstore.dev/problems/step-up-required"))
                .body("approval_status", equalTo("pending"));
        assertEquals(1, Db.count("select count(*) from audit_entry where action = 'approval.approve' and outcome = 'denied' "
                + "and target_id = ? and cast(details as jsonb) ->> 'reason' = 'step_up_required'", s.id()));
        Api.as(s.a().key()).get("/v1/approvals/" + s.id()).then().body("received_approvals", equalTo(0));
    }

    @Test
    void aCriticalApprovalWithAFreshPasskeyAssertionCountsAndNamesThePasskeyInTheAudit() {
        Setup s = critical();
        SoftPasskey pk = SoftPasskey.of(s.a().key());
        approve(s.a().key(), s.id(), pk.stepUp(s.a().key(), s.id())).then().statusCode(200)
                .body("received_approvals", equalTo(1));
        assertEquals(1, Db.count("select count(*) from audit_entry where action = 'approval.approve' and outcome = 'success' "
                + "and target_id = ? and cast(details as jsonb) ->> 'step_up' = 'verified' and cast(details as jsonb) ->> 'passkey_id' = ?", s.id(), pk.id()));
        assertEquals(0, Db.count("select count(*) from passkey_challenge where request_id = ?", s.id()));
    }

    @Test
    void aReplayedAssertionIsRefused() {
        Setup s = critical();
        SoftPasskey pk = SoftPasskey.of(s.a().key());
        Map<String, Object> once = pk.stepUp(s.a().key(), s.id());
        approve(s.a().key(), s.id(), once).then().statusCode(200);
        approve(s.a().key(), s.id(), once).then().statusCode(403)
                .body("type", equalTo("https://agentsecretstore.dev/problems/step-up-invalid"))
                .body("reason", equalTo("challenge_unknown"));
        assertEquals(1, Db.count("select count(*) from audit_entry where action = 'approval.approve' and outcome = 'denied' "
                + "and target_id = ? and cast(details as jsonb) ->> 'step_up' = 'challenge_unknown'", s.id()));
    }

    @Test
    void twoStepUpsIssueTheToken() {
        Setup s = critical();
        Flow.approve(s.a().key(), s.id()).then().statusCode(200);
        Flow.approve(s.b().key(), s.id()).then().statusCode(200).body("status", equalTo("approved"));
        Flow.collect(s.agent().key(), s.id());
    }

    @Test
    void anAssertionMadeForAnotherApproverIsRefused() {
        Setup s = critical();
        SoftPasskey.of(s.b().key());
        Map<String, Object> ofA = SoftPasskey.of(s.a().key()).stepUp(s.a().key(), s.id());
        approve(s.b().key(), s.id(), ofA).then().statusCode(403)
                .body("type", equalTo("https://agentsecretstore.dev/problems/step-up-invalid"))
                .body("reason", equalTo("challenge_unknown"));
        // B's attempt did not spend A's challenge: it was never B's to spend.
        approve(s.a().key(), s.id(), ofA).then().statusCode(200);
    }

    @Test
    void anAssertionMadeForAnotherRequestIsRefused() {
        Setup s = critical();
        String other = Flow.pending(s.agent().key(), "secrets:read:" + s.ns() + "/crit/*");
        SoftPasskey pk = SoftPasskey.of(s.a().key());
        Map<String, Object> forOther = pk.stepUp(s.a().key(), other);
        approve(s.a().key(), s.id(), forOther).then().statusCode(403)
                .body("type", equalTo("https://agentsecretstore.dev/problems/step-up-invalid"))
                .body("reason", equalTo("challenge_unknown"));
    }

    @Test
    void anotherApproversPasskeyCannotAnswerMyChallenge() {
        Setup s = critical();
        SoftPasskey ofB = SoftPasskey.of(s.b().key());
        SoftPasskey.of(s.a().key());
        String challenge = Api.as(s.a().key()).post("/v1/approvals/" + s.id() + "/step-up").path("challenge");
        approve(s.a().key(), s.id(), ofB.assertion(challenge, SoftPasskey.ORIGIN, ofB.nextCounter())).then().statusCode(403)
                .body("reason", equalTo("unknown_passkey"));
    }

    @Test
    void aStepUpChallengeIsGoodOnce() {
        Setup s = critical();
        SoftPasskey pk = SoftPasskey.of(s.a().key());
        String challenge = Api.as(s.a().key()).post("/v1/approvals/" + s.id() + "/step-up").path("challenge");
        Map<String, Object> a = pk.assertion(challenge, SoftPasskey.ORIGIN, pk.nextCounter());
        Caller caller = new Caller(s.a().id(), s.a().name(), Role.APPROVER, List.of(s.ns()), null, null);
        assertEquals(Verdict.VERIFIED, check(caller, s.id(), a));
        assertEquals(Verdict.CHALLENGE_UNKNOWN, check(caller, s.id(), a));
    }

    @Test
    void anExpiredChallengeIsRefused() {
        Setup s = critical();
        SoftPasskey pk = SoftPasskey.of(s.a().key());
        String challenge = Api.as(s.a().key()).post("/v1/approvals/" + s.id() + "/step-up").path("challenge");
        clock.advance(Duration.ofMinutes(3));
        approve(s.a().key(), s.id(), pk.assertion(challenge, SoftPasskey.ORIGIN, pk.nextCounter())).then().statusCode(403)
                .body("reason", equalTo("challenge_unknown"));
    }

    @Test
    void aForgedSignatureIsRefusedAndSpendsTheChallenge() {
        Setup s = critical();
        SoftPasskey pk = SoftPasskey.of(s.a().key());
        String challenge = Api.as(s.a().key()).post("/v1/approvals/" + s.id() + "/step-up").path("challenge");
        Map<String, Object> a = new java.util.HashMap<>(pk.assertion(challenge, SoftPasskey.ORIGIN, pk.nextCounter()));
        // A signature of the same passkey, but over other data (another challenge).
        a.put("signature", pk.assertion("AAAA", SoftPasskey.ORIGIN, 1).get("signature"));
        approve(s.a().key(), s.id(), a).then().statusCode(403).body("reason", equalTo("verification_failed"));
        approve(s.a().key(), s.id(), pk.assertion(challenge, SoftPasskey.ORIGIN, pk.nextCounter())).then().statusCode(403)
                .body("reason", equalTo("challenge_unknown"));
    }

    @Test
    void anAssertionFromAnotherOriginIsRefused() {
        Setup s = critical();
        SoftPasskey pk = SoftPasskey.of(s.a().key());
        String challenge = Api.as(s.a().key()).post("/v1/approvals/" + s.id() + "/step-up").path("challenge");
        approve(s.a().key(), s.id(), pk.assertion(challenge, "https://evil.example", pk.nextCounter())).then().statusCode(403)
                .body("reason", equalTo("verification_failed"));
    }

    @Test
    void aCounterThatDoesNotGrowBetraysAClone() {
        Setup s = critical();
        SoftPasskey pk = SoftPasskey.of(s.a().key());
        Flow.approve(s.a().key(), s.id()).then().statusCode(200);
        String second = Flow.pending(s.agent().key(), "secrets:read:" + s.ns() + "/crit/*");
        String challenge = Api.as(s.a().key()).post("/v1/approvals/" + second + "/step-up").path("challenge");
        approve(s.a().key(), second, pk.assertion(challenge, SoftPasskey.ORIGIN, 1)).then().statusCode(403)
                .body("reason", equalTo("counter_regressed"));
    }

    @Test
    void aStepUpIsOnlyForThoseWhoMayApprove() {
        Setup s = critical();
        Api.as(s.agent().key()).post("/v1/approvals/" + s.id() + "/step-up").then().statusCode(403);
        Api.Created outsider = Api.principal("approver", Api.unique("elsewhere"));
        SoftPasskey.of(outsider.key());
        Api.as(outsider.key()).post("/v1/approvals/" + s.id() + "/step-up").then().statusCode(404);
    }

    @Test
    void aStepUpWithoutARegisteredPasskeySaysToRegisterOne() {
        Setup s = critical();
        Api.as(s.a().key()).post("/v1/approvals/" + s.id() + "/step-up").then().statusCode(409)
                .body("type", equalTo("https://agentsecretstore.dev/problems/no-passkey"));
    }

    @Test
    void aNonCriticalRequestNeedsNoStepUp() {
        Setup s = critical();
        String sens = Flow.pending(s.agent().key(), "secrets:read:" + s.ns() + "/sens/*");
        SoftPasskey.of(s.a().key());
        Api.as(s.a().key()).get("/v1/approvals/" + sens).then().body("step_up_required", equalTo(false));
        Api.as(s.a().key()).post("/v1/approvals/" + sens + "/step-up").then().statusCode(409);
        approve(s.a().key(), sens, null).then().statusCode(200);
    }

    @Test
    void aRegistrationChallengeIsGoodOnceAndPasskeysAreListedAndRemoved() {
        Api.Created a = Api.principal("approver", Api.unique("reg"));
        SoftPasskey pk = new SoftPasskey();
        String challenge = Api.as(a.key()).post("/v1/passkeys/registration-options").then().statusCode(200)
                .body("rp.id", equalTo("localhost")).body("authenticator_selection.user_verification", equalTo("required"))
                .extract().path("challenge");
        Map<String, Object> body = pk.registration(challenge, SoftPasskey.ORIGIN);
        String id = Api.as(a.key()).body(body).post("/v1/passkeys").then().statusCode(201)
                .body("id", startsWith("pky_")).body("label", equalTo("test passkey")).extract().path("id");
        Api.as(a.key()).body(body).post("/v1/passkeys").then().statusCode(422)
                .body("type", equalTo("https://agentsecretstore.dev/problems/passkey-invalid"))
                .body("reason", equalTo("challenge_unknown"));
        Api.as(a.key()).get("/v1/passkeys").then().statusCode(200).body("id", equalTo(List.of(id)));
        Api.as(a.key()).delete("/v1/passkeys/" + id).then().statusCode(204);
        Api.as(a.key()).get("/v1/passkeys").then().statusCode(200).body("size()", equalTo(0));
        assertEquals(1, Db.count("select count(*) from audit_entry where action = 'passkey.register' and target_id = ?", id));
        assertEquals(1, Db.count("select count(*) from audit_entry where action = 'passkey.delete' and target_id = ?", id));
    }

    @Test
    void aRegistrationFromAnotherOriginIsRefused() {
        Api.Created a = Api.principal("approver", Api.unique("reg"));
        String challenge = Api.as(a.key()).post("/v1/passkeys/registration-options").path("challenge");
        Api.as(a.key()).body(new SoftPasskey().registration(challenge, "https://evil.example")).post("/v1/passkeys").then()
                .statusCode(422).body("reason", equalTo("verification_failed"));
    }

    @Test
    void agentsRegisterNoPasskeys() {
        Api.Created agent = Api.principal("agent", Api.unique("reg"));
        Api.as(agent.key()).post("/v1/passkeys/registration-options").then().statusCode(403);
    }

    private Verdict check(Caller caller, String requestId, Map<String, Object> a) {
        Assertion assertion = new Assertion((String) a.get("credential_id"), (String) a.get("client_data_json"),
                (String) a.get("authenticator_data"), (String) a.get("signature"), null);
        try {
            return VertxContextSupport.subscribeAndAwait(
                    () -> Panache.withTransaction(() -> passkeys.check(caller, requestId, assertion))).verdict();
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }
}

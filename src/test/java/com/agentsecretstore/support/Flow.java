package com.agentsecretstore.support;

import java.util.List;
import java.util.Map;

import io.restassured.response.Response;

/** Steps of the approval workflow, as the reference's curl calls make them. */
public final class Flow {

    private Flow() {
    }

    /** A namespace with three sub-trees, one per tier; critical with the given delay. */
    public static String namespaceWithTiers(String base, int criticalDelaySeconds) {
        String ns = Api.unique(base);
        Api.admin().body(Map.of("default_tier", "standard", "path_overrides", List.of(
                Map.of("pattern", ns + "/std/*", "tier", "standard"),
                Map.of("pattern", ns + "/sens/*", "tier", "sensitive", "required_approvals", 1),
                Map.of("pattern", ns + "/crit/*", "tier", "critical", "required_approvals", 2,
                        "approval_delay_seconds", criticalDelaySeconds))))
                .put("/v1/namespaces/" + ns + "/policy").then().statusCode(200);
        for (String tier : List.of("std", "sens", "crit")) {
            Api.putSecret(ns + "/" + tier + "/key", Api.sensitiveValue(tier), null).then().statusCode(201);
        }
        return ns;
    }

    /**
     * Asks for a token as a task of its own (a fresh {@code run_id}), so that asking twice opens two
     * requests instead of finding the first one open (see DuplicateRequestTest).
     */
    public static Response requestToken(String key, String scope) {
        return requestToken(key, scope, 300);
    }

    public static Response requestToken(String key, String scope, int ttlSeconds) {
        return Api.as(key).body(Map.of("scope", scope, "ttl_seconds", ttlSeconds, "description", "test run",
                "run_id", Api.unique("run"))).post("/v1/tokens");
    }

    /** Requests a token that needs approval and returns the approval request id. */
    public static String pending(String key, String scope) {
        return pending(key, scope, 300);
    }

    /** {@link #pending(String, String)} for a token of this lifetime once issued. */
    public static String pending(String key, String scope, int ttlSeconds) {
        Response r = requestToken(key, scope, ttlSeconds);
        r.then().statusCode(202);
        return r.path("approval_request_id");
    }

    /**
     * Approves as {@code key}; a request that needs a step-up (critical ones) is approved with a
     * fresh assertion of the approver's software passkey, as the dashboard would send it, whenever
     * the service hands out a challenge for it.
     */
    public static Response approve(String key, String id) {
        Boolean stepUp = Api.as(key).get("/v1/approvals/" + id).path("step_up_required");
        Map<String, Object> assertion = Boolean.TRUE.equals(stepUp) ? SoftPasskey.tryStepUp(key, id) : null;
        if (assertion != null) {
            return Api.as(key).body(Map.of("comment", "ok", "step_up", assertion)).post("/v1/approvals/" + id + "/approve");
        }
        // No step-up to be had (an agent, an outsider, a closed request, an approver who counted):
        // the approval goes without one and gets the service's own refusal.
        return Api.as(key).body(Map.of("comment", "ok")).post("/v1/approvals/" + id + "/approve");
    }

    public static Response deny(String key, String id, String reason) {
        return Api.as(key).body(reason == null ? Map.of() : Map.of("reason", reason)).post("/v1/approvals/" + id + "/deny");
    }

    public static Response cancel(String key, String id) {
        return Api.as(key).body(Map.of("reason", "changed my mind")).post("/v1/approvals/" + id + "/cancel");
    }

    public static String collect(String key, String id) {
        Response r = Api.as(key).get("/v1/approvals/" + id + "/token");
        r.then().statusCode(200);
        String value = r.path("value");
        Api.SENSITIVE.add(value);
        return value;
    }

    public static Response read(String key, String token, String path) {
        if (token != null) {
            Api.SENSITIVE.add(token);
        }
        var request = Api.as(key);
        if (token != null) {
            request.header("X-Secret-Token", token);
        }
        return request.get("/v1/secrets/" + path);
    }

    public static String status(String key, String id) {
        return Api.as(key).get("/v1/approvals/" + id).path("status");
    }
}

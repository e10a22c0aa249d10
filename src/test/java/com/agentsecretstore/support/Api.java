package com.agentsecretstore.support;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Test client helpers. Every key and secret value a test creates is remembered in {@link #SENSITIVE},
 * so that {@code LogLeakTest} can prove none of them reached a log line.
 */
public final class Api {

    public static final String ADMIN_KEY = "ass_TestBootstrapAdminKey0000000000000000000000";
    public static final Set<String> SENSITIVE = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger SEQ = new AtomicInteger();

    static {
        SENSITIVE.add(ADMIN_KEY);
    }

    private Api() {
    }

    public static RequestSpecification as(String key) {
        return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON);
    }

    public static RequestSpecification admin() {
        return as(ADMIN_KEY);
    }

    /** A unique name, so tests sharing one database never collide. */
    public static String unique(String base) {
        return base + "-" + System.nanoTime() + "-" + SEQ.incrementAndGet();
    }

    public record Created(String id, String name, String key) {
    }

    public static Created principal(String role, String... namespaces) {
        String name = unique(role);
        Response r = admin().body(Map.of("name", name, "role", role, "namespaces", namespaces))
                .post("/v1/principals");
        r.then().statusCode(201);
        String key = r.path("api_key");
        SENSITIVE.add(key);
        return new Created(r.path("id"), name, key);
    }

    /** Writes a secret value and remembers it as sensitive. Returns the response for further checks. */
    public static Response putSecret(String path, String value, String tier) {
        SENSITIVE.add(value);
        Map<String, Object> body = tier == null ? Map.of("value", value) : Map.of("value", value, "tier", tier);
        return admin().body(body).put("/v1/secrets/" + path);
    }

    public static String sensitiveValue(String hint) {
        String v = "s3cr3t-" + hint + "-" + java.util.UUID.randomUUID();
        SENSITIVE.add(v);
        return v;
    }
}

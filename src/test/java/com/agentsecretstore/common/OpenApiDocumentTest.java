package com.agentsecretstore.common;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** What {@code /q/openapi} tells a client generator, checked against the facts it must state. */
@QuarkusTest
class OpenApiDocumentTest {

    private static final String PROBLEM_REF = "#/components/schemas/Problem";

    private static JsonPath document() {
        return given().accept("application/json").queryParam("format", "json").get("/q/openapi")
                .then().statusCode(200).extract().jsonPath();
    }

    @Test
    void tokenRequestListsBothSuccessesAndItsErrorsAsProblems() {
        Map<String, Object> responses = document().getMap("paths.'/v1/tokens'.post.responses");
        assertTrue(responses.keySet().containsAll(List.of("201", "202", "400", "401", "403", "409", "415", "422", "429", "500")),
                responses.keySet().toString());
        JsonPath doc = document();
        assertEquals("#/components/schemas/TokenResponse",
                doc.getString("paths.'/v1/tokens'.post.responses.'202'.content.'application/json'.schema.'$ref'"));
        for (String status : List.of("400", "401", "403", "409", "415", "422", "429", "500")) {
            assertEquals(PROBLEM_REF, doc.getString("paths.'/v1/tokens'.post.responses.'" + status
                    + "'.content.'application/problem+json'.schema.'$ref'"), status);
        }
    }

    @Test
    void everyErrorResponseOfEveryOperationIsAProblem() {
        JsonPath doc = document();
        Map<String, Map<String, Map<String, Object>>> paths = doc.getMap("paths");
        int checked = 0;
        for (var path : paths.entrySet()) {
            for (var op : path.getValue().entrySet()) {
                @SuppressWarnings("unchecked")
                Map<String, Map<String, Object>> responses = (Map<String, Map<String, Object>>) op.getValue().get("responses");
                for (var response : responses.entrySet()) {
                    if (response.getKey().startsWith("4") || response.getKey().startsWith("5")) {
                        String at = op.getKey() + " " + path.getKey() + " " + response.getKey();
                        assertEquals(Map.of(Problem.MEDIA_TYPE, Map.of("schema", Map.of("$ref", PROBLEM_REF))),
                                response.getValue().get("content"), at);
                        checked++;
                    }
                }
                assertTrue(responses.keySet().containsAll(List.of("401", "403", "429", "500")), op.getKey() + " " + path.getKey());
            }
        }
        assertTrue(checked > 100, "checked " + checked);
    }

    @Test
    void theProblemSchemaNamesEveryKindAndTheExtensionMembers() {
        JsonPath doc = document();
        List<String> uris = Arrays.stream(ProblemType.values()).map(ProblemType::uri).toList();
        assertEquals(uris, doc.getList("components.schemas.Problem.properties.type.enum"));
        assertEquals(List.of("type", "title", "status"), doc.getList("components.schemas.Problem.required"));
        assertEquals("#/components/schemas/FieldError", doc.getString("components.schemas.Problem.properties.errors.items.'$ref'"));
        assertTrue(doc.getMap("components.schemas.Problem.properties").keySet()
                .containsAll(List.of("approval_status", "max_wait_seconds", "limit", "retry_after_seconds")));
    }

    @Test
    void secretsAreListedInTheQueryFormOnly() {
        JsonPath doc = document();
        Map<String, Object> paths = doc.getMap("paths");
        assertTrue(paths.keySet().containsAll(List.of("/v1/secret", "/v1/secret/versions", "/v1/secrets")), paths.keySet().toString());
        assertTrue(paths.keySet().stream().noneMatch(p -> p.startsWith("/v1/secrets/")), paths.keySet().toString());
        assertEquals(Map.of("get", true, "put", true, "delete", true), Map.of(
                "get", doc.getMap("paths.'/v1/secret'").containsKey("get"),
                "put", doc.getMap("paths.'/v1/secret'").containsKey("put"),
                "delete", doc.getMap("paths.'/v1/secret'").containsKey("delete")));
        List<Map<String, Object>> params = doc.getList("paths.'/v1/secret'.get.parameters");
        assertTrue(params.stream().anyMatch(p -> "path".equals(p.get("name")) && "query".equals(p.get("in"))
                && Boolean.TRUE.equals(p.get("required"))), params.toString());
        Map<String, Object> put = doc.getMap("paths.'/v1/secret'.put.responses");
        assertEquals(List.of("200", "201"), put.keySet().stream().filter(s -> s.startsWith("2")).sorted().toList());
    }

    @Test
    void schemasNamePropertiesAsTheJsonDoes() {
        given().queryParam("format", "json").get("/q/openapi").then()
                .body("components.schemas.TokenResponse.properties", hasKey("approval_request_id"))
                .body("components.schemas.TokenResponse.properties", not(hasKey("approvalRequestId")))
                .body("components.schemas.PageSecretView.properties", hasKey("next_cursor"));
    }

    @Test
    void everyOperationTakesAnApiKeyOrAConfiguredSchemeAndUnconfiguredSchemesAreNotListed() {
        // The shared test boot trusts Kubernetes issuers (support.KubernetesIssuerResource) and has OIDC off.
        given().queryParam("format", "json").get("/q/openapi").then()
                .body("components.securitySchemes.api_key.type", equalTo("http"))
                .body("components.securitySchemes.api_key.scheme", equalTo("bearer"))
                .body("components.securitySchemes.kubernetes.bearerFormat", equalTo("JWT"))
                .body("components.securitySchemes.oidc", nullValue())
                .body("paths.'/v1/tokens'.post.security", equalTo(List.of(Map.of("api_key", List.of()), Map.of("kubernetes", List.of()))))
                .body("paths.'/v1/principals'.post.operationId", equalTo("PrincipalResource_create"))
                .body("paths.keySet()", everyItem(org.hamcrest.Matchers.startsWith("/v1/")))
                .body("paths.'/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver'.post.responses.keySet()", hasItems("202", "404"));
    }
}

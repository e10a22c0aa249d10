package com.agentsecretstore.audit;

import static com.agentsecretstore.audit.AuditFixtures.awaitSealed;
import static com.agentsecretstore.audit.AuditFixtures.holdSealerLock;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.TestClock;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * {@code GET /v1/audit}: filters, newest-first cursor paging, the entry format, and who may read
 * what. Each namespace here is unique to this class, so entries of other tests never interfere.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditListTest {

    @Inject
    TestClock clock;

    String ns;
    String otherNs;
    Api.Created writer;
    Api.Created approver;
    Api.Created agent;

    /** Once per class, when the first test runs: REST Assured points at the app by then. */
    @BeforeEach
    void entries() {
        if (ns != null) {
            return;
        }
        ns = Api.unique("auditns");
        otherNs = Api.unique("auditother");
        writer = Api.principal("admin");
        approver = Api.principal("approver", ns);
        agent = Api.principal("agent", ns);
        String value = Api.sensitiveValue("audit");
        Api.as(writer.key()).body(Map.of("value", value)).put("/v1/secrets/" + ns + "/a").then().statusCode(201);
        Api.putSecret(ns + "/b", Api.sensitiveValue("audit"), null).then().statusCode(201);
        Api.admin().delete("/v1/secrets/" + ns + "/b").then().statusCode(204);
        Api.putSecret(otherNs + "/c", Api.sensitiveValue("audit"), null).then().statusCode(201);
    }

    @Test
    void entriesComeNewestFirst() {
        List<String> ids = ids(Api.admin().queryParam("namespace", ns).get("/v1/audit").jsonPath());
        assertEquals(3, ids.size());
        List<String> sorted = new ArrayList<>(ids);
        sorted.sort(Comparator.reverseOrder());
        assertEquals(sorted, ids);
        Api.admin().queryParam("namespace", ns).get("/v1/audit").then()
                .body("items.action", contains("secret.delete", "secret.write", "secret.write"));
    }

    @Test
    void filterByActor() {
        Api.admin().queryParam("actor", writer.id()).get("/v1/audit").then().statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].actor.id", equalTo(writer.id()))
                .body("items[0].actor.name", equalTo(writer.name()))
                .body("items[0].actor.role", equalTo("admin"))
                .body("items[0].path", equalTo(ns + "/a"));
    }

    @Test
    void filterByNamespace() {
        Api.admin().queryParam("namespace", otherNs).get("/v1/audit").then().statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].namespace", equalTo(otherNs));
    }

    @Test
    void filterByExactPath() {
        Api.admin().queryParam("path", ns + "/b").get("/v1/audit").then().statusCode(200)
                .body("items.action", contains("secret.delete", "secret.write"))
                .body("items.path", everyItem(equalTo(ns + "/b")));
    }

    @Test
    void filterByExactAction() {
        Api.admin().queryParam("namespace", ns).queryParam("action", "secret.delete").get("/v1/audit").then()
                .statusCode(200).body("items", hasSize(1)).body("items[0].path", equalTo(ns + "/b"));
    }

    @Test
    void filterByActionPrefix() {
        Api.admin().queryParam("namespace", ns).queryParam("action", "secret.*").get("/v1/audit").then()
                .statusCode(200).body("items", hasSize(3));
        Api.admin().queryParam("action", "principal.*").queryParam("limit", "500").get("/v1/audit").then()
                .statusCode(200)
                .body("items.action", everyItem(startsWith("principal.")))
                .body("items.target_id", hasItems(writer.id(), approver.id()));
    }

    @Test
    void anActionPrefixPagesThroughEveryMatchingActionNewestFirst() {
        String mine = Api.unique("auditprefix");
        Api.putSecret(mine + "/x", Api.sensitiveValue("audit"), null).then().statusCode(201);
        Api.putSecret(mine + "/y", Api.sensitiveValue("audit"), null).then().statusCode(201);
        Api.admin().delete("/v1/secrets/" + mine + "/x").then().statusCode(204);
        Api.putSecret(mine + "/z", Api.sensitiveValue("audit"), null).then().statusCode(201);
        JsonPath everything = Api.admin().queryParam("namespace", mine).get("/v1/audit").jsonPath();
        List<String> expected = new ArrayList<>();
        List<String> actions = everything.getList("items.action");
        for (int i = 0; i < actions.size(); i++) {
            if (actions.get(i).startsWith("secret.")) {
                expected.add(everything.getString("items[" + i + "].id"));
            }
        }
        assertTrue(actions.containsAll(List.of("secret.write", "secret.delete")), actions.toString());
        List<String> paged = new ArrayList<>();
        String cursor = null;
        do {
            var request = Api.admin().queryParam("namespace", mine).queryParam("action", "secret.*").queryParam("limit", "1");
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/v1/audit").then().statusCode(200).extract().jsonPath();
            paged.addAll(ids(page));
            cursor = page.getString("next_cursor");
        } while (cursor != null && paged.size() <= expected.size());
        assertEquals(expected, paged);
    }

    @Test
    void aTimeWindowFindsEntriesRecordedWhileTheClockWasMoved() {
        String mine = Api.unique("auditclock");
        clock.advance(Duration.ofHours(3));
        try {
            Api.putSecret(mine + "/later", Api.sensitiveValue("audit"), null).then().statusCode(201);
        } finally {
            clock.reset();
        }
        JsonPath newest = Api.admin().queryParam("namespace", mine).queryParam("limit", "1").get("/v1/audit").jsonPath();
        String id = newest.getString("items[0].id");
        Instant at = Instant.parse(newest.getString("items[0].recorded_at"));
        assertTrue(at.isAfter(Instant.now().plus(Duration.ofHours(2))), "recorded by the moved clock: " + at);
        Api.admin().queryParam("from", at.toString()).queryParam("to", at.plus(1, ChronoUnit.MICROS).toString())
                .queryParam("limit", "500").get("/v1/audit").then().statusCode(200).body("items.id", hasItem(id));
        Api.admin().queryParam("namespace", mine).queryParam("to", at.toString()).get("/v1/audit").then()
                .statusCode(200).body("items.id", not(hasItem(id)));
    }

    @Test
    void anActionPrefixIsLiteral() {
        Api.admin().queryParam("namespace", ns).queryParam("action", "secret_write.*").get("/v1/audit").then()
                .statusCode(200).body("items", hasSize(0));
    }

    @Test
    void filterByOutcome() {
        Api.as("ass_" + "y".repeat(43)).get("/v1/principals/me").then().statusCode(401);
        Api.admin().queryParam("outcome", "denied").queryParam("action", "auth.failure").get("/v1/audit").then()
                .statusCode(200)
                .body("items", not(hasSize(0)))
                .body("items.outcome", everyItem(equalTo("denied")))
                .body("items.details.reason", hasItem("unknown_key"));
        Api.admin().queryParam("namespace", ns).queryParam("outcome", "denied").get("/v1/audit").then()
                .statusCode(200).body("items", hasSize(0));
    }

    @Test
    void filterByTimeRangeFromInclusiveToExclusive() {
        JsonPath newest = Api.admin().queryParam("namespace", ns).queryParam("limit", "1").get("/v1/audit").jsonPath();
        String id = newest.getString("items[0].id");
        Instant at = Instant.parse(newest.getString("items[0].recorded_at"));
        Api.admin().queryParam("namespace", ns).queryParam("from", at.toString())
                .queryParam("to", at.plus(1, ChronoUnit.MICROS).toString()).get("/v1/audit").then().statusCode(200)
                .body("items.id", contains(id));
        Api.admin().queryParam("namespace", ns).queryParam("to", at.toString()).get("/v1/audit").then()
                .statusCode(200).body("items.id", not(hasItem(id)));
        Api.admin().queryParam("namespace", ns).queryParam("from", at.plus(1, ChronoUnit.MICROS).toString())
                .get("/v1/audit").then().statusCode(200).body("items.id", not(hasItem(id)));
    }

    @Test
    void filtersCombine() {
        Api.admin().queryParam("namespace", ns).queryParam("actor", writer.id()).queryParam("action", "secret.delete")
                .get("/v1/audit").then().statusCode(200).body("items", hasSize(0));
    }

    @Test
    void cursorPagingVisitsEveryEntryOnce() {
        List<String> all = ids(Api.admin().queryParam("namespace", ns).get("/v1/audit").jsonPath());
        List<String> paged = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var request = Api.admin().queryParam("namespace", ns).queryParam("limit", "1");
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/v1/audit").then().statusCode(200).body("items", hasSize(1)).extract().jsonPath();
            paged.addAll(ids(page));
            cursor = page.getString("next_cursor");
            pages++;
        } while (cursor != null && pages < 10);
        assertEquals(3, pages);
        assertEquals(all, paged);
    }

    @Test
    void theLastPageHasANullCursor() {
        Api.admin().queryParam("namespace", ns).get("/v1/audit").then().statusCode(200)
                .body("$", hasKey("next_cursor")).body("next_cursor", nullValue());
    }

    @Test
    void detailsAreAJsonObject() {
        Api.admin().queryParam("path", ns + "/a").get("/v1/audit").then().statusCode(200)
                .body("items[0].details.version", equalTo(1))
                .body("items[0].details.tier", equalTo("standard"));
    }

    @Test
    void sealedEntriesShowTheirPlaceInTheChain() {
        String id = Api.admin().queryParam("path", ns + "/a").get("/v1/audit").jsonPath().getString("items[0].id");
        long seq = awaitSealed(id);
        Api.admin().queryParam("path", ns + "/a").get("/v1/audit").then().statusCode(200)
                .body("items[0].sealed", equalTo(true))
                .body("items[0].chain_seq", equalTo((int) seq))
                .body("items[0].entry_hash", matchesPattern("[0-9a-f]{64}"))
                .body("items[0].prev_hash", matchesPattern("[0-9a-f]{64}"));
    }

    @Test
    void unsealedEntriesSaySo() throws Exception {
        try (var lock = holdSealerLock()) {
            String path = Api.unique("auditunsealed") + "/x";
            Api.putSecret(path, Api.sensitiveValue("audit"), null).then().statusCode(201);
            Api.admin().queryParam("path", path).get("/v1/audit").then().statusCode(200)
                    .body("items[0].sealed", equalTo(false))
                    .body("items[0]", not(hasKey("chain_seq")))
                    .body("items[0]", not(hasKey("entry_hash")));
        }
    }

    @Test
    void noSecretValueAppearsInTheTrail() {
        String body = Api.admin().queryParam("namespace", ns).queryParam("limit", "500").get("/v1/audit").asString();
        for (String sensitive : Api.SENSITIVE) {
            assertTrue(!body.contains(sensitive), "a key or value appears in the audit listing");
        }
    }

    @Test
    void approversSeeOnlyTheirNamespaces() {
        Api.as(approver.key()).queryParam("limit", "500").get("/v1/audit").then().statusCode(200)
                .body("items.namespace", everyItem(equalTo(ns)))
                .body("items", hasSize(3));
    }

    @Test
    void approversMayFilterWithinTheirNamespaces() {
        Api.as(approver.key()).queryParam("namespace", ns).queryParam("action", "secret.delete").get("/v1/audit")
                .then().statusCode(200).body("items", hasSize(1));
    }

    @Test
    void approversAskingForAnotherNamespaceAreForbidden() {
        Api.as(approver.key()).queryParam("namespace", otherNs).get("/v1/audit").then().statusCode(403);
    }

    @Test
    void approversWithoutNamespacesSeeNothing() {
        Api.as(Api.principal("approver").key()).get("/v1/audit").then().statusCode(200).body("items", hasSize(0));
    }

    @Test
    void agentsAreForbidden() {
        Api.as(agent.key()).get("/v1/audit").then().statusCode(403);
    }

    @Test
    void anonymousCallersAreUnauthorized() {
        given().get("/v1/audit").then().statusCode(401);
        given().get("/v1/audit/verify").then().statusCode(401);
    }

    static Stream<Arguments> badFilters() {
        return Stream.of(
                Arguments.of("limit", Map.of("limit", "0")),
                Arguments.of("limit", Map.of("limit", "many")),
                Arguments.of("cursor", Map.of("cursor", "!!")),
                Arguments.of("from", Map.of("from", "yesterday")),
                Arguments.of("from", Map.of("from", "2025-01-15T10:30:00")),
                Arguments.of("to", Map.of("to", "2025-13-01T00:00:00Z")),
                Arguments.of("to", Map.of("from", "2025-02-01T00:00:00Z", "to", "2025-01-01T00:00:00Z")),
                Arguments.of("outcome", Map.of("outcome", "maybe")),
                Arguments.of("action", Map.of("action", "Secret.Read")),
                Arguments.of("action", Map.of("action", "*")),
                Arguments.of("action", Map.of("action", "secret.**")),
                Arguments.of("action", Map.of("action", "secret%")),
                Arguments.of("namespace", Map.of("namespace", "a/b")),
                Arguments.of("actor", Map.of("actor", "a b")));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badFilters")
    void aBadFilterIs422NamingIt(String field, Map<String, String> params) {
        Api.admin().queryParams(params).get("/v1/audit").then().statusCode(422)
                .contentType(startsWith("application/problem+json"))
                .body("errors.field", contains(field));
    }

    @Test
    void everyBadFilterIsNamedAtOnce() {
        Api.admin().queryParam("limit", "0").queryParam("outcome", "maybe").get("/v1/audit").then().statusCode(422)
                .body("errors.field", containsInAnyOrder("limit", "outcome"))
                .body("errors.message", everyItem(notNullValue()));
    }

    private static List<String> ids(JsonPath page) {
        return page.getList("items.id", String.class);
    }
}

package com.agentsecretstore.token;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.common.ProblemType;
import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.Flow;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** A token with max_uses reads exactly that many times, however many reads race. */
@QuarkusTest
class TokenUsesTest {

    @TestHTTPResource("/")
    URL base;

    record Limited(String ns, Api.Created agent, String token, String tokenId) {
    }

    private static Limited limitedToken(String name, int maxUses) {
        String ns = Flow.namespaceWithTiers(name, 0);
        Api.Created agent = Api.principal("agent", ns);
        Response r = Api.as(agent.key()).body(Map.of("scope", "secrets:read:" + ns + "/std/*", "ttl_seconds", 300,
                "max_uses", maxUses)).post("/v1/tokens");
        r.then().statusCode(201).body("max_uses", equalTo(maxUses));
        String token = r.path("value");
        Api.SENSITIVE.add(token);
        return new Limited(ns, agent, token, r.path("token_id"));
    }

    @Test
    void twentyParallelReadsOfAThreeUseTokenSucceedExactlyThreeTimes() throws Exception {
        Limited t = limitedToken("uses-race", 3);
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(60)).build();
        HttpRequest read = HttpRequest.newBuilder(URI.create(base.toString() + "v1/secrets/" + t.ns() + "/std/key"))
                .header("Authorization", "Bearer " + t.agent().key()).header("X-Secret-Token", t.token())
                .timeout(Duration.ofSeconds(120)).GET().build();
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(client.sendAsync(read, HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> c : calls) {
            answers.add(c.get());
        }
        assertEquals(3, answers.stream().filter(a -> a.statusCode() == 200).count(), "exactly three reads");
        List<HttpResponse<String>> refused = answers.stream().filter(a -> a.statusCode() != 200).toList();
        assertEquals(17, refused.size());
        for (HttpResponse<String> a : refused) {
            assertEquals(403, a.statusCode());
            assertEquals(true, a.body().contains(ProblemType.TOKEN_EXHAUSTED.uri()), a.body());
        }
        assertEquals(3, Db.count("select uses from token where id = ?", t.tokenId()));
        assertEquals(3, Db.count("select count(*) from audit_entry where action = 'secret.read' and outcome = 'success' "
                + "and target_id = ?", t.tokenId()));
        assertEquals(17, Db.count("select count(*) from audit_entry where action = 'secret.read' and outcome = 'denied' "
                + "and target_id = ? and details like '%\"token_exhausted\"%'", t.tokenId()));
    }

    @Test
    void theHolderSeesTheRemainingUses() {
        Limited t = limitedToken("uses-left", 2);
        Api.as(t.agent().key()).get("/v1/tokens/" + t.tokenId()).then().statusCode(200).body("max_uses", equalTo(2))
                .body("uses", equalTo(0)).body("remaining_uses", equalTo(2)).body("value", nullValue());
        Flow.read(t.agent().key(), t.token(), t.ns() + "/std/key").then().statusCode(200);
        Api.as(t.agent().key()).get("/v1/tokens/" + t.tokenId()).then().body("remaining_uses", equalTo(1));
        Flow.read(t.agent().key(), t.token(), t.ns() + "/std/key").then().statusCode(200);
        Flow.read(t.agent().key(), t.token(), t.ns() + "/std/key").then().statusCode(403)
                .body("type", equalTo(ProblemType.TOKEN_EXHAUSTED.uri()));
        Api.admin().get("/v1/tokens/" + t.tokenId()).then().statusCode(200).body("remaining_uses", equalTo(0))
                .body("uses", equalTo(2));
    }

    @Test
    void aRefusedReadSpendsNoUse() {
        Limited t = limitedToken("uses-refused", 1);
        Flow.read(t.agent().key(), t.token(), t.ns() + "/sens/key").then().statusCode(403);
        Flow.read(t.agent().key(), t.token(), t.ns() + "/std/missing").then().statusCode(404);
        Api.as(t.agent().key()).get("/v1/tokens/" + t.tokenId()).then().body("remaining_uses", equalTo(1));
    }

    @Test
    void anotherPrincipalCannotSeeTheToken() {
        Limited t = limitedToken("uses-other", 1);
        Api.Created other = Api.principal("agent", t.ns());
        Api.Created approver = Api.principal("approver", t.ns());
        Api.as(other.key()).get("/v1/tokens/" + t.tokenId()).then().statusCode(404);
        Api.as(approver.key()).get("/v1/tokens/" + t.tokenId()).then().statusCode(404);
    }

    @Test
    void aTokenWithoutALimitShowsNoRemainingUses() {
        String ns = Flow.namespaceWithTiers("uses-none", 0);
        Api.Created agent = Api.principal("agent", ns);
        Response r = Flow.requestToken(agent.key(), "secrets:read:" + ns + "/std/*");
        Api.SENSITIVE.add(r.path("value"));
        Api.as(agent.key()).get("/v1/tokens/" + r.path("token_id")).then().statusCode(200)
                .body("max_uses", nullValue()).body("remaining_uses", nullValue());
    }
}

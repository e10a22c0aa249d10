package com.agentsecretstore.common;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;

import io.quarkus.test.junit.QuarkusTest;

/** Every error, whatever layer raises it, is RFC 9457 problem+json with nothing internal in it. */
@QuarkusTest
class ErrorFormatTest {

    @Test
    void missingKeyIsProblem401WithBearerChallenge() {
        given().get("/v1/principals").then().statusCode(401)
                .contentType(startsWith(Problem.MEDIA_TYPE))
                .header("WWW-Authenticate", "Bearer")
                .body("status", equalTo(401)).body("title", equalTo("Unauthorized"))
                .body("type", equalTo(ProblemType.UNAUTHORIZED.uri()));
    }

    @Test
    void wrongKeyIsTheSameProblem401() {
        Api.as("ass_" + "x".repeat(43)).get("/v1/principals").then().statusCode(401)
                .contentType(startsWith(Problem.MEDIA_TYPE))
                .body("detail", equalTo("A valid API key is required."));
    }

    @Test
    void wrongRoleIsProblem403() {
        Api.Created agent = Api.principal("agent");
        Api.as(agent.key()).get("/v1/principals").then().statusCode(403)
                .contentType(startsWith(Problem.MEDIA_TYPE)).body("status", equalTo(403))
                .body("type", equalTo(ProblemType.FORBIDDEN.uri()));
    }

    @Test
    void unknownResourceIsProblem404() {
        Api.admin().get("/v1/no-such-thing").then().statusCode(404)
                .contentType(startsWith(Problem.MEDIA_TYPE)).body("status", equalTo(404))
                .body("type", equalTo(ProblemType.NOT_FOUND.uri()));
    }

    @Test
    void unknownPrincipalIsProblem404() {
        Api.admin().get("/v1/principals/prn_00000000000000000000000000").then().statusCode(404)
                .contentType(startsWith(Problem.MEDIA_TYPE)).body("detail", equalTo("No such principal."))
                .body("type", equalTo(ProblemType.NOT_FOUND.uri()));
    }

    @Test
    void wrongMethodIsProblem405() {
        Api.admin().delete("/v1/principals").then().statusCode(405)
                .contentType(startsWith(Problem.MEDIA_TYPE)).body("status", equalTo(405))
                .body("type", equalTo(ProblemType.METHOD_NOT_ALLOWED.uri()));
    }

    @Test
    void nonJsonBodyIsProblem415() {
        Api.admin().contentType("text/plain").body("value=x").put("/v1/secrets/errors/a").then().statusCode(415)
                .contentType(startsWith(Problem.MEDIA_TYPE)).body("status", equalTo(415))
                .body("type", equalTo(ProblemType.UNSUPPORTED_MEDIA_TYPE.uri()));
    }

    @Test
    void malformedJsonIsProblem400WithoutParserDetails() {
        Api.admin().body("{\"value\": \"abc").put("/v1/secrets/errors/b").then().statusCode(400)
                .contentType(startsWith(Problem.MEDIA_TYPE))
                .body("detail", equalTo("The request body is not valid JSON."))
                .body("type", equalTo(ProblemType.BAD_REQUEST.uri()))
                .body(not(containsString("Exception")))
                .body(not(containsString("abc")));
    }

    @Test
    void dotSegmentsAreRefusedNotNormalized() {
        given().urlEncodingEnabled(false).header("Authorization", "Bearer " + Api.ADMIN_KEY)
                .contentType("application/json").body("{\"value\":\"x\"}")
                .put("/v1/secrets/errors/x/../y").then().statusCode(400)
                .contentType(startsWith(Problem.MEDIA_TYPE)).body("type", equalTo(ProblemType.BAD_REQUEST.uri()));
    }

    @Test
    void invalidFieldsAreValidationFailed() {
        Api.admin().body("{\"scope\": \"nonsense\"}").post("/v1/tokens").then().statusCode(422)
                .contentType(startsWith(Problem.MEDIA_TYPE))
                .body("type", equalTo(ProblemType.VALIDATION_FAILED.uri()))
                .body("errors[0].field", equalTo("scope"));
    }

    @Test
    void aLongPollBeyondTheMaximumSaysTheMaximumAsAMember() {
        Api.admin().get("/v1/approvals/apr_00000000000000000000000000/wait?timeout_seconds=100000").then().statusCode(422)
                .body("type", equalTo(ProblemType.VALIDATION_FAILED.uri()))
                .body("errors[0].field", equalTo("timeout_seconds"))
                .body("max_wait_seconds", equalTo(900));
    }
}

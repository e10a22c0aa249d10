package com.agentsecretstore.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Problem kinds: one stable URI each; extension members at the top level of the body. */
class ProblemTypeTest {

    @Test
    void everyKindHasItsOwnUriUnderTheBase() {
        Set<String> seen = new HashSet<>();
        for (ProblemType t : ProblemType.values()) {
            assertTrue(seen.add(t.uri()), t + " repeats a URI");
            assertTrue(t.uri().startsWith(ProblemType.BASE));
        }
    }

    @Test
    void aStatusWithoutAKindOfItsOwnGetsTheGenericOne() {
        assertEquals(ProblemType.NOT_FOUND, ProblemType.forStatus(404));
        assertEquals(ProblemType.INTERNAL_ERROR, ProblemType.forStatus(502));
        assertEquals(ProblemType.HTTP_ERROR, ProblemType.forStatus(418));
    }

    @Test
    void extensionMembersAreTopLevelAndNeverReplaceStandardOnes() throws Exception {
        ObjectMapper json = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);
        Problem p = Problem.of(ProblemType.VALIDATION_FAILED, 422, "Validation Failed", "The request has invalid fields.",
                "/v1/x", List.of(new FieldError("timeout_seconds", "too long")), Map.of("max_wait_seconds", 900, "status", 1));
        JsonNode body = json.readTree(p.toJson(json));
        assertEquals(ProblemType.VALIDATION_FAILED.uri(), body.get("type").asText());
        assertEquals(900, body.get("max_wait_seconds").asInt());
        assertEquals(422, body.get("status").asInt());
        assertTrue(body.get("extensions") == null, "no nested extensions object");
        assertEquals("timeout_seconds", body.get("errors").get(0).get("field").asText());
    }
}

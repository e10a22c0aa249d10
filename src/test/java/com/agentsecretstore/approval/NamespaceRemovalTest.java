package com.agentsecretstore.approval;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.Flow;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Issue 11.9: removing a namespace from a principal ends what it had under way there. */
@QuarkusTest
class NamespaceRemovalTest {

    private static void removeNamespaces(Api.Created principal) {
        Api.admin().body(Map.of("namespaces", List.of())).patch("/v1/principals/" + principal.id()).then().statusCode(200);
    }

    @Test
    void aTokenIssuedBeforeTheRemovalNoLongerReads() {
        String ns = Flow.namespaceWithTiers("rm-read", 0);
        Api.Created agent = Api.principal("agent", ns);
        Response r = Flow.requestToken(agent.key(), "secrets:read:" + ns + "/std/*");
        r.then().statusCode(201);
        String token = r.path("value");
        Flow.read(agent.key(), token, ns + "/std/key").then().statusCode(200);
        removeNamespaces(agent);
        Flow.read(agent.key(), token, ns + "/std/key").then().statusCode(403);
        assertEquals(1, Db.count("select count(*) from audit_entry where action = 'secret.read' and outcome = 'denied' "
                + "and path = ? and details like '%not_a_member%'", ns + "/std/key"));
    }

    @Test
    void aPendingRequestIsCancelledAuditedAndAnnouncedAndCanNoLongerBeApproved() {
        String ns = Flow.namespaceWithTiers("rm-pending", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created other = Api.principal("agent", ns);
        Api.Created approver = Api.principal("approver", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        String untouched = Flow.pending(other.key(), "secrets:read:" + ns + "/sens/*");
        removeNamespaces(agent);
        assertEquals("cancelled", Flow.status(Api.ADMIN_KEY, id));
        assertEquals("pending", Flow.status(Api.ADMIN_KEY, untouched));
        assertEquals(1, Db.count("select count(*) from audit_entry where action = 'approval.cancel' and outcome = 'success' "
                + "and target_id = ? and details like '%namespace_removed%'", id));
        assertEquals(1, Db.count("select count(*) from event where type = 'approval.cancelled' and approval_request_id = ?", id));
        Flow.approve(approver.key(), id).then().statusCode(409);
    }

    @Test
    void anApprovedTokenCanNoLongerBeCollected() {
        String ns = Flow.namespaceWithTiers("rm-collect", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created approver = Api.principal("approver", ns);
        String id = Flow.pending(agent.key(), "secrets:read:" + ns + "/sens/*");
        Flow.approve(approver.key(), id).then().statusCode(200).body("status", equalTo("approved"));
        removeNamespaces(agent);
        Api.as(agent.key()).get("/v1/approvals/" + id + "/token").then().statusCode(403);
    }
}

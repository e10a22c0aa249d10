package com.agentsecretstore.mcp;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.common.ProblemType;
import com.agentsecretstore.mcp.McpSession.ToolResult;
import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.Flow;
import com.agentsecretstore.support.KubernetesIssuer;
import com.agentsecretstore.support.KubernetesIssuerResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The MCP interface over HTTP (issue 16.5): agents authenticate as on the REST API, list three
 * tools and none that decides, and every call goes through the same commands, queries and audit as
 * the REST API, the audit naming the agent and {@code via: mcp}.
 */
@QuarkusTest
@QuarkusTestResource(KubernetesIssuerResource.class)
class McpToolsTest {

    private static final Map<String, Object> INITIALIZE = Map.of("jsonrpc", "2.0", "id", 1, "method", "initialize",
            "params", Map.of("protocolVersion", McpSession.PROTOCOL_VERSION, "capabilities", Map.of(),
                    "clientInfo", Map.of("name", "anonymous", "version", "1")));

    private static Map<String, Object> args(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void aCallWithoutCredentialsIsRefusedWith401() {
        McpSession.request(null).body(INITIALIZE).post("/mcp").then().statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer"));
    }

    @Test
    void theLegacySseTransportIsBehindTheSameDoor() {
        McpSession.request(null).get("/mcp/sse").then().statusCode(401);
    }

    @Test
    void aCallWithAnUnknownKeyIsRefusedWith401() {
        McpSession.request("ass_NoSuchKey00000000000000000000000000000000000").body(INITIALIZE).post("/mcp")
                .then().statusCode(401);
    }

    @Test
    void humansDoNotUseTheAgentInterface() {
        Api.Created approver = Api.principal("approver", "mcp-humans");
        McpSession.request(approver.key()).body(INITIALIZE).post("/mcp").then().statusCode(403);
        McpSession.request(Api.ADMIN_KEY).body(INITIALIZE).post("/mcp").then().statusCode(403);
    }

    @Test
    void theToolsAreRequestStatusAndReadAndNoneDecides() {
        Api.Created agent = Api.principal("agent", "mcp-list");
        McpSession mcp = McpSession.open(agent.key());
        List<Map<String, Object>> tools = mcp.tools();
        Set<String> names = tools.stream().map(t -> (String) t.get("name")).collect(Collectors.toSet());
        assertEquals(Set.of("request_access", "access_status", "read_secret"), names);
        Map<String, Object> request = tools.stream().filter(t -> "request_access".equals(t.get("name"))).findFirst().orElseThrow();
        @SuppressWarnings("unchecked")
        Map<String, Object> schema = (Map<String, Object>) request.get("inputSchema");
        assertEquals(Set.of("scope", "ttl_seconds", "description", "run_id", "max_uses"), ((Map<?, ?>) schema.get("properties")).keySet());
        assertEquals(List.of("scope"), schema.get("required"));
    }

    @Test
    void aStandardScopeIsIssuedAtOnceAndReadThroughTheTools() {
        String ns = Flow.namespaceWithTiers("mcp-std", 0);
        Api.Created agent = Api.principal("agent", ns);
        McpSession mcp = McpSession.open(agent.key());

        ToolResult requested = mcp.tool("request_access", args("scope", "secrets:read:" + ns + "/std/*", "ttl_seconds", 300,
                "description", "nightly report", "run_id", "run-42"));
        assertFalse(requested.isError(), requested.text());
        assertEquals("approved", requested.json().getString("status"));
        String token = requested.sensitive("value");
        assertTrue(token.startsWith("ast_"));

        ToolResult read = mcp.tool("read_secret", args("path", ns + "/std/key", "token", token));
        assertFalse(read.isError(), read.text());
        assertTrue(read.json().getString("value").startsWith("s3cr3t-std"));
        assertEquals(1, read.json().getInt("version"));

        // The same audit as the REST API, naming the agent, and the door it came through.
        assertEquals(1, Db.count("select count(*) from audit_entry where action = 'token.issue' and outcome = 'success' "
                + "and actor_id = ? and namespace = ? and details like ?", agent.id(), ns, "%\"via\":\"mcp\"%"));
        // run_id reaches the request command like POST /v1/tokens' field does.
        assertEquals(1, Db.count("select count(*) from audit_entry where action = 'token.issue' and actor_id = ? "
                + "and details like ?", agent.id(), "%\"run_id\":\"run-42\"%"));
        assertEquals(1, Db.count("select count(*) from audit_entry where action = 'secret.read' and outcome = 'success' "
                + "and actor_id = ? and path = ? and details like ?", agent.id(), ns + "/std/key", "%\"via\":\"mcp\"%"));
    }

    @Test
    void aSensitiveScopeWaitsForAHumanThenAccessStatusHandsOutTheToken() {
        String ns = Flow.namespaceWithTiers("mcp-sens", 0);
        Api.Created agent = Api.principal("agent", ns);
        Api.Created approver = Api.principal("approver", ns);
        McpSession mcp = McpSession.open(agent.key());

        ToolResult requested = mcp.tool("request_access", args("scope", "secrets:read:" + ns + "/sens/*",
                "description", "rotate the webhook key"));
        assertFalse(requested.isError(), requested.text());
        assertEquals("pending", requested.json().getString("status"));
        assertNull(requested.json().getString("value"));
        String id = requested.json().getString("approval_request_id");
        assertEquals(1, Db.count("select count(*) from audit_entry where action = 'approval.request' and actor_id = ? "
                + "and target_id = ? and details like ?", agent.id(), id, "%\"via\":\"mcp\"%"));

        ToolResult pending = mcp.tool("access_status", args("approval_request_id", id));
        assertFalse(pending.isError(), pending.text());
        assertEquals("pending", pending.json().getString("status"));
        assertEquals(1, pending.json().getInt("required_approvals"));
        assertNull(pending.json().get("token"));

        // The approver allows two reads; the agent learns it with the token.
        Api.as(approver.key()).body(Map.of("max_uses", 2)).post("/v1/approvals/" + id + "/approve").then().statusCode(200)
                .body("status", equalTo("approved"));

        ToolResult approved = mcp.tool("access_status", args("approval_request_id", id, "wait_seconds", 5));
        assertFalse(approved.isError(), approved.text());
        assertEquals("approved", approved.json().getString("status"));
        String token = approved.sensitive("token.value");
        assertTrue(token.startsWith("ast_"));
        assertEquals(2, approved.json().getInt("token.max_uses"));

        ToolResult read = mcp.tool("read_secret", args("path", ns + "/sens/key", "token", token));
        assertFalse(read.isError(), read.text());
        assertEquals("sensitive", read.json().getString("tier"));
        assertTrue(read.json().getString("value").startsWith("s3cr3t-sens"));
    }

    @Test
    void aRefusedReadIsAToolErrorWithTheProblemAndAudited() {
        String ns = Flow.namespaceWithTiers("mcp-refused", 0);
        Api.Created agent = Api.principal("agent", ns);
        McpSession mcp = McpSession.open(agent.key());
        String forged = "ast_" + "x".repeat(43);

        ToolResult read = mcp.tool("read_secret", args("path", ns + "/std/key", "token", forged));
        assertTrue(read.isError());
        assertFalse(read.text().contains(forged), "the presented token is never echoed");
        assertEquals(ProblemType.FORBIDDEN.uri(), read.json().getString("type"));
        assertEquals(403, read.json().getInt("status"));
        assertEquals("The token is not valid.", read.json().getString("detail"));
        assertEquals(1, Db.count("select count(*) from audit_entry where action = 'secret.read' and outcome = 'denied' "
                + "and actor_id = ? and details like ? and details like ?", agent.id(), "%\"unknown_token\"%", "%\"via\":\"mcp\"%"));
    }

    @Test
    void aRequestOutsideTheAgentsNamespacesIsAToolError() {
        Api.Created agent = Api.principal("agent", "mcp-own");
        ToolResult r = McpSession.open(agent.key()).tool("request_access", args("scope", "secrets:read:mcp-other/*"));
        assertTrue(r.isError());
        assertEquals(403, r.json().getInt("status"));
        assertTrue(r.json().getString("detail").contains("mcp-other"));
    }

    @Test
    void invalidArgumentsAreAToolErrorNamingTheFields() {
        Api.Created agent = Api.principal("agent", "mcp-invalid");
        McpSession mcp = McpSession.open(agent.key());
        ToolResult r = mcp.tool("request_access", args("scope", "not a scope", "ttl_seconds", 0));
        assertTrue(r.isError());
        assertEquals(ProblemType.VALIDATION_FAILED.uri(), r.json().getString("type"));
        assertEquals(Set.of("scope", "ttl_seconds"), Set.copyOf(r.json().getList("errors.field")));
    }

    @Test
    void aNulCharacterIsRefusedWhileTheMessageIsParsed() {
        Api.Created agent = Api.principal("agent", "mcp-nul");
        McpSession mcp = McpSession.open(agent.key());
        mcp.post(Map.of("jsonrpc", "2.0", "id", 7, "method", "tools/call", "params", Map.of("name", "request_access",
                "arguments", Map.of("scope", "secrets:read:mcp-nul/*", "description", "a\u0000b"))))
                .then().statusCode(200).body("error.code", equalTo(-32700));
        assertEquals(0, Db.count("select count(*) from audit_entry where actor_id = ?",
                agent.id()));
    }

    @Test
    void anotherAgentsRequestDoesNotExistForThisOne() {
        String ns = Flow.namespaceWithTiers("mcp-foreign", 0);
        Api.Created owner = Api.principal("agent", ns);
        Api.Created other = Api.principal("agent", ns);
        String id = Flow.pending(owner.key(), "secrets:read:" + ns + "/sens/*");
        ToolResult r = McpSession.open(other.key()).tool("access_status", args("approval_request_id", id));
        assertTrue(r.isError());
        assertEquals(404, r.json().getInt("status"));
        assertEquals("No such approval request.", r.json().getString("detail"));
    }

    @Test
    void anAgentInAPodUsesItsServiceAccountTokenAndTheAuditNamesThePod() {
        String ns = Flow.namespaceWithTiers("mcp-pod", 0);
        Api.Created agent = Api.principal("agent", ns);
        String sa = "mcp-runner-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        Api.admin().body(Map.of("kubernetes_service_accounts", List.of("team-a/" + sa)))
                .patch("/v1/principals/" + agent.id()).then().statusCode(200);
        KubernetesIssuer issuer = KubernetesIssuerResource.issuer();
        String podUid = java.util.UUID.randomUUID().toString();
        String saToken = KubernetesIssuer.sign(KubernetesIssuer.claims(issuer.url("cluster-a"), "team-a", sa, "mcp-pod-1", podUid),
                issuer.get("cluster-a").signingKey());
        Api.SENSITIVE.add(saToken);

        ToolResult r = McpSession.open(saToken).tool("request_access", args("scope", "secrets:read:" + ns + "/std/*"));
        assertFalse(r.isError(), r.text());
        r.sensitive("value");
        Map<String, Object> entry = Db.query("select actor_id, details::jsonb ->> 'via' as via, "
                + "details::jsonb -> 'workload' ->> 'pod_uid' as pod_uid from audit_entry "
                + "where action = 'token.issue' and namespace = ?", ns).get(0);
        assertEquals(agent.id(), entry.get("actor_id"));
        assertEquals("mcp", entry.get("via"));
        assertEquals(podUid, entry.get("pod_uid"));
    }

    @Test
    void aSessionDoesNotOutliveItsKey() {
        Api.Created agent = Api.principal("agent", "mcp-revoked");
        McpSession mcp = McpSession.open(agent.key());
        Api.admin().body(Map.of("disabled", true)).patch("/v1/principals/" + agent.id()).then().statusCode(200);
        mcp.post(Map.of("jsonrpc", "2.0", "id", 99, "method", "tools/list")).then().statusCode(401);
    }
}

package com.agentsecretstore.mcp;

import static io.restassured.RestAssured.given;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.agentsecretstore.support.Api;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * A minimal MCP client over Streamable HTTP (JSON-RPC 2.0 posted to {@code /mcp}), enough to
 * initialize a session, list tools and call them as one principal. The TypeScript SDK client in
 * src/test/mcp plays the real client; this one lets the suite look at each HTTP exchange.
 */
final class McpSession {

    static final String PROTOCOL_VERSION = "2025-06-18";

    private final String bearer;
    private final AtomicInteger ids = new AtomicInteger();
    private String sessionId;

    private McpSession(String bearer) {
        this.bearer = bearer;
    }

    /** A session initialized with {@code bearer} (an API key or a service-account token). */
    static McpSession open(String bearer) {
        McpSession s = new McpSession(bearer);
        Response init = s.post(Map.of("jsonrpc", "2.0", "id", s.ids.incrementAndGet(), "method", "initialize", "params",
                Map.of("protocolVersion", PROTOCOL_VERSION, "capabilities", Map.of(),
                        "clientInfo", Map.of("name", "mcp-tools-test", "version", "1"))));
        init.then().statusCode(200);
        s.sessionId = init.header("Mcp-Session-Id");
        if (s.sessionId == null) {
            throw new AssertionError("initialize answered no Mcp-Session-Id");
        }
        s.post(Map.of("jsonrpc", "2.0", "method", "notifications/initialized")).then().statusCode(202);
        return s;
    }

    static RequestSpecification request(String bearer) {
        RequestSpecification r = given().contentType(ContentType.JSON).accept("application/json, text/event-stream");
        return bearer == null ? r : r.header("Authorization", "Bearer " + bearer);
    }

    Response post(Object message) {
        RequestSpecification r = request(bearer);
        if (sessionId != null) {
            r.header("Mcp-Session-Id", sessionId).header("Mcp-Protocol-Version", PROTOCOL_VERSION);
        }
        return r.body(message).post("/mcp");
    }

    /** The {@code result} of a request, failing on a JSON-RPC error. */
    JsonPath call(String method, Map<String, Object> params) {
        Response r = post(Map.of("jsonrpc", "2.0", "id", ids.incrementAndGet(), "method", method, "params", params));
        r.then().statusCode(200);
        JsonPath body = json(r);
        if (body.get("error") != null) {
            throw new AssertionError(method + " answered a JSON-RPC error: " + body.get("error"));
        }
        return body.setRootPath("result");
    }

    List<Map<String, Object>> tools() {
        return call("tools/list", Map.of()).getList("tools");
    }

    /** A tool's result: {@code isError} and its one text content, parsed as JSON. */
    record ToolResult(boolean isError, String text) {
        JsonPath json() {
            return JsonPath.from(text);
        }

        /** A value the tool handed out, remembered for LogLeakTest. */
        String sensitive(String path) {
            String v = json().getString(path);
            if (v != null) {
                Api.SENSITIVE.add(v);
            }
            return v;
        }
    }

    ToolResult tool(String name, Map<String, Object> arguments) {
        JsonPath result = call("tools/call", Map.of("name", name, "arguments", arguments));
        List<Map<String, Object>> content = result.getList("content");
        if (content == null || content.size() != 1 || !"text".equals(content.get(0).get("type"))) {
            throw new AssertionError("expected one text content, got " + content);
        }
        return new ToolResult(Boolean.TRUE.equals(result.get("isError")), (String) content.get(0).get("text"));
    }

    /** The answer is JSON, or one SSE event carrying it, depending on what the server chose. */
    private static JsonPath json(Response r) {
        String body = r.asString();
        String type = r.contentType();
        if (type != null && type.startsWith("text/event-stream")) {
            for (String line : body.split("\n")) {
                if (line.startsWith("data:")) {
                    return JsonPath.from(line.substring(5).trim());
                }
            }
            throw new AssertionError("an SSE answer without data: " + body);
        }
        return JsonPath.from(body);
    }
}

package com.agentsecretstore.mcp;

import jakarta.annotation.security.RolesAllowed;

import com.agentsecretstore.access.Action;
import com.agentsecretstore.approval.ApprovalCommands;
import com.agentsecretstore.approval.ApprovalQueries;
import com.agentsecretstore.approval.ApprovalApi.ApprovalView;
import com.agentsecretstore.approval.TokenRequests;
import com.agentsecretstore.mcp.McpApi.AccessStatus;
import com.agentsecretstore.mcp.McpApi.IssuedToken;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Channel;
import com.agentsecretstore.principal.Role;
import com.agentsecretstore.token.SecretReader;
import com.agentsecretstore.token.TokenApi.TokenRequest;

import io.quarkiverse.mcp.server.Tool;
import io.quarkiverse.mcp.server.ToolArg;
import io.quarkiverse.mcp.server.ToolResponse;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * The MCP tools of an agent, served at {@code /mcp}: ask for access, see where the request stands
 * (and collect the token), read a secret with the token. Each is as thin as a REST resource: it
 * calls the command or query the REST API calls for the same thing, which validates the arguments,
 * and maps the answer ({@link ToolAnswers}), so the one access model decides and the audit names
 * the agent, with {@code via: mcp}. Arguments arrive through the application's JSON codec, so a string with
 * U+0000 is refused while the message is parsed ({@code NoNulStrings}), as on the REST API.
 *
 * <p>There is deliberately no tool to approve, deny or change policy: humans decide, in the
 * dashboard or over the REST API. Only agents reach these tools (the {@code /mcp} permission in
 * application.properties, and this class's role check as the outer fence).
 */
@RolesAllowed(Role.AGENT_NAME)
public class AgentTools {

    private final TokenRequests requests;
    private final ApprovalQueries queries;
    private final ApprovalCommands commands;
    private final SecretReader reader;
    private final ToolAnswers answers;
    private final SecurityIdentity identity;

    public AgentTools(TokenRequests requests, ApprovalQueries queries, ApprovalCommands commands, SecretReader reader,
            ToolAnswers answers, SecurityIdentity identity) {
        this.requests = requests;
        this.queries = queries;
        this.commands = commands;
        this.reader = reader;
        this.answers = answers;
        this.identity = identity;
    }

    @Tool(name = "request_access", title = "Request access to secrets", description = """
            Asks for a scoped token to read secrets. If the policy needs no approval the answer has \
            status "approved" and the token in "value". Otherwise it has status "pending" and an \
            "approval_request_id": humans decide, and you follow the request with access_status. \
            Nothing here approves a request.""",
            annotations = @Tool.Annotations(title = "Request access to secrets", readOnlyHint = false,
                    destructiveHint = false, idempotentHint = false, openWorldHint = false))
    Uni<ToolResponse> requestAccess(
            @ToolArg(description = "What to read, as secrets:read:<namespace>/<path glob>, e.g. secrets:read:payments/stripe/*") String scope,
            @ToolArg(name = "ttl_seconds", description = "How long the token should live, in seconds, counted from issuance "
                    + "(default and maximum are the service's)", required = false) Integer ttlSeconds,
            @ToolArg(description = "Why you need it; shown to the humans who decide", required = false) String description,
            @ToolArg(name = "run_id", description = "Your own id for this run or task, e.g. a job id; shown with the request",
                    required = false) String runId,
            @ToolArg(name = "max_uses", description = "How many reads the token allows (default: no limit); approvers may lower it",
                    required = false) Integer maxUses) {
        // The same request body as POST /v1/tokens: the same validation, dedupe of repeated asks and audit.
        return answers.answer("request_access",
                () -> requests.requestToken(caller(), new TokenRequest(scope, ttlSeconds, description, maxUses, runId)));
    }

    @Tool(name = "access_status", title = "Status of an access request", description = """
            Tells where an approval request made with request_access stands: pending, delayed, \
            approved, denied, cancelled or expired. Once it is approved the answer carries the token \
            in "token.value" (each call hands out a fresh value and ends the previous one). With \
            wait_seconds it waits up to that long for a decision before answering.""",
            annotations = @Tool.Annotations(title = "Status of an access request", readOnlyHint = false,
                    destructiveHint = false, idempotentHint = false, openWorldHint = false))
    Uni<ToolResponse> accessStatus(
            @ToolArg(name = "approval_request_id", description = "The approval_request_id request_access answered") String approvalRequestId,
            @ToolArg(name = "wait_seconds", description = "Wait up to this many seconds for a decision (default 0: answer at once)",
                    required = false) Integer waitSeconds) {
        return answers.answer("access_status", () -> {
            Caller caller = caller();
            Uni<ApprovalView> view = waitSeconds == null || waitSeconds == 0
                    ? queries.get(caller, approvalRequestId)
                    : queries.waitFor(caller, approvalRequestId, String.valueOf(waitSeconds));
            // The access model's answer, as the dashboard uses it: collect is offered to the
            // requester of an approved request only.
            return view.flatMap(v -> v.allowedActions().contains(Action.COLLECT.wire())
                    ? commands.collect(caller, v.id()).map(t -> AccessStatus.of(v, IssuedToken.of(t)))
                    : Uni.createFrom().item(AccessStatus.of(v, null)));
        });
    }

    @Tool(name = "read_secret", title = "Read a secret", description = """
            Reads a secret's value with a token from request_access or access_status. The token must \
            be yours, unexpired, and its scope must cover the path. Every read is audited.""",
            annotations = @Tool.Annotations(title = "Read a secret", readOnlyHint = true, destructiveHint = false,
                    idempotentHint = true, openWorldHint = false))
    Uni<ToolResponse> readSecret(
            @ToolArg(description = "The secret's path, <namespace>/<path>, e.g. payments/stripe/api-key") String path,
            @ToolArg(description = "The token value (ast_...)") String token,
            @ToolArg(description = "A version number (default: the current one)", required = false) Integer version) {
        return answers.answer("read_secret",
                () -> reader.read(caller(), path, token, version == null ? null : String.valueOf(version)));
    }

    private Caller caller() {
        return Caller.of(identity).through(Channel.MCP);
    }
}

package com.agentsecretstore.approval;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestResponse;

import com.agentsecretstore.approval.ApprovalApi.ApprovalView;
import com.agentsecretstore.approval.ApprovalApi.ApproveBody;
import com.agentsecretstore.approval.ApprovalApi.CancelBody;
import com.agentsecretstore.approval.ApprovalApi.CollectedToken;
import com.agentsecretstore.approval.ApprovalApi.DenyBody;
import com.agentsecretstore.approval.ApprovalRules.Narrowing;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.Page;
import com.agentsecretstore.passkey.PasskeyApi.StepUpOptions;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Role;
import com.agentsecretstore.token.TokenApi.TokenRequest;
import com.agentsecretstore.token.TokenApi.TokenResponse;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed({ Role.ADMIN_NAME, Role.APPROVER_NAME, Role.AGENT_NAME })
public class ApprovalResource {

    private final TokenRequests requests;
    private final ApprovalCommands commands;
    private final ApprovalQueries queries;
    private final SecurityIdentity identity;

    public ApprovalResource(TokenRequests requests, ApprovalCommands commands, ApprovalQueries queries,
            SecurityIdentity identity) {
        this.requests = requests;
        this.commands = commands;
        this.queries = queries;
        this.identity = identity;
    }

    /**
     * 201 with the token when no approval is needed, 202 with a new approval request, 200 with the
     * open request a repeated ask finds. An {@code Idempotency-Key} replays the first answer.
     */
    @POST
    @Path("tokens")
    @APIResponse(responseCode = "200", description = "pending or delayed: the same ask is open already, and this is its approval request (approvers are not paged again)",
            content = @Content(schema = @Schema(implementation = TokenResponse.class)))
    @APIResponse(responseCode = "201", description = "approved: the token (its value is shown only here)",
            content = @Content(schema = @Schema(implementation = TokenResponse.class)))
    @APIResponse(responseCode = "202", description = "pending: the approval request to wait for",
            content = @Content(schema = @Schema(implementation = TokenResponse.class)))
    public Uni<RestResponse<TokenResponse>> requestToken(@RestHeader("Idempotency-Key") String idempotencyKey,
            TokenRequest body) {
        if (body == null) {
            throw ApiException.invalid("scope", "is required");
        }
        return requests.answer(Caller.of(identity), body, idempotencyKey).map(a -> RestResponse.status(switch (a.kind()) {
            case ISSUED -> RestResponse.Status.CREATED;
            case OPENED -> RestResponse.Status.ACCEPTED;
            case REPEATED -> RestResponse.Status.OK;
        }, a.body()));
    }

    @GET
    @Path("approvals")
    public Uni<Page<ApprovalView>> list(@QueryParam("status") String status, @QueryParam("namespace") String namespace,
            @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return queries.list(Caller.of(identity), status, namespace, limit, cursor);
    }

    @GET
    @Path("approvals/{id}")
    public Uni<ApprovalView> get(@PathParam("id") String id) {
        return queries.get(Caller.of(identity), id);
    }

    @GET
    @Path("approvals/{id}/wait")
    public Uni<ApprovalView> waitFor(@PathParam("id") String id, @QueryParam("timeout_seconds") String timeout) {
        return queries.waitFor(Caller.of(identity), id, timeout);
    }

    @GET
    @Path("approvals/{id}/token")
    @APIResponse(responseCode = "200", description = "The token, with a freshly minted value",
            content = @Content(schema = @Schema(implementation = CollectedToken.class)))
    @APIResponse(responseCode = "409", description = "Nothing to collect: the request has no token yet, or it was revoked or has expired")
    public Uni<CollectedToken> token(@PathParam("id") String id) {
        return commands.collect(Caller.of(identity), id);
    }

    @POST
    @Path("approvals/{id}/approve")
    public Uni<ApprovalView> approve(@PathParam("id") String id, ApproveBody body) {
        return commands.approve(Caller.of(identity), id, body == null ? null : body.comment(),
                body == null ? Narrowing.NONE : new Narrowing(body.scope(), body.ttlSeconds(), body.maxUses()),
                body == null ? null : body.stepUp());
    }

    /** A passkey challenge for approving this (critical) request, bound to it and to the caller. */
    @POST
    @Path("approvals/{id}/step-up")
    public Uni<StepUpOptions> stepUp(@PathParam("id") String id) {
        return commands.stepUp(Caller.of(identity), id);
    }

    @POST
    @Path("approvals/{id}/deny")
    public Uni<ApprovalView> deny(@PathParam("id") String id, DenyBody body) {
        return commands.deny(Caller.of(identity), id, body == null ? null : body.reason());
    }

    @POST
    @Path("approvals/{id}/cancel")
    public Uni<ApprovalView> cancel(@PathParam("id") String id, CancelBody body) {
        return commands.cancel(Caller.of(identity), id, body == null ? null : body.reason());
    }
}

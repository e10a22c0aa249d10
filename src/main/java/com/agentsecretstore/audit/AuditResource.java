package com.agentsecretstore.audit;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import com.agentsecretstore.audit.AuditApi.Checkpoint;
import com.agentsecretstore.audit.AuditApi.CheckpointQuery;
import com.agentsecretstore.audit.AuditApi.EntryView;
import com.agentsecretstore.audit.AuditApi.ListQuery;
import com.agentsecretstore.audit.AuditApi.PublicKeys;
import com.agentsecretstore.audit.AuditApi.VerifyResult;
import com.agentsecretstore.common.Page;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Role;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

@Path("/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

    private final AuditService service;
    private final SecurityIdentity identity;

    public AuditResource(AuditService service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    /** Entries newest first. Approvers see only the namespaces they are designated for. */
    @GET
    @RolesAllowed({ Role.ADMIN_NAME, Role.APPROVER_NAME })
    public Uni<Page<EntryView>> list(@QueryParam("actor") String actor, @QueryParam("namespace") String namespace,
            @QueryParam("path") String path, @QueryParam("action") String action, @QueryParam("outcome") String outcome,
            @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor) {
        return service.list(Caller.of(identity),
                new ListQuery(actor, namespace, path, action, outcome, from, to, limit, cursor));
    }

    /** Checks the whole chain; with {@code chain_seq} and {@code entry_hash} of an earlier checkpoint, against it too. */
    @GET
    @Path("verify")
    @RolesAllowed(Role.ADMIN_NAME)
    public Uni<VerifyResult> verify(@QueryParam("chain_seq") String chainSeq, @QueryParam("entry_hash") String entryHash) {
        return service.verify(Caller.of(identity), new CheckpointQuery(chainSeq, entryHash));
    }

    /** The newest seal, signed: the head of the chain to keep outside the service. */
    @GET
    @Path("checkpoint")
    @RolesAllowed({ Role.ADMIN_NAME, Role.APPROVER_NAME })
    @APIResponse(responseCode = "200", description = "The newest seal, signed",
            content = @Content(schema = @Schema(implementation = Checkpoint.class)))
    @APIResponse(responseCode = "404", description = "Nothing is sealed yet")
    @APIResponse(responseCode = "409", description = "The newest seal is not signed yet")
    public Uni<Checkpoint> checkpoint() {
        return service.checkpoint(Caller.of(identity));
    }

    /** The keys that verify seals, checkpoints and receipts; public, but only to authenticated principals. */
    @GET
    @Path("public-key")
    @RolesAllowed({ Role.ADMIN_NAME, Role.APPROVER_NAME, Role.AGENT_NAME })
    public Uni<PublicKeys> publicKeys() {
        return service.publicKeys();
    }

    @POST
    @Path("signing-key/rotate")
    @RolesAllowed(Role.ADMIN_NAME)
    public Uni<PublicKeys> rotate() {
        return service.rotateKey(Caller.of(identity));
    }
}

package com.agentsecretstore.approval;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import com.agentsecretstore.approval.ReceiptApi.ReceiptView;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Role;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/** The signed receipt of an ended request. */
@Path("/v1/approvals/{id}/receipt")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({ Role.ADMIN_NAME, Role.APPROVER_NAME, Role.AGENT_NAME })
public class ReceiptResource {

    private final ReceiptService service;
    private final SecurityIdentity identity;

    public ReceiptResource(ReceiptService service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    @GET
    public Uni<ReceiptView> get(@PathParam("id") String id) {
        return service.get(Caller.of(identity), id);
    }
}

package com.agentsecretstore.principal;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.ResponseStatus;
import org.jboss.resteasy.reactive.RestResponse;

import com.agentsecretstore.common.Page;
import com.agentsecretstore.principal.PrincipalApi.CreateRequest;
import com.agentsecretstore.principal.PrincipalApi.CreatedKey;
import com.agentsecretstore.principal.PrincipalApi.PrincipalView;
import com.agentsecretstore.principal.PrincipalApi.UpdateRequest;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

@Path("/v1/principals")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class PrincipalResource {

    private final PrincipalService service;
    private final SecurityIdentity identity;

    public PrincipalResource(PrincipalService service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    @POST
    @RolesAllowed(Role.ADMIN_NAME)
    @APIResponse(responseCode = "201", description = "Created; `api_key` is shown only here",
            content = @Content(schema = @Schema(implementation = PrincipalView.class)))
    public Uni<RestResponse<PrincipalView>> create(@Valid @NotNull CreateRequest request) {
        return service.create(Caller.of(identity), request).map(v -> RestResponse.status(RestResponse.Status.CREATED, v));
    }

    @GET
    @RolesAllowed(Role.ADMIN_NAME)
    public Uni<Page<PrincipalView>> list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return service.list(Caller.of(identity), limit, cursor);
    }

    /** The caller itself: lets any principal check who its key belongs to. */
    @GET
    @Path("me")
    @RolesAllowed({ Role.ADMIN_NAME, Role.APPROVER_NAME, Role.AGENT_NAME })
    public Uni<PrincipalView> me() {
        Caller caller = Caller.of(identity);
        return service.get(caller, caller.id());
    }

    @GET
    @Path("{id}")
    @RolesAllowed({ Role.ADMIN_NAME, Role.APPROVER_NAME, Role.AGENT_NAME })
    public Uni<PrincipalView> get(@PathParam("id") String id) {
        return service.get(Caller.of(identity), id);
    }

    @PATCH
    @Path("{id}")
    @RolesAllowed(Role.ADMIN_NAME)
    public Uni<PrincipalView> update(@PathParam("id") String id, @Valid @NotNull UpdateRequest request) {
        return service.update(Caller.of(identity), id, request);
    }

    /** A further key for the principal, for rotation without downtime. Admins, or the principal itself. */
    @POST
    @Path("{id}/keys")
    @RolesAllowed({ Role.ADMIN_NAME, Role.APPROVER_NAME, Role.AGENT_NAME })
    @APIResponse(responseCode = "201", description = "Created; `api_key` is shown only here",
            content = @Content(schema = @Schema(implementation = CreatedKey.class)))
    public Uni<RestResponse<CreatedKey>> addKey(@PathParam("id") String id) {
        return service.addKey(Caller.of(identity), id).map(k -> RestResponse.status(RestResponse.Status.CREATED, k));
    }

    @DELETE
    @Path("{id}/keys/{keyId}")
    @RolesAllowed({ Role.ADMIN_NAME, Role.APPROVER_NAME, Role.AGENT_NAME })
    @ResponseStatus(204)
    public Uni<Void> revokeKey(@PathParam("id") String id, @PathParam("keyId") String keyId) {
        return service.revokeKey(Caller.of(identity), id, keyId);
    }
}

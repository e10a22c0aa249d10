package com.agentsecretstore.principal;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.ResponseStatus;

import com.agentsecretstore.principal.PrincipalApi.OidcIdentity;
import com.agentsecretstore.principal.PrincipalApi.PrincipalView;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/** {@code /v1/principals/{id}/oidc-identity}: which person at the identity provider signs in as this principal. */
@Path("/v1/principals/{id}/oidc-identity")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class OidcLinkResource {

    private final OidcLinkService service;
    private final SecurityIdentity identity;

    public OidcLinkResource(OidcLinkService service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    @PUT
    @RolesAllowed(Role.ADMIN_NAME)
    public Uni<PrincipalView> link(@PathParam("id") String id, @Valid @NotNull OidcIdentity request) {
        return service.link(Caller.of(identity), id, request);
    }

    @DELETE
    @RolesAllowed(Role.ADMIN_NAME)
    @ResponseStatus(204)
    public Uni<Void> unlink(@PathParam("id") String id) {
        return service.unlink(Caller.of(identity), id);
    }
}

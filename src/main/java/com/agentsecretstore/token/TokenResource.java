package com.agentsecretstore.token;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Role;
import com.agentsecretstore.token.TokenApi.TokenView;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class TokenResource {

    private final TokenIssuer issuer;
    private final SecurityIdentity identity;

    public TokenResource(TokenIssuer issuer, SecurityIdentity identity) {
        this.issuer = issuer;
        this.identity = identity;
    }

    /** A token's metadata with its remaining uses. Its holder or an admin; 404 for anyone else. */
    @GET
    @Path("tokens/{id}")
    @RolesAllowed({ Role.ADMIN_NAME, Role.APPROVER_NAME, Role.AGENT_NAME })
    public Uni<TokenView> get(@PathParam("id") String id) {
        return issuer.get(Caller.of(identity), id).map(TokenView::of);
    }

    /** Revokes a token at once. Its holder or an admin. */
    @POST
    @Path("tokens/{id}/revoke")
    @RolesAllowed({ Role.ADMIN_NAME, Role.APPROVER_NAME, Role.AGENT_NAME })
    public Uni<TokenView> revoke(@PathParam("id") String id) {
        return issuer.revoke(Caller.of(identity), id).map(TokenView::of);
    }
}

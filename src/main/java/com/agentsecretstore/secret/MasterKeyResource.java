package com.agentsecretstore.secret;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Role;
import com.agentsecretstore.secret.SecretApi.MasterKeyStatus;
import com.agentsecretstore.secret.SecretApi.RewrapResult;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/** Master key status and re-wrap, for rotating ASS_MASTER_KEYS. */
@Path("/v1/system/master-keys")
@Produces(MediaType.APPLICATION_JSON)
public class MasterKeyResource {

    private final MasterKeyService service;
    private final SecurityIdentity identity;

    public MasterKeyResource(MasterKeyService service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    @GET
    @RolesAllowed(Role.ADMIN_NAME)
    public Uni<MasterKeyStatus> status() {
        return service.status(Caller.of(identity));
    }

    @POST
    @Path("rewrap")
    @RolesAllowed(Role.ADMIN_NAME)
    public Uni<RewrapResult> rewrap() {
        return service.rewrapAll(Caller.of(identity));
    }
}

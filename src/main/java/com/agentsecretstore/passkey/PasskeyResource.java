package com.agentsecretstore.passkey;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.ResponseStatus;
import org.jboss.resteasy.reactive.RestResponse;

import com.agentsecretstore.passkey.PasskeyApi.PasskeyView;
import com.agentsecretstore.passkey.PasskeyApi.RegisterBody;
import com.agentsecretstore.passkey.PasskeyApi.RegistrationOptions;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Role;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/** The caller's own passkeys: people who decide approvals register them for the step-up. */
@Path("/v1/passkeys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed({ Role.ADMIN_NAME, Role.APPROVER_NAME })
public class PasskeyResource {

    private final PasskeyService service;
    private final SecurityIdentity identity;

    public PasskeyResource(PasskeyService service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    @GET
    public Uni<List<PasskeyView>> list() {
        return service.list(Caller.of(identity));
    }

    @POST
    @Path("registration-options")
    public Uni<RegistrationOptions> options() {
        return service.registrationOptions(Caller.of(identity));
    }

    @POST
    @APIResponse(responseCode = "201", description = "the passkey, registered",
            content = @Content(schema = @Schema(implementation = PasskeyView.class)))
    public Uni<RestResponse<PasskeyView>> register(RegisterBody body) {
        return service.register(Caller.of(identity), body).map(v -> RestResponse.status(RestResponse.Status.CREATED, v));
    }

    @DELETE
    @Path("{id}")
    @ResponseStatus(204)
    public Uni<Void> delete(@PathParam("id") String id) {
        return service.delete(Caller.of(identity), id);
    }
}

package com.agentsecretstore.policy.moltbotden;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import com.agentsecretstore.policy.moltbotden.MoltbotdenApi.SettingsBody;
import com.agentsecretstore.policy.moltbotden.MoltbotdenApi.SettingsView;
import com.agentsecretstore.policy.moltbotden.MoltbotdenApi.TestBody;
import com.agentsecretstore.policy.moltbotden.MoltbotdenApi.TestResult;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Role;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

@Path("/v1/settings/integrations/moltbotden")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class MoltbotdenResource {

    private final MoltbotdenService service;
    private final SecurityIdentity identity;

    public MoltbotdenResource(MoltbotdenService service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    @GET
    @RolesAllowed(Role.ADMIN_NAME)
    public Uni<SettingsView> get() {
        return service.get(Caller.of(identity));
    }

    @PUT
    @RolesAllowed(Role.ADMIN_NAME)
    public Uni<SettingsView> put(@NotNull SettingsBody body) {
        return service.put(Caller.of(identity), body);
    }

    @POST
    @Path("test")
    @RolesAllowed(Role.ADMIN_NAME)
    public Uni<TestResult> test(TestBody body) {
        return service.test(Caller.of(identity), body);
    }
}

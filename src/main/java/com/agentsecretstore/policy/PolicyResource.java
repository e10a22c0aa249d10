package com.agentsecretstore.policy;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import com.agentsecretstore.policy.PolicyApi.Decision;
import com.agentsecretstore.policy.PolicyApi.PolicyBody;
import com.agentsecretstore.policy.PolicyApi.PolicyView;
import com.agentsecretstore.policy.PolicyApi.SimulateRequest;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Role;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class PolicyResource {

    private final PolicyService service;
    private final SecurityIdentity identity;

    public PolicyResource(PolicyService service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    @GET
    @Path("namespaces/{ns}/policy")
    @RolesAllowed({ Role.ADMIN_NAME, Role.APPROVER_NAME })
    public Uni<PolicyView> get(@PathParam("ns") String namespace) {
        return service.get(Caller.of(identity), namespace);
    }

    @PUT
    @Path("namespaces/{ns}/policy")
    @RolesAllowed(Role.ADMIN_NAME)
    public Uni<PolicyView> put(@PathParam("ns") String namespace, @NotNull PolicyBody body) {
        return service.put(Caller.of(identity), namespace, body);
    }

    @POST
    @Path("namespaces/{ns}/policy/simulate")
    @RolesAllowed({ Role.ADMIN_NAME, Role.APPROVER_NAME })
    public Uni<Decision> simulate(@PathParam("ns") String namespace, @NotNull SimulateRequest request) {
        return service.simulate(Caller.of(identity), namespace, request);
    }
}

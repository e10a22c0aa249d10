package com.agentsecretstore.secret;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.ResponseStatus;
import org.jboss.resteasy.reactive.RestResponse;

import com.agentsecretstore.common.Page;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Role;
import com.agentsecretstore.secret.SecretApi.PutRequest;
import com.agentsecretstore.secret.SecretApi.SecretView;
import com.agentsecretstore.secret.SecretApi.VersionsView;
import com.agentsecretstore.token.SecretReader;
import com.agentsecretstore.token.TokenApi.SecretValue;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

@Path("/v1/secrets")
@Produces(MediaType.APPLICATION_JSON)
public class SecretResource {

    private final SecretService service;
    private final SecretReader reader;
    private final SecurityIdentity identity;

    public SecretResource(SecretService service, SecretReader reader, SecurityIdentity identity) {
        this.service = service;
        this.reader = reader;
        this.identity = identity;
    }

    /**
     * A secret's value, with the caller's scoped token in X-Secret-Token. Admins hold no standing
     * read access: they request tokens like everyone else.
     */
    @GET
    @Path("{path: .+}")
    @RolesAllowed({ Role.ADMIN_NAME, Role.APPROVER_NAME, Role.AGENT_NAME })
    @Operation(hidden = true) // listed as /v1/secret?path= (SecretQueryResource): a path parameter cannot hold /
    public Uni<SecretValue> read(@PathParam("path") String path, @HeaderParam("X-Secret-Token") String token,
            @QueryParam("version") String version) {
        return reader.read(Caller.of(identity), path, token, version);
    }

    @GET
    @RolesAllowed(Role.ADMIN_NAME)
    public Uni<Page<SecretView>> list(@QueryParam("prefix") String prefix, @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor) {
        return service.list(Caller.of(identity), prefix, limit, cursor);
    }

    @PUT
    @Path("{path: .+}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(hidden = true) // listed as /v1/secret?path= (SecretQueryResource): a path parameter cannot hold /
    public Uni<RestResponse<SecretView>> put(@PathParam("path") String path, @NotNull PutRequest request) {
        return service.put(Caller.of(identity), path, request)
                .map(v -> RestResponse.status(v.currentVersion() == 1 ? RestResponse.Status.CREATED : RestResponse.Status.OK, v));
    }

    @GET
    @Path("{path: .+}/versions")
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(hidden = true) // listed as /v1/secret?path= (SecretQueryResource): a path parameter cannot hold /
    public Uni<VersionsView> versions(@PathParam("path") String path) {
        return service.versions(Caller.of(identity), path);
    }

    @DELETE
    @Path("{path: .+}")
    @RolesAllowed(Role.ADMIN_NAME)
    @ResponseStatus(204)
    @Operation(hidden = true) // listed as /v1/secret?path= (SecretQueryResource): a path parameter cannot hold /
    public Uni<Void> delete(@PathParam("path") String path) {
        return service.delete(Caller.of(identity), path);
    }
}

package com.agentsecretstore.secret;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.ResponseStatus;
import org.jboss.resteasy.reactive.RestResponse;

import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Role;
import com.agentsecretstore.secret.SecretApi.PutRequest;
import com.agentsecretstore.secret.SecretApi.SecretView;
import com.agentsecretstore.secret.SecretApi.VersionsView;
import com.agentsecretstore.token.SecretReader;
import com.agentsecretstore.token.TokenApi.SecretValue;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * The operations of {@link SecretResource} on one secret, with the secret's path in the query
 * ({@code /v1/secret?path=production/stripe/api-key}) instead of the URL path. A path parameter
 * cannot hold {@code /} in OpenAPI, so generated clients use this form; curl users keep
 * {@code /v1/secrets/{path...}}. Both call the same service methods, so they cannot disagree.
 */
@Path("/v1/secret")
@Produces(MediaType.APPLICATION_JSON)
public class SecretQueryResource {

    private static final String PATH_DOC = "The secret's path, `namespace/segment/...` (2–16 segments)";

    private final SecretService service;
    private final SecretReader reader;
    private final SecurityIdentity identity;

    public SecretQueryResource(SecretService service, SecretReader reader, SecurityIdentity identity) {
        this.service = service;
        this.reader = reader;
        this.identity = identity;
    }

    @GET
    @RolesAllowed({ Role.ADMIN_NAME, Role.APPROVER_NAME, Role.AGENT_NAME })
    @Parameter(name = "path", in = ParameterIn.QUERY, required = true, description = PATH_DOC, example = "production/stripe/api-key")
    @Parameter(name = "X-Secret-Token", in = ParameterIn.HEADER, required = true, description = "A scoped token (`ast_…`) covering the path")
    public Uni<SecretValue> read(@QueryParam("path") String path, @HeaderParam("X-Secret-Token") String token,
            @QueryParam("version") String version) {
        return reader.read(Caller.of(identity), path, token, version);
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Role.ADMIN_NAME)
    @Parameter(name = "path", in = ParameterIn.QUERY, required = true, description = PATH_DOC, example = "production/stripe/api-key")
    @APIResponse(responseCode = "201", description = "The secret was created (version 1)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SecretView.class)))
    @APIResponse(responseCode = "200", description = "A new version of an existing secret",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SecretView.class)))
    public Uni<RestResponse<SecretView>> put(@QueryParam("path") String path, @NotNull PutRequest request) {
        return service.put(Caller.of(identity), path, request)
                .map(v -> RestResponse.status(v.currentVersion() == 1 ? RestResponse.Status.CREATED : RestResponse.Status.OK, v));
    }

    @GET
    @Path("versions")
    @RolesAllowed(Role.ADMIN_NAME)
    @Parameter(name = "path", in = ParameterIn.QUERY, required = true, description = PATH_DOC, example = "production/stripe/api-key")
    public Uni<VersionsView> versions(@QueryParam("path") String path) {
        return service.versions(Caller.of(identity), path);
    }

    @DELETE
    @RolesAllowed(Role.ADMIN_NAME)
    @ResponseStatus(204)
    @Parameter(name = "path", in = ParameterIn.QUERY, required = true, description = PATH_DOC, example = "production/stripe/api-key")
    public Uni<Void> delete(@QueryParam("path") String path) {
        return service.delete(Caller.of(identity), path);
    }
}

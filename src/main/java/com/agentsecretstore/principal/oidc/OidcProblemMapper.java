package com.agentsecretstore.principal.oidc;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.agentsecretstore.common.Problem;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.logging.Log;
import io.quarkus.oidc.OIDCException;

/**
 * A bearer token that cannot be checked because the identity provider is unreachable (its keys were
 * never fetched): 503 problem+json saying so, instead of a 500. API keys never get here.
 */
public class OidcProblemMapper {

    private final ObjectMapper json;

    public OidcProblemMapper(ObjectMapper json) {
        this.json = json;
    }

    @ServerExceptionMapper
    public Response unavailable(OIDCException e, UriInfo uri) throws JsonProcessingException {
        Log.warnf("Identity provider unavailable while serving %s", uri.getPath());
        String body = Problem.of(503, "Service Unavailable",
                "The identity provider cannot be reached to verify this token; API keys still work.", uri.getPath(), null).toJson(json);
        return Response.status(503).type(Problem.MEDIA_TYPE).entity(body).build();
    }
}

package com.agentsecretstore.notify;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
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
import com.agentsecretstore.notify.WebhookApi.CreateRequest;
import com.agentsecretstore.notify.WebhookApi.DeliveryView;
import com.agentsecretstore.notify.WebhookApi.RotateRequest;
import com.agentsecretstore.notify.WebhookApi.WebhookView;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Role;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

@Path("/v1/webhooks")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed({ Role.ADMIN_NAME, Role.APPROVER_NAME, Role.AGENT_NAME })
public class WebhookResource {

    private final WebhookService service;
    private final SecurityIdentity identity;

    public WebhookResource(WebhookService service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    @POST
    @APIResponse(responseCode = "201", description = "Created; a generated `secret` is shown only here",
            content = @Content(schema = @Schema(implementation = WebhookView.class)))
    public Uni<RestResponse<WebhookView>> create(@NotNull CreateRequest request) {
        return service.create(Caller.of(identity), request).map(v -> RestResponse.status(RestResponse.Status.CREATED, v));
    }

    @GET
    public Uni<Page<WebhookView>> list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return service.list(Caller.of(identity), limit, cursor);
    }

    @GET
    @Path("{id}")
    public Uni<WebhookView> get(@PathParam("id") String id) {
        return service.get(Caller.of(identity), id);
    }

    @DELETE
    @Path("{id}")
    @ResponseStatus(204)
    public Uni<Void> delete(@PathParam("id") String id) {
        return service.delete(Caller.of(identity), id);
    }

    @POST
    @Path("{id}/rotate-secret")
    public Uni<WebhookView> rotate(@PathParam("id") String id, RotateRequest request) {
        return service.rotate(Caller.of(identity), id, request == null ? null : request.secret());
    }

    @POST
    @Path("{id}/enable")
    public Uni<WebhookView> enable(@PathParam("id") String id) {
        return service.enable(Caller.of(identity), id);
    }

    @GET
    @Path("{id}/deliveries")
    public Uni<Page<DeliveryView>> deliveries(@PathParam("id") String id, @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor) {
        return service.deliveries(Caller.of(identity), id, limit, cursor);
    }

    @POST
    @Path("{id}/deliveries/{deliveryId}/redeliver")
    @APIResponse(responseCode = "202", description = "Queued for delivery",
            content = @Content(schema = @Schema(implementation = DeliveryView.class)))
    public Uni<RestResponse<DeliveryView>> redeliver(@PathParam("id") String id, @PathParam("deliveryId") String deliveryId) {
        return service.redeliver(Caller.of(identity), id, deliveryId)
                .map(d -> RestResponse.status(RestResponse.Status.ACCEPTED, d));
    }
}

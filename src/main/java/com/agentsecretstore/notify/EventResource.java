package com.agentsecretstore.notify;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Role;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Multi;

/**
 * The live feed: server-sent events with {@code id} (the event's seq), {@code event} (its type)
 * and JSON {@code data} (the webhook payload). Reconnecting with {@code Last-Event-ID} (or
 * {@code ?last_event_id=}) replays what was missed. Heartbeat comments keep idle connections open.
 * A principal may hold a few feeds at once (429 beyond); a feed ends when its key is revoked or its
 * principal disabled or changed, and the client reconnects with its Last-Event-ID. When the replica
 * shuts down, a feed ends with a {@code retry:} hint, and the client reconnects elsewhere.
 */
@Path("/v1/events")
@RolesAllowed({ Role.ADMIN_NAME, Role.APPROVER_NAME, Role.AGENT_NAME })
public class EventResource {

    /** The {@code retry:} hint sent when a replica ends a feed at shutdown: reconnect after a second. */
    static final long RECONNECT_AFTER_MILLIS = 1000;

    private final EventStream stream;
    private final SecurityIdentity identity;

    public EventResource(EventStream stream, SecurityIdentity identity) {
        this.stream = stream;
        this.identity = identity;
    }

    @GET
    @Path("stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> stream(@HeaderParam("Last-Event-ID") String lastEventId,
            @QueryParam("last_event_id") String lastEventIdParam, @Context Sse sse) {
        Caller caller = Caller.of(identity);
        Long after = parse(lastEventId != null ? lastEventId : lastEventIdParam);
        return stream.stream(caller, after).map(item -> item.reconnect()
                ? sse.newEventBuilder().comment("shutting down; reconnect").reconnectDelay(RECONNECT_AFTER_MILLIS).build()
                : item.keepAlive()
                ? sse.newEventBuilder().comment("keep-alive").build()
                : sse.newEventBuilder().id(String.valueOf(item.event().seq())).name(item.event().type())
                        .mediaType(MediaType.APPLICATION_JSON_TYPE).data(item.event().payload()).build());
    }

    private static Long parse(String id) {
        if (id == null || id.isBlank()) {
            return null;
        }
        try {
            long v = Long.parseLong(id.trim());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiException.invalid("last_event_id", "must be the id of an event from this feed");
        }
    }
}

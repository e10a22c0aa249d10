package com.agentsecretstore.ops;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import com.agentsecretstore.approval.ApprovalSignals;
import com.agentsecretstore.notify.EventStream;
import com.agentsecretstore.notify.MailDispatcher;
import com.agentsecretstore.notify.WebhookDispatcher;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;

/**
 * What this replica does on SIGTERM, before Quarkus stops taking requests. Quarkus runs the stop in
 * three steps (quarkus.shutdown.delay-enabled): this observer and its own readiness check first,
 * then {@code quarkus.shutdown.delay} of serving while unready, then up to
 * {@code quarkus.shutdown.timeout} for the requests in flight (new ones get 503), then the exit;
 * {@link ShutdownConfigSourceFactory} fits all of it into {@code ass.shutdown.grace}.
 *
 * <p>Here, in order: readiness turns DOWN; every live feed ends with a {@code retry:} hint (a feed
 * opened from now on replays and ends the same way); every long-poll answers with its request's
 * current state (and new ones do not wait); the webhook and mail senders claim no more and hand the
 * rows they were sending back, so another replica sends them now rather than when the leases run
 * out. What is left in flight are ordinary short requests, which finish.
 */
@Readiness
@ApplicationScoped
public class GracefulShutdown implements HealthCheck {

    /** The hand-back is two short UPDATEs; the stop does not wait longer than this for them. */
    private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(5);

    private final EventStream events;
    private final ApprovalSignals signals;
    private final WebhookDispatcher webhooks;
    private final MailDispatcher mail;
    private final ShutdownConfig config;
    private volatile boolean stopping;

    public GracefulShutdown(EventStream events, ApprovalSignals signals, WebhookDispatcher webhooks, MailDispatcher mail,
            ShutdownConfig config) {
        this.config = config;
        this.events = events;
        this.signals = signals;
        this.webhooks = webhooks;
        this.mail = mail;
    }

    void drain(@Observes ShutdownDelayInitiatedEvent event) {
        stopping = true;
        Log.infof("Shutting down within %ss: unready; ending live feeds and long-polls, handing deliveries back",
                config.grace().toSeconds());
        events.drain();
        signals.drain();
        try {
            // Blocking on purpose: Quarkus fires this event on its shutdown thread, never an event
            // loop, and must not move on to closing the pool before the rows are handed back.
            webhooks.stop().chain(mail::stop).await().atMost(RELEASE_TIMEOUT);
        } catch (RuntimeException e) {
            // Their leases run out instead; another replica sends them then.
            Log.warn("Could not hand in-flight deliveries back; their leases will run out", e);
        }
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("shutdown").status(!stopping).build();
    }
}

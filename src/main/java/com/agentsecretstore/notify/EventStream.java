package com.agentsecretstore.notify;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.agentsecretstore.approval.ApprovalSignals;
import com.agentsecretstore.common.AssConfig;
import com.agentsecretstore.common.ConcurrencyLimit;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.auth.CredentialWatch;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;

/**
 * The live feed of this replica. Every replica LISTENs on {@link EventLog#channel}; a NOTIFY
 * (sent on commit, by whichever replica wrote the event) makes it read the new rows in seq order
 * and broadcast them to its SSE clients, wake local long-polls, and wake the senders. The table
 * stays the source of truth: notifications carry only a seq, lost ones are made up by a periodic
 * catch-up, and clients replay from it with Last-Event-ID. Each client is a {@link FeedSubscription}
 * (bounded memory, paged replay); a principal holds at most {@code ass.events.max-streams-per-principal}
 * of them on this replica, and each ends when its key lapses ({@link CredentialWatch}).
 */
@ApplicationScoped
public class EventStream {

    /** Events read at most per catch-up query; a full batch means there may be more. */
    private static final int CATCH_UP_BATCH = 1000;

    private final Pool pool;
    private final Vertx vertx;
    private final ApprovalSignals signals;
    private final Dispatchers dispatchers;
    private final AssConfig config;
    private final CredentialWatch credentials;
    private final ConcurrencyLimit streams;
    private final Set<FeedSubscription> feeds = ConcurrentHashMap.newKeySet();
    private final AtomicLong lastSeen = new AtomicLong(-1);
    private final AtomicBoolean catchingUp = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final String url;
    private final String username;
    private final String password;
    private volatile boolean draining;
    private PgSubscriber subscriber;
    private long timer = -1;

    public EventStream(Pool pool, Vertx vertx, ApprovalSignals signals, Dispatchers dispatchers, AssConfig config,
            CredentialWatch credentials,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") java.util.Optional<String> username,
            @ConfigProperty(name = "quarkus.datasource.password") java.util.Optional<String> password) {
        this.pool = pool;
        this.vertx = vertx;
        this.signals = signals;
        this.dispatchers = dispatchers;
        this.config = config;
        this.credentials = credentials;
        this.streams = new ConcurrencyLimit(() -> config.events().maxStreamsPerPrincipal(), "open event streams");
        this.url = url;
        this.username = username.orElse("postgres");
        this.password = password.orElse("");
    }

    void start(@Observes StartupEvent event) {
        PgConnectOptions options = PgConnectOptions.fromUri(url.startsWith("vertx-reactive:") ? url.substring(15) : url)
                .setUser(username);
        if (!password.isEmpty()) {
            options.setPassword(password);
        }
        subscriber = PgSubscriber.subscriber(vertx, options);
        // Keep trying to get the connection back, once a second, for as long as the service runs.
        subscriber.reconnectPolicy(retries -> 1000L);
        subscriber.channel(EventLog.channel(config))
                .handler(payload -> catchUp())
                .subscribeHandler(this::catchUp);
        // Key and principal changes (V12's triggers) end the feeds and long-polls they authenticated.
        subscriber.channel(CredentialWatch.channel(config))
                .handler(payload -> credentials.check())
                .subscribeHandler(credentials::check);
        subscriber.connect().subscribe().with(ok -> Log.debug("Listening for events"),
                e -> Log.warn("Could not LISTEN for events yet; retrying", e));
        // A safety net: a NOTIFY sent while the LISTEN connection was down is never delivered.
        timer = vertx.setPeriodic(2000, id -> catchUp());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (subscriber != null) {
            subscriber.close().subscribe().with(ok -> { }, e -> { });
        }
        feeds.forEach(FeedSubscription::end);
    }

    /**
     * This replica is shutting down: every feed, open now or opened from here on, finishes its
     * replay, sends a reconnect hint and ends, so clients go on from their Last-Event-ID elsewhere.
     */
    public void drain() {
        draining = true;
        feeds.forEach(FeedSubscription::close);
    }

    /** Reads and broadcasts every event after the last one seen; one catch-up at a time. */
    void catchUp() {
        if (!catchingUp.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        again.set(false);
        Uni<Long> start = lastSeen.get() >= 0 ? Uni.createFrom().item(lastSeen.get()) : EventTable.head(pool);
        start.flatMap(after -> EventTable.live(pool, after, CATCH_UP_BATCH).map(events -> {
                    lastSeen.compareAndSet(-1, after);
                    int n = 0;
                    for (StoredEvent e : events) {
                        if (e.seq() > lastSeen.get()) {
                            lastSeen.set(e.seq());
                            n++;
                            feeds.forEach(f -> f.offer(e));
                            if (e.approvalRequestId() != null) {
                                signals.changed(e.approvalRequestId());
                            }
                        }
                    }
                    return n;
                }))
                .subscribe().with(n -> {
                    catchingUp.set(false);
                    if (n > 0) {
                        dispatchers.wake();
                    }
                    if (n >= CATCH_UP_BATCH || again.getAndSet(false)) {
                        catchUp();
                    }
                }, e -> {
                    catchingUp.set(false);
                    Log.debug("Event catch-up failed; the next notification or tick retries", e);
                });
    }

    /**
     * Opens a feed for the caller: events after {@code after} (replayed from the table, page by
     * page, only the rows the caller may see), then live ones (each carries its audience), each once
     * and in seq order, with keep-alives in between. With {@code after} null the feed starts now. Refuses with 429 when the caller
     * already holds its limit of feeds on this replica; the feed ends when the caller's key lapses.
     */
    public Multi<FeedItem> stream(Caller caller, Long after) {
        // Replayed rows were filtered by EventTable.VISIBLE_TO_VIEWER and carry no audience; live ones do.
        Predicate<StoredEvent> visible = e -> e.audience() == null || e.audience().contains(caller.id());
        ConcurrencyLimit.Permit permit = streams.acquire(caller.id());
        AssConfig.Events limits = config.events();
        FeedSubscription feed = new FeedSubscription(table(caller), visible, after, limits.replayPageSize(),
                limits.streamBuffer(), limits.heartbeat());
        // Joined before the start position is taken and the first page read, so every event is
        // either at or before that position, in that page, or offered afterwards.
        feeds.add(feed);
        feed.startAt(lastSeen.get());
        if (draining) {
            feed.close();
        }
        CredentialWatch.Registration watch = credentials.watch(caller, lapse -> feed.end());
        return feed.items().onTermination().invoke(() -> {
            feeds.remove(feed);
            watch.cancel();
            permit.release();
        });
    }

    /** Feeds open on this replica now. */
    public int open() {
        return feeds.size();
    }

    /**
     * The caller's view of the event table: bounded pages in seq order of the rows it may see (the
     * access model's SQL in {@link EventTable#PAGE}), so rows the caller may not see are never read.
     */
    private FeedSubscription.Table table(Caller caller) {
        return new FeedSubscription.Table() {
            @Override
            public Uni<List<StoredEvent>> page(long after, int size) {
                return EventTable.page(pool, after, size, caller.id());
            }

            @Override
            public Uni<Long> head() {
                return EventTable.head(pool);
            }
        };
    }
}

package com.agentsecretstore.notify;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.agentsecretstore.access.AccessModel;
import com.agentsecretstore.approval.ApprovalSignals;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;

/**
 * The live feed of this replica. Every replica LISTENs on {@link EventLog#channel}; a NOTIFY
 * (sent on commit, by whichever replica wrote the event) makes it read the new rows in seq order
 * and broadcast them to its SSE clients, wake local long-polls, and wake the senders. The table
 * stays the source of truth: notifications carry only a seq, lost ones are made up by a periodic
 * catch-up, and clients replay from it with Last-Event-ID.
 */
@ApplicationScoped
public class EventStream {

    static final int REPLAY_LIMIT = 10_000;
    static final String COLUMNS = "seq, id, type, approval_request_id, namespace, requester_id, payload, created_at";

    // --- Visibility: the access model's SQL, nothing restated here --------------------------------
    /** Replay reads only the events of requests principal {@code $2} may see. */
    static final String VISIBLE_TO_VIEWER = " and exists (select 1 from principal p where p.id = $2 and "
            + AccessModel.seeSql("p", "event.namespace", "event.requester_id") + ")";
    /** Live events carry who may see them, computed once per event when it is read, not per stream. */
    static final String AUDIENCE = ", array(select p.id from principal p where "
            + AccessModel.seeSql("p", "event.namespace", "event.requester_id") + ") as audience";

    private final Pool pool;
    private final Vertx vertx;
    private final ApprovalSignals signals;
    private final Dispatchers dispatchers;
    private final com.agentsecretstore.common.AssConfig config;
    private final BroadcastProcessor<StoredEvent> live = BroadcastProcessor.create();
    private final AtomicLong lastSeen = new AtomicLong(-1);
    private final AtomicBoolean catchingUp = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final String url;
    private final String username;
    private final String password;
    private PgSubscriber subscriber;
    private long timer = -1;

    public EventStream(Pool pool, Vertx vertx, ApprovalSignals signals, Dispatchers dispatchers,
            com.agentsecretstore.common.AssConfig config,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") java.util.Optional<String> username,
            @ConfigProperty(name = "quarkus.datasource.password") java.util.Optional<String> password) {
        this.pool = pool;
        this.vertx = vertx;
        this.signals = signals;
        this.dispatchers = dispatchers;
        this.config = config;
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
        live.onComplete();
    }

    /** Reads and broadcasts every event after the last one seen; one catch-up at a time. */
    void catchUp() {
        if (!catchingUp.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        again.set(false);
        Uni<Long> start = lastSeen.get() >= 0 ? Uni.createFrom().item(lastSeen.get())
                : pool.query("select coalesce(max(seq), 0) from event").execute()
                        .map(rows -> rows.iterator().next().getLong(0));
        start.flatMap(after -> pool.preparedQuery("select " + COLUMNS + AUDIENCE + " from event where seq > $1 order by seq limit 1000")
                .execute(Tuple.of(after)).map(rows -> {
                    lastSeen.compareAndSet(-1, after);
                    int n = 0;
                    for (Row row : rows) {
                        StoredEvent e = toEvent(row);
                        if (e.seq() > lastSeen.get()) {
                            lastSeen.set(e.seq());
                            n++;
                            live.onNext(e);
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
                    if (n >= 1000 || again.getAndSet(false)) {
                        catchUp();
                    }
                }, e -> {
                    catchingUp.set(false);
                    Log.debug("Event catch-up failed; the next notification or tick retries", e);
                });
    }

    /**
     * Events after {@code after} (replayed from the table), then live ones, each once and in seq
     * order, only those {@code viewerId} may see. With {@code after} null the feed starts now.
     */
    public Multi<StoredEvent> stream(Long after, String viewerId) {
        return Multi.createFrom().deferred(() -> {
            UnicastProcessor<StoredEvent> queue = UnicastProcessor.create();
            Cancellable subscription = live.subscribe().with(queue::onNext, queue::onError, queue::onComplete);
            AtomicLong last = new AtomicLong(after == null ? Math.max(lastSeen.get(), 0) : after);
            Multi<StoredEvent> replay = after == null
                    ? (lastSeen.get() >= 0 ? Multi.createFrom().empty()
                            : pool.query("select coalesce(max(seq), 0) from event").execute()
                                    .invoke(rows -> last.set(rows.iterator().next().getLong(0)))
                                    .onItem().transformToMulti(rows -> Multi.createFrom().<StoredEvent>empty()))
                    : pool.preparedQuery("select " + COLUMNS + " from event where seq > $1" + VISIBLE_TO_VIEWER
                            + " order by seq limit " + REPLAY_LIMIT)
                            .execute(Tuple.of(after, viewerId))
                            .onItem().transformToMulti(rows -> Multi.createFrom().iterable(rows))
                            .map(EventStream::toEvent);
            return Multi.createBy().concatenating().streams(replay, queue)
                    .select().where(e -> {
                        if (e.seq() <= last.get()) {
                            return false;
                        }
                        last.set(e.seq());
                        return true;
                    })
                    .select().where(e -> e.audience() == null || e.audience().contains(viewerId))
                    .onTermination().invoke(subscription::cancel);
        });
    }

    /** Heartbeat period of the SSE feed, so proxies keep idle connections open. */
    public Duration heartbeat() {
        return Duration.ofSeconds(15);
    }

    static StoredEvent toEvent(Row row) {
        OffsetDateTime created = row.getOffsetDateTime("created_at");
        return new StoredEvent(row.getLong("seq"), row.getString("id"), row.getString("type"),
                row.getString("approval_request_id"), row.getString("namespace"), row.getString("requester_id"),
                row.getString("payload"), created == null ? null : created.toInstant(),
                row.getColumnIndex("audience") < 0 ? null : List.of(row.getArrayOfStrings("audience")));
    }
}

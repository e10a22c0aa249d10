package com.agentsecretstore.notify;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * One client's feed, in bounded memory whatever the client replays or however slowly it reads.
 * It replays from the event table in pages of {@code pageSize}, reading the next page only when the
 * client has taken the previous one, then follows the live broadcast through a queue of at most
 * {@code bufferSize} events. A client that falls further behind than that loses its queue and goes
 * back to paging from the table, where nothing is lost, until it has caught up again. Every event
 * is sent once, in seq order, if {@code visible} lets it through; a keep-alive goes out whenever
 * nothing else did for {@code heartbeat}.
 */
final class FeedSubscription {

    /** Reads the event table: one page after a position, in seq order, and the newest position. */
    interface Table {
        Uni<List<StoredEvent>> page(long after, int size);

        Uni<Long> head();
    }

    /** One step of the feed: what to send now (maybe nothing), or the end. */
    record Step(List<FeedItem> items, boolean end) {
        static final Step END = new Step(List.of(), true);
        static final Step NOTHING = new Step(List.of(), false);
    }

    private final Table table;
    private final Predicate<StoredEvent> visible;
    private final int pageSize;
    private final int bufferSize;
    private final long heartbeatNanos;
    private final ArrayDeque<StoredEvent> queue = new ArrayDeque<>();
    /** Seq of the last event handled (sent or not visible); -1 while "now" is not known yet. */
    private long last;
    private boolean replaying;
    private boolean overflowed;
    private boolean ended;
    /** The replica is shutting down: once caught up, say goodbye with a reconnect hint and end. */
    private boolean closing;
    private long lastSentNanos = System.nanoTime();
    private UniEmitter<? super Void> waiting;
    private Context waitingContext;

    /**
     * With {@code after} the feed replays every event after it first; without, it starts at the
     * position given to {@link #startAt}, or the table's newest if none is given.
     */
    FeedSubscription(Table table, Predicate<StoredEvent> visible, Long after, int pageSize, int bufferSize,
            Duration heartbeat) {
        this.table = table;
        this.visible = visible;
        this.pageSize = Math.max(1, pageSize);
        this.bufferSize = Math.max(1, bufferSize);
        this.heartbeatNanos = heartbeat.toNanos();
        this.replaying = after != null;
        this.last = after != null ? after : -1;
    }

    /**
     * Sets where a feed without {@code after} starts: the live position when it joined the
     * broadcast (-1 when not known yet). Events offered before this with seq up to it are skipped.
     */
    synchronized void startAt(long now) {
        if (!replaying && last < 0) {
            last = now;
        }
    }

    /** The feed, demand-driven: the next step is computed only once the client took the last one. */
    Multi<FeedItem> items() {
        return Multi.createBy().repeating().uni(this::next).until(Step::end)
                .onItem().transformToIterable(Step::items);
    }

    /** A live event, called in seq order by the broadcast, from any thread. */
    void offer(StoredEvent e) {
        UniEmitter<? super Void> wake;
        Context ctx;
        synchronized (this) {
            if (ended || overflowed) {
                return;
            }
            if (queue.size() >= bufferSize) {
                // The table has it all: drop the backlog and page from there when the client is ready.
                queue.clear();
                overflowed = true;
            } else {
                queue.addLast(e);
            }
            wake = waiting;
            ctx = waitingContext;
            waiting = null;
        }
        complete(wake, ctx);
    }

    /**
     * Ends the feed because this replica is shutting down: a feed still replaying finishes its
     * replay first; then it sends {@link FeedItem#RECONNECT} and ends. The client reconnects with
     * its Last-Event-ID (through the balancer, to another replica) and misses nothing: what was
     * queued here is read again from the table there.
     */
    void close() {
        UniEmitter<? super Void> wake;
        Context ctx;
        synchronized (this) {
            closing = true;
            wake = waiting;
            ctx = waitingContext;
            waiting = null;
        }
        complete(wake, ctx);
    }

    /** Ends the feed (key revoked); what is already handed out still goes. */
    void end() {
        UniEmitter<? super Void> wake;
        Context ctx;
        synchronized (this) {
            ended = true;
            queue.clear();
            wake = waiting;
            ctx = waitingContext;
            waiting = null;
        }
        complete(wake, ctx);
    }

    Uni<Step> next() {
        boolean findHead;
        long from;
        synchronized (this) {
            if (ended) {
                return Uni.createFrom().item(Step.END);
            }
            if (overflowed) {
                replaying = true;
            }
            if (replaying) {
                // Events broadcast from here on queue up; those before are in the page read next.
                queue.clear();
                overflowed = false;
            }
            if (closing && !replaying) {
                ended = true;
                queue.clear();
                return Uni.createFrom().item(new Step(List.of(FeedItem.RECONNECT), false));
            }
            findHead = !replaying && last < 0;
            from = last;
            if (!replaying && !findHead) {
                if (!queue.isEmpty()) {
                    return Uni.createFrom().item(sent(drain()));
                }
                long idle = System.nanoTime() - lastSentNanos;
                if (idle >= heartbeatNanos) {
                    return Uni.createFrom().item(sent(List.of(FeedItem.KEEP_ALIVE)));
                }
                return waitForLive(Duration.ofNanos(heartbeatNanos - idle)).replaceWith(Step.NOTHING);
            }
        }
        if (findHead) {
            return table.head().map(head -> {
                synchronized (this) {
                    last = Math.max(last, head);
                }
                return Step.NOTHING;
            });
        }
        return table.page(from, pageSize).map(this::replayed);
    }

    private Step replayed(List<StoredEvent> rows) {
        List<FeedItem> out = new ArrayList<>();
        synchronized (this) {
            for (StoredEvent e : rows) {
                if (e.seq() > last) {
                    last = e.seq();
                    if (visible.test(e)) {
                        out.add(new FeedItem(e));
                    }
                }
            }
            // A short page reached the end of the table: what came since is in the queue (unless
            // it overflowed meanwhile, then the next step pages on).
            if (rows.size() < pageSize && !overflowed) {
                replaying = false;
            }
        }
        return out.isEmpty() ? Step.NOTHING : sent(out);
    }

    /** Takes up to a page of queued events; must hold the lock. */
    private List<FeedItem> drain() {
        List<FeedItem> out = new ArrayList<>();
        for (int n = 0; n < pageSize && !queue.isEmpty(); n++) {
            StoredEvent e = queue.pollFirst();
            if (e.seq() > last) {
                last = e.seq();
                if (visible.test(e)) {
                    out.add(new FeedItem(e));
                }
            }
        }
        return out;
    }

    private Step sent(List<FeedItem> items) {
        if (!items.isEmpty()) {
            lastSentNanos = System.nanoTime();
        }
        return items.isEmpty() ? Step.NOTHING : new Step(items, false);
    }

    /** Completes when a live event arrives, the feed ends, or after {@code max}. */
    private Uni<Void> waitForLive(Duration max) {
        Context ctx = Vertx.currentContext();
        return Uni.createFrom().emitter(emitter -> {
            synchronized (this) {
                if (ended || closing || overflowed || !queue.isEmpty()) {
                    emitter.complete(null);
                    return;
                }
                waiting = emitter;
                waitingContext = ctx;
            }
            long millis = Math.max(1, max.toMillis());
            Runnable cancelTimer;
            if (ctx != null) {
                long timer = ctx.owner().setTimer(millis, id -> emitter.complete(null));
                cancelTimer = () -> ctx.owner().cancelTimer(timer);
            } else {
                ScheduledFuture<?> f = Infrastructure.getDefaultWorkerPool()
                        .schedule(() -> emitter.complete(null), millis, TimeUnit.MILLISECONDS);
                cancelTimer = () -> f.cancel(false);
            }
            emitter.onTermination(() -> {
                cancelTimer.run();
                synchronized (this) {
                    if (waiting == emitter) {
                        waiting = null;
                    }
                }
            });
        });
    }

    /** Wakes a waiting client on its own Vert.x context, so its response is written from there. */
    private static void complete(UniEmitter<? super Void> emitter, Context ctx) {
        if (emitter == null) {
            return;
        }
        if (ctx == null) {
            emitter.complete(null);
        } else {
            ctx.runOnContext(v -> emitter.complete(null));
        }
    }
}

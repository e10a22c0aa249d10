package com.agentsecretstore.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;

/** The feed of one client, against an in-memory event table: paging, bounded buffering, order. */
class FeedSubscriptionTest {

    /** An event table in memory that counts the rows each page hands out. */
    static final class Table implements FeedSubscription.Table {
        final List<StoredEvent> rows = new CopyOnWriteArrayList<>();
        final AtomicInteger pages = new AtomicInteger();
        volatile int largestPage;

        StoredEvent append(String requester) {
            StoredEvent e = new StoredEvent(rows.size() + 1, "evt" + (rows.size() + 1), "approval.requested", "apr",
                    "ns", requester, "{}", null, null);
            rows.add(e);
            return e;
        }

        @Override
        public Uni<List<StoredEvent>> page(long after, int size) {
            pages.incrementAndGet();
            List<StoredEvent> page = rows.stream().filter(e -> e.seq() > after).limit(size).toList();
            largestPage = Math.max(largestPage, page.size());
            return Uni.createFrom().item(page);
        }

        @Override
        public Uni<Long> head() {
            return Uni.createFrom().item((long) rows.size());
        }
    }

    private static List<Long> seqs(AssertSubscriber<FeedItem> s) {
        return s.getItems().stream().filter(i -> i.event() != null).map(i -> i.event().seq()).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void replayReadsOnePageAtATimeAsTheClientAsks() {
        Table table = new Table();
        for (int i = 0; i < 95; i++) {
            table.append("me");
        }
        FeedSubscription feed = new FeedSubscription(table, e -> true, 0L, 10, 50, Duration.ofHours(1));
        AssertSubscriber<FeedItem> client = feed.items().subscribe().withSubscriber(AssertSubscriber.create(5));
        client.awaitItems(5);
        assertEquals(1, table.pages.get(), "one page read for the first five events");

        client.request(1000);
        client.awaitItems(95);
        assertEquals(range(1, 95), seqs(client));
        assertEquals(10, table.largestPage);
        client.cancel();
    }

    @Test
    void replayOfEventsTheCallerMayNotSeeSendsNothingAndStillReachesTheLiveFeed() {
        Table table = new Table();
        for (int i = 0; i < 200; i++) {
            table.append("someone-else");
        }
        FeedSubscription feed = new FeedSubscription(table, e -> "me".equals(e.requesterId()), 0L, 25, 50,
                Duration.ofHours(1));
        AssertSubscriber<FeedItem> client = feed.items().subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> table.pages.get() >= 9);
        StoredEvent mine = table.append("me");
        feed.offer(mine);
        client.awaitItems(1);
        assertEquals(List.of(201L), seqs(client));
        assertTrue(table.largestPage <= 25);
        client.cancel();
    }

    @Test
    void aClientThatFallsBehindItsBufferPagesFromTheTableAndMissesNothing() {
        Table table = new Table();
        for (int i = 0; i < 5; i++) {
            table.append("me");
        }
        FeedSubscription feed = new FeedSubscription(table, e -> true, 0L, 10, 8, Duration.ofHours(1));
        AssertSubscriber<FeedItem> client = feed.items().subscribe().withSubscriber(AssertSubscriber.create(5));
        client.awaitItems(5);
        // The client stops reading; 100 live events arrive, far more than its buffer of 8.
        List<StoredEvent> live = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            live.add(table.append("me"));
        }
        int pagesBefore = table.pages.get();
        live.forEach(feed::offer);

        client.request(1000);
        client.awaitItems(105);
        assertEquals(range(1, 105), seqs(client), "every event once, in order");
        assertTrue(table.pages.get() > pagesBefore, "the backlog came from the table");
        assertTrue(table.largestPage <= 10);

        // Caught up again: the next live event comes from the broadcast.
        feed.offer(table.append("me"));
        client.awaitItems(106);
        assertEquals(range(1, 106), seqs(client));
        client.cancel();
    }

    @Test
    void aFeedStartingNowSkipsThePastAndFollowsLiveEvents() {
        Table table = new Table();
        for (int i = 0; i < 30; i++) {
            table.append("me");
        }
        FeedSubscription feed = new FeedSubscription(table, e -> true, null, 10, 8, Duration.ofHours(1));
        feed.startAt(30);
        AssertSubscriber<FeedItem> client = feed.items().subscribe().withSubscriber(AssertSubscriber.create(100));
        feed.offer(table.append("me"));
        client.awaitItems(1);
        assertEquals(List.of(31L), seqs(client));
        assertEquals(0, table.pages.get());
        client.cancel();
    }

    @Test
    void anIdleFeedSendsKeepAlives() {
        FeedSubscription feed = new FeedSubscription(new Table(), e -> true, null, 10, 8, Duration.ofMillis(50));
        feed.startAt(0);
        AssertSubscriber<FeedItem> client = feed.items().subscribe().withSubscriber(AssertSubscriber.create(2));
        client.awaitItems(2, Duration.ofSeconds(10));
        assertTrue(client.getItems().stream().allMatch(FeedItem::keepAlive));
        client.cancel();
    }

    @Test
    void endingTheFeedCompletesItWhileItWaits() {
        FeedSubscription feed = new FeedSubscription(new Table(), e -> true, null, 10, 8, Duration.ofHours(1));
        feed.startAt(0);
        AssertSubscriber<FeedItem> client = feed.items().subscribe().withSubscriber(AssertSubscriber.create(10));
        feed.end();
        client.awaitCompletion(Duration.ofSeconds(10));
    }

    @Test
    void closingAWaitingFeedSendsAReconnectHintAndEnds() {
        FeedSubscription feed = new FeedSubscription(new Table(), e -> true, null, 10, 8, Duration.ofHours(1));
        feed.startAt(0);
        AssertSubscriber<FeedItem> client = feed.items().subscribe().withSubscriber(AssertSubscriber.create(10));
        feed.close();
        client.awaitCompletion(Duration.ofSeconds(10));
        assertEquals(List.of(FeedItem.RECONNECT), client.getItems());
    }

    @Test
    void aFeedClosedWhileReplayingFinishesItsReplayBeforeTheReconnectHint() {
        Table table = new Table();
        for (int i = 0; i < 35; i++) {
            table.append("me");
        }
        FeedSubscription feed = new FeedSubscription(table, e -> true, 0L, 10, 8, Duration.ofHours(1));
        feed.close();
        AssertSubscriber<FeedItem> client = feed.items().subscribe().withSubscriber(AssertSubscriber.create(100));
        client.awaitCompletion(Duration.ofSeconds(10));
        assertEquals(range(1, 35), seqs(client), "the replay, whole and in order");
        assertEquals(FeedItem.RECONNECT, client.getItems().get(client.getItems().size() - 1));
    }
}

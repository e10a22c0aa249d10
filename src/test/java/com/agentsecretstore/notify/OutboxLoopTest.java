package com.agentsecretstore.notify;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;

/** The drain loop's shutdown: what it was sending is abandoned and handed back, and it claims no more. */
class OutboxLoopTest {

    /** Rows "r1", "r2", ... handed out by claims; each send hangs until cancelled. */
    static final class Outbox {
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger claims = new AtomicInteger();
        final List<String> cancelled = new CopyOnWriteArrayList<>();
        final List<String> released = new CopyOnWriteArrayList<>();
        volatile int due = 2;

        Uni<List<OutboxLoop.Send>> claim(int max) {
            claims.incrementAndGet();
            List<OutboxLoop.Send> sends = new ArrayList<>();
            for (int i = 0; i < Math.min(max, due); i++) {
                String id = "r" + next.incrementAndGet();
                sends.add(new OutboxLoop.Send(id, Uni.createFrom().<Void>nothing()
                        .onCancellation().invoke(() -> cancelled.add(id))));
            }
            due -= sends.size();
            return Uni.createFrom().item(sends);
        }

        Uni<Void> release(List<String> ids) {
            released.addAll(ids);
            return Uni.createFrom().voidItem();
        }
    }

    @Test
    void stoppingCancelsTheSendsInFlightAndHandsTheirRowsBack() {
        Outbox outbox = new Outbox();
        OutboxLoop loop = new OutboxLoop("test", 4, outbox::claim, outbox::release);
        loop.wake();
        await().atMost(Duration.ofSeconds(10)).until(() -> loop.inFlight() == 2);

        loop.stop().await().atMost(Duration.ofSeconds(10));

        assertEquals(List.of("r1", "r2"), outbox.cancelled.stream().sorted().toList());
        assertEquals(List.of("r1", "r2"), outbox.released.stream().sorted().toList());
    }

    @Test
    void aStoppedLoopClaimsNoMore() {
        Outbox outbox = new Outbox();
        OutboxLoop loop = new OutboxLoop("test", 4, outbox::claim, outbox::release);
        loop.stop().await().atMost(Duration.ofSeconds(10));
        outbox.due = 5;
        loop.wake();
        loop.tick().await().atMost(Duration.ofSeconds(10));
        assertEquals(0, outbox.claims.get());
        assertTrue(outbox.released.isEmpty());
    }
}

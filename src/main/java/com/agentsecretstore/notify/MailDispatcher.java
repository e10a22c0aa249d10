package com.agentsecretstore.notify;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.common.AssConfig;

import io.quarkus.logging.Log;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Sends the email outbox through quarkus-mailer, with the same claim-and-lease scheme and drain
 * loop ({@link OutboxLoop}) as webhooks, configured on its own ({@code ass.mail.*}).
 */
@ApplicationScoped
public class MailDispatcher {

    static final int BATCH = 16;
    static final String CLAIM = """
            with due as (
              select id from mail_delivery
              where (status = 'pending' and next_attempt_at <= $1) or (status = 'sending' and locked_until < $1)
              order by event_seq limit $3 for update skip locked)
            update mail_delivery m set status = 'sending', locked_until = $2, attempts = m.attempts + 1
            from due where m.id = due.id
            returning m.id, m.recipient, m.subject, m.body, m.attempts""";

    /** As {@link WebhookDispatcher#RELEASE}, for emails. */
    static final String RELEASE = OutboxLoop.releaseSql("mail_delivery");

    private final Pool pool;
    private final ReactiveMailer mailer;
    private final AssConfig config;
    private final Clock clock;
    private RetrySchedule schedule;
    private OutboxLoop loop;

    public MailDispatcher(Pool pool, ReactiveMailer mailer, AssConfig config, Clock clock) {
        this.pool = pool;
        this.mailer = mailer;
        this.config = config;
        this.clock = clock;
    }

    @PostConstruct
    void init() {
        schedule = RetrySchedule.parse(config.mail().retrySchedule());
        loop = new OutboxLoop("mail", config.mail().concurrency(), this::claim, this::release);
    }

    public void wake() {
        if (config.mail().enabled()) {
            loop.wake();
        }
    }

    /** Shutdown: no more claims; emails in flight are abandoned and handed back (see {@link #RELEASE}). */
    public Uni<Void> stop() {
        return loop.stop();
    }

    @Scheduled(every = "${ass.mail.poll-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> poll() {
        return config.mail().enabled() ? loop.tick() : Uni.createFrom().voidItem();
    }

    /** Claims at most {@code max} due emails; one send each, for the loop to start. */
    Uni<List<OutboxLoop.Send>> claim(int max) {
        Instant now = clock.instant();
        return pool.withTransaction(c -> c.preparedQuery(CLAIM).execute(Tuple.of(OutboxLoop.at(now),
                OutboxLoop.at(now.plus(config.mail().lease())), Math.min(max, BATCH))))
                .map(rows -> {
                    List<OutboxLoop.Send> sends = new ArrayList<>();
                    rows.forEach(row -> sends.add(new OutboxLoop.Send(row.getString("id"),
                            Uni.createFrom().deferred(() -> send(row)))));
                    return sends;
                });
    }

    Uni<Void> release(List<String> ids) {
        return pool.preparedQuery(RELEASE).execute(Tuple.of(ids.toArray(String[]::new), OutboxLoop.at(clock.instant())))
                .replaceWithVoid();
    }

    private Uni<Void> send(Row row) {
        String id = row.getString("id");
        int attempts = row.getInteger("attempts");
        Mail mail = Mail.withText(row.getString("recipient"), row.getString("subject"), row.getString("body"));
        return mailer.send(mail)
                .onItem().transformToUni(ok -> record(id, DeliveryState.DELIVERED, null, null))
                .onFailure().recoverWithUni(e -> {
                    Instant next = schedule.next(attempts, clock.instant(), null);
                    String error = "SMTP: " + e.getClass().getSimpleName();
                    if (next == null) {
                        Log.warnf("Mail %s failed for good after %d attempts: %s", id, attempts, error);
                        return record(id, DeliveryState.FAILED, error, null);
                    }
                    return record(id, DeliveryState.PENDING, error, next);
                });
    }

    private Uni<Void> record(String id, DeliveryState state, String error, Instant next) {
        return pool.preparedQuery("update mail_delivery set status = $2, last_error = $3, locked_until = null, "
                + "next_attempt_at = coalesce($4, next_attempt_at), "
                + "delivered_at = case when $2 = 'delivered' then $5 else delivered_at end where id = $1")
                .execute(Tuple.from(new Object[] { id, state.wire(), error, next == null ? null : OutboxLoop.at(next),
                        OutboxLoop.at(clock.instant()) }))
                .replaceWithVoid();
    }
}

package com.agentsecretstore.notify;

import java.time.Clock;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.common.AssConfig;

import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * The email channel of the {@link Outbox}: one email sent through quarkus-mailer; claiming, leases,
 * retries and the shutdown hand-back are the outbox's. Configured by {@code ass.mail.*} alone.
 */
@ApplicationScoped
public class MailDispatcher implements Outbox.Sender<MailDeliveries.Job> {

    static final int BATCH = 16;

    private final Pool pool;
    private final ReactiveMailer mailer;
    private final AssConfig config;
    private final Clock clock;
    private Outbox<MailDeliveries.Job> outbox;

    public MailDispatcher(Pool pool, ReactiveMailer mailer, AssConfig config, Clock clock) {
        this.pool = pool;
        this.mailer = mailer;
        this.config = config;
        this.clock = clock;
    }

    @PostConstruct
    void init() {
        outbox = new Outbox<>(MailDeliveries.TABLE, this, new Outbox.Settings("mail", config.mail().concurrency(), BATCH,
                config.mail().lease(), RetrySchedule.parse(config.mail().retrySchedule())), pool, clock);
    }

    public void wake() {
        if (config.mail().enabled()) {
            outbox.wake();
        }
    }

    /** Shutdown: no more claims; emails in flight are abandoned and handed back, due now. */
    public Uni<Void> stop() {
        return outbox.stop();
    }

    @Scheduled(every = "${ass.mail.poll-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> poll() {
        return config.mail().enabled() ? outbox.tick() : Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Attempt> send(String id, MailDeliveries.Job job) {
        return mailer.send(Mail.withText(job.recipient(), job.subject(), job.body())).replaceWith(Attempt.delivered(null));
    }

    @Override
    public String describe(Throwable failure) {
        return "SMTP: " + failure.getClass().getSimpleName();
    }
}

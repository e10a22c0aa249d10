package com.agentsecretstore.notify;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

/** Wakes the outbox senders when new events arrive, so deliveries start at once, not at the next poll. */
@ApplicationScoped
public class Dispatchers {

    private final Instance<WebhookDispatcher> webhooks;
    private final Instance<MailDispatcher> mail;

    public Dispatchers(Instance<WebhookDispatcher> webhooks, Instance<MailDispatcher> mail) {
        this.webhooks = webhooks;
        this.mail = mail;
    }

    public void wake() {
        webhooks.get().wake();
        mail.get().wake();
    }
}

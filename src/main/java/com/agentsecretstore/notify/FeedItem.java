package com.agentsecretstore.notify;

/** What the live feed sends next: an event, or (with no event) a keep-alive comment. */
public record FeedItem(StoredEvent event) {

    static final FeedItem KEEP_ALIVE = new FeedItem(null);

    public boolean keepAlive() {
        return event == null;
    }
}

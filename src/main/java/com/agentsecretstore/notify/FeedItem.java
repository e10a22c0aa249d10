package com.agentsecretstore.notify;

/**
 * What the live feed sends next: an event; or, with no event, a keep-alive comment, or the
 * farewell of a replica that is shutting down (a {@code retry:} hint, then the stream ends).
 */
public record FeedItem(StoredEvent event, boolean reconnect) {

    static final FeedItem KEEP_ALIVE = new FeedItem(null, false);
    static final FeedItem RECONNECT = new FeedItem(null, true);

    FeedItem(StoredEvent event) {
        this(event, false);
    }

    public boolean keepAlive() {
        return event == null && !reconnect;
    }
}

package com.agentsecretstore.access;

import java.util.Locale;

/** What a principal may try to do with an approval request. */
public enum Action {
    /** Read it anywhere: get, list, wait, the live feed, webhooks, mail, its audit rows. */
    SEE,
    APPROVE,
    DENY,
    CANCEL,
    /** Collect the token of an approved request. */
    COLLECT;

    /** The name in {@code allowed_actions}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}

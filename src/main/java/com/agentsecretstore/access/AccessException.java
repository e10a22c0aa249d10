package com.agentsecretstore.access;

import com.agentsecretstore.common.ApiException;

/**
 * A refusal of the access model on its way out: the one place a {@link Refusal} becomes an HTTP
 * status. A caller who may not see a request gets 404 for every action on it, exactly like an
 * unknown id; a caller who sees it but may not take the action gets 403.
 */
public final class AccessException extends ApiException {

    private final Refusal refusal;

    public AccessException(Refusal refusal) {
        super(refusal == Refusal.NOT_VISIBLE ? 404 : 403, refusal == Refusal.NOT_VISIBLE ? "Not Found" : "Forbidden",
                refusal.message(), null);
        this.refusal = refusal;
    }

    public Refusal refusal() {
        return refusal;
    }
}

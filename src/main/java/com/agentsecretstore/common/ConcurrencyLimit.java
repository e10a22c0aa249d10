package com.agentsecretstore.common;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

/**
 * How many long-lived requests (feeds, long-polls) each principal holds open on this replica. A
 * caller at the limit is refused before anything starts, so one principal cannot pin the memory,
 * connections and database time that everyone else's requests need.
 */
public final class ConcurrencyLimit {

    /** One held slot; releasing it twice counts once. */
    public static final class Permit {
        private final ConcurrencyLimit owner;
        private final String key;
        private final AtomicBoolean released = new AtomicBoolean();

        private Permit(ConcurrencyLimit owner, String key) {
            this.owner = owner;
            this.key = key;
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                owner.open.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
            }
        }
    }

    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();
    private final IntSupplier max;
    private final String what;

    /** {@code what} names the resource in the 429, e.g. "open event streams". */
    public ConcurrencyLimit(IntSupplier max, String what) {
        this.max = max;
        this.what = what;
    }

    /** Takes a slot for {@code key}, or refuses with a 429 problem when all its slots are taken. */
    public Permit acquire(String key) {
        int limit = max.getAsInt();
        boolean[] granted = { false };
        open.compute(key, (k, n) -> {
            int current = n == null ? 0 : n;
            if (current >= limit) {
                return n;
            }
            granted[0] = true;
            return current + 1;
        });
        if (!granted[0]) {
            throw ApiException.tooManyRequests("This principal already has " + limit + " " + what
                    + " on this server; close one first.");
        }
        return new Permit(this, key);
    }

    /** Slots held by {@code key} now. */
    public int held(String key) {
        return open.getOrDefault(key, 0);
    }
}

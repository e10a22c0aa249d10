package com.agentsecretstore.policy;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.smallrye.mutiny.Uni;

/**
 * Every statement on {@code setting}, as {@link Setting} entities in the caller's Hibernate session,
 * except the policy evaluation's one-statement read of its inputs ({@link PolicyTable}), which joins it.
 */
@ApplicationScoped
public class SettingTable {

    /** The stored setting or null; {@code lock} takes its row lock for the current transaction. */
    public Uni<Setting> find(String name, boolean lock) {
        return lock ? Setting.findById(name, LockModeType.PESSIMISTIC_WRITE) : Setting.findById(name);
    }

    /** Adds a new setting to the current transaction (a found one is written when it commits). */
    public Uni<Void> insert(Setting s) {
        return s.persist().replaceWithVoid();
    }
}

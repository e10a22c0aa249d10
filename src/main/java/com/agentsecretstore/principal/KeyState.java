package com.agentsecretstore.principal;

import java.util.Set;

import io.vertx.mutiny.sqlclient.Row;

/**
 * A key's (or service-account binding's) state as read back from its table, for the credential
 * watch to compare with what a long-lived request was authenticated for. Here, beside the tables
 * that read it, so that they do not depend on the watch.
 */
public record KeyState(boolean active, Role role, Set<String> namespaces) {

    /** From a row with the columns {@code active}, {@code role} and {@code namespaces}. */
    public static KeyState from(Row row) {
        String[] ns = row.getArrayOfStrings("namespaces");
        return new KeyState(row.getBoolean("active"), Role.fromWire(row.getString("role")), ns == null ? Set.of() : Set.of(ns));
    }
}

package com.agentsecretstore.principal;

import java.util.Locale;

/** What a principal may do: manage the store, review requests, or request tokens. */
public enum Role {
    ADMIN, APPROVER, AGENT;

    /** Role names as used by {@code @RolesAllowed} and on the wire. */
    public static final String ADMIN_NAME = "admin";
    public static final String APPROVER_NAME = "approver";
    public static final String AGENT_NAME = "agent";

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role fromWire(String value) {
        for (Role r : values()) {
            if (r.wire().equals(value)) {
                return r;
            }
        }
        return null;
    }

    /** Agents get {@code agt_} ids, everyone else {@code prn_}, as API.md fixes. */
    public String idPrefix() {
        return this == AGENT ? "agt" : "prn";
    }
}

package com.agentsecretstore.audit;

/**
 * Every action the audit log records, by its name in {@code audit_entry.action}. The names are
 * stable: audit filters, the chain and downstream tooling match on them.
 */
public enum AuditAction {
    APPROVAL_REQUEST("approval.request"),
    /** A repeated ask answered with the open request it repeats; no one is notified again. */
    APPROVAL_REQUEST_REPEAT("approval.request_repeat"),
    APPROVAL_APPROVE("approval.approve"),
    APPROVAL_DENY("approval.deny"),
    APPROVAL_CANCEL("approval.cancel"),
    APPROVAL_DELAY_ELAPSED("approval.delay_elapsed"),
    APPROVAL_EXPIRE("approval.expire"),
    /** The SLA ladder reminded a pending request's approvers. */
    APPROVAL_REMIND("approval.remind"),
    /** The SLA ladder added the escalation approvers to a pending request's approvers. */
    APPROVAL_ESCALATE("approval.escalate"),
    /** Written by migration V7 (SQL), never by Java: a repair of the seal chain's order. */
    AUDIT_REPAIR("audit.repair"),
    AUDIT_KEY_CREATE("audit.key.create"),
    AUDIT_KEY_ROTATE("audit.key.rotate"),
    AUTH_FAILURE("auth.failure"),
    AUTH_SIGNIN("auth.signin"),
    AUTH_SIGNOUT("auth.signout"),
    PASSKEY_REGISTER("passkey.register"),
    PASSKEY_DELETE("passkey.delete"),
    POLICY_UPDATE("policy.update"),
    PRINCIPAL_BOOTSTRAP("principal.bootstrap"),
    PRINCIPAL_CREATE("principal.create"),
    PRINCIPAL_UPDATE("principal.update"),
    PRINCIPAL_KEY_CREATE("principal.key.create"),
    PRINCIPAL_KEY_REVOKE("principal.key.revoke"),
    PRINCIPAL_OIDC_LINK("principal.oidc.link"),
    PRINCIPAL_OIDC_UNLINK("principal.oidc.unlink"),
    PRINCIPAL_PROVISION("principal.provision"),
    PRINCIPAL_SYNC("principal.sync"),
    SECRET_READ("secret.read"),
    SECRET_WRITE("secret.write"),
    SECRET_DELETE("secret.delete"),
    SECRET_REWRAP("secret.rewrap"),
    SETTINGS_UPDATE("settings.update"),
    TOKEN_ISSUE("token.issue"),
    TOKEN_COLLECT("token.collect"),
    TOKEN_REVOKE("token.revoke"),
    WEBHOOK_CREATE("webhook.create"),
    WEBHOOK_DELETE("webhook.delete"),
    WEBHOOK_ENABLE("webhook.enable"),
    WEBHOOK_REDELIVER("webhook.redeliver"),
    WEBHOOK_ROTATE_SECRET("webhook.rotate_secret");

    private final String wire;

    AuditAction(String wire) {
        this.wire = wire;
    }

    /** The name stored in {@code audit_entry.action}. */
    public String wire() {
        return wire;
    }

    public static AuditAction fromWire(String value) {
        for (AuditAction a : values()) {
            if (a.wire.equals(value)) {
                return a;
            }
        }
        return null;
    }
}

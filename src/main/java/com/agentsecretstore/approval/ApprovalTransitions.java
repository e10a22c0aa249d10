package com.agentsecretstore.approval;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.approval.ApprovalRules.Effect;
import com.agentsecretstore.approval.ApprovalRules.Budget;
import com.agentsecretstore.approval.ApprovalRules.Narrowing;
import com.agentsecretstore.approval.ApprovalRules.Outcome;
import com.agentsecretstore.approval.ApprovalRules.State;
import com.agentsecretstore.approval.ApprovalRules.Transition;
import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.AssConfig;
import com.agentsecretstore.notify.EventLog;
import com.agentsecretstore.notify.EventType;
import com.agentsecretstore.notify.Notice;
import com.agentsecretstore.policy.Scope;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.token.TokenIssuer;

import io.smallrye.mutiny.Uni;

/**
 * The one place a {@link Transition} of {@link ApprovalRules} is applied to a request: decisions,
 * namespace removal and the jobs all come through {@link #apply}. It runs in the caller's
 * transaction, on a row that transaction has locked; waking long-polls after the commit is the
 * caller's part.
 */
@ApplicationScoped
public class ApprovalTransitions {

    /** A rule of {@link ApprovalRules}, applied to the request's state at {@code now}. */
    public interface Rule {
        Outcome apply(State s, Instant now);
    }

    private final ApprovalStore store;
    private final TokenIssuer issuer;
    private final AuditLog audit;
    private final EventLog events;
    private final AssConfig config;
    private final ReceiptWriter receipts;

    public ApprovalTransitions(ApprovalStore store, TokenIssuer issuer, AuditLog audit, EventLog events, AssConfig config,
            ReceiptWriter receipts) {
        this.receipts = receipts;
        this.store = store;
        this.issuer = issuer;
        this.audit = audit;
        this.events = events;
        this.config = config;
    }

    /**
     * Applies the transition: records the decision, moves the status and times, publishes the events
     * in order (issuing the token just before {@code token.issued}), and audits the step under
     * {@code auditAction} with its {@code effect}, the new {@code status}, the token id when one was
     * issued, what it narrowed ({@code narrowed_*}), and {@code auditDetails}. A narrowed budget is
     * the request's from then on: later approvers see it, and the token is issued with it.
     */
    public Uni<Void> apply(ApprovalRequest r, Transition t, Caller actor, String note, AuditAction auditAction,
            Map<String, Object> auditDetails, Instant now) {
        Narrowing narrowed = ApprovalRules.changes(ApprovalStore.budget(r), t.budget());
        Uni<Void> step = t.recorded() == null ? Uni.createFrom().voidItem()
                : store.record(r, actor, t.recorded(), note, narrowed, now);
        step = step.invoke(() -> {
            if (t.budget() != null) {
                narrow(r, t.budget());
            }
            r.status = t.next();
            if (t.issueAt() != null) {
                r.issueAt = t.issueAt();
            }
            if (t.decidedAt() != null) {
                r.decidedAt = t.decidedAt();
            }
            if (t.effect() == Effect.REMIND) {
                r.remindedAt = now;
            } else if (t.effect() == Effect.ESCALATE) {
                r.escalatedAt = now;
            }
        });
        if (t.effect() == Effect.ESCALATE) {
            // Who receives the event is the access model's SQL, which reads escalated_at from the row.
            step = step.chain(store::flush);
        }
        // A job acts for nobody: its events name no actor.
        Caller by = "system".equals(actor.id()) ? null : actor;
        for (String event : t.events()) {
            step = step.chain(() -> EventType.TOKEN_ISSUED.equals(event)
                    ? issue(r, actor).chain(() -> publish(event, r, t.received(), null, null, Narrowing.NONE))
                    : publish(event, r, t.received(), by, note, narrowed));
        }
        return step.chain(() -> {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("effect", t.effect().wire());
            details.put("status", r.status.wire());
            if (r.tokenId != null) {
                details.put("token_id", r.tokenId);
            }
            putNarrowed(details, narrowed);
            if (t.effect() == Effect.ESCALATE) {
                details.put("escalation_approvers", r.escalatedTo());
            }
            details.putAll(auditDetails);
            return audit.append(AuditEvent.success(auditAction, actor).onPath(r.namespace, null).onTarget(r.id).with(details));
        });
    }

    /**
     * Applies {@code rule} to each locked row in turn, skipping those it refuses (another replica or
     * a decision came first); returns the ids it changed.
     */
    public Uni<List<String>> applyEach(List<ApprovalRequest> rows, Instant now, Rule rule, Caller actor, String note,
            AuditAction auditAction, Map<String, Object> auditDetails) {
        return store.decisions(rows.stream().map(r -> r.id).toList()).flatMap(ds -> {
            List<String> changed = new ArrayList<>();
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (ApprovalRequest r : rows) {
                Outcome o = rule.apply(ApprovalStore.state(r, ds), now);
                if (!o.refused()) {
                    changed.add(r.id);
                    chain = chain.chain(() -> apply(r, o.transition(), actor, note, auditAction, auditDetails, now));
                }
            }
            return chain.replaceWith(changed);
        });
    }

    private static void narrow(ApprovalRequest r, Budget b) {
        r.scope = b.scope();
        r.scopeGlob = Scope.parse(b.scope()).glob().pattern();
        r.tokenTtlSeconds = b.ttlSeconds();
        r.maxUses = b.maxUses();
    }

    private static void putNarrowed(Map<String, Object> into, Narrowing n) {
        if (n.scope() != null) {
            into.put("narrowed_scope", n.scope());
        }
        if (n.ttlSeconds() != null) {
            into.put("narrowed_ttl_seconds", n.ttlSeconds());
        }
        if (n.maxUses() != null) {
            into.put("narrowed_max_uses", n.maxUses());
        }
    }

    /** Issues the token with the budget in effect; its lifetime runs from now, the moment of issuance. */
    private Uni<Void> issue(ApprovalRequest r, Caller actor) {
        return issuer.issueForRequest(actor, r.requesterId, r.id, r.scope, r.scopeGlob, r.namespace, r.tier,
                r.tokenTtlSeconds, r.maxUses).invoke(t -> r.tokenId = t.id).replaceWithVoid();
    }

    /**
     * Announces the request's creation, which is not a transition of an existing request.
     */
    public Uni<Void> requested(ApprovalRequest r) {
        return publish(EventType.REQUESTED, r, 0, null, null, Narrowing.NONE);
    }

    /**
     * The event of a lifecycle change: the reference's webhook fields, then what an approver also
     * needs. Never a token value.
     */
    private Uni<Void> publish(String type, ApprovalRequest r, int received, Caller by, String note, Narrowing narrowed) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("approval_request_id", r.id);
        p.put("requested_by", r.requesterName);
        p.put("scope", r.scope);
        p.put("secret_paths", List.of(r.secretPaths));
        p.put("tier", r.tier.wire());
        p.put("description", r.description);
        p.put("expires_at", r.expiresAt.truncatedTo(ChronoUnit.SECONDS).toString());
        p.put("approve_url", approveUrl(r.id));
        p.put("status", r.status.wire());
        p.put("requester_id", r.requesterId);
        p.put("namespace", r.namespace);
        if (r.trustTier != null) {
            p.put("trust_tier", r.trustTier.wire());
            p.put("trust_source", r.trustSource == null ? null : r.trustSource.wire());
        }
        p.put("required_approvals", r.requiredApprovals);
        p.put("received_approvals", received);
        p.put("approval_delay_seconds", r.delaySeconds);
        // The budget in effect, what was asked, and what this step narrowed: approvers see all three.
        p.put("ttl_seconds", r.tokenTtlSeconds);
        if (r.maxUses != null) {
            p.put("max_uses", r.maxUses);
        }
        p.put("requested_scope", r.requestedScope);
        p.put("requested_ttl_seconds", r.requestedTtlSeconds);
        if (r.requestedMaxUses != null) {
            p.put("requested_max_uses", r.requestedMaxUses);
        }
        if (r.runId != null) {
            p.put("run_id", r.runId);
        }
        putNarrowed(p, narrowed);
        if (r.issueAt != null) {
            p.put("issue_at", r.issueAt.truncatedTo(ChronoUnit.SECONDS).toString());
        }
        if (r.tokenId != null) {
            p.put("token_id", r.tokenId);
        }
        if (r.remindedAt != null) {
            p.put("reminded_at", r.remindedAt.truncatedTo(ChronoUnit.SECONDS).toString());
        }
        if (r.escalatedAt != null) {
            p.put("escalated_at", r.escalatedAt.truncatedTo(ChronoUnit.SECONDS).toString());
            p.put("escalation_approvers", r.escalatedTo());
        }
        if (by != null) {
            p.put("actor_id", by.id());
            p.put("actor_name", by.name());
        }
        if (note != null) {
            p.put(EventType.DENIED.equals(type) || EventType.CANCELLED.equals(type) ? "reason" : "comment", note);
        }
        // The one hook of signed receipts: every terminal transition publishes its event here. The
        // receipt goes first, so that its signing is not done under the event lock EventLog takes.
        return receipts.ended(type, r)
                .chain(() -> events.publish(new Notice(type, r.id, r.namespace, r.requesterId, p))).replaceWithVoid();
    }

    /** Where a human opens the request in the dashboard. */
    public String approveUrl(String id) {
        String base = config.publicUrl().endsWith("/") ? config.publicUrl().substring(0, config.publicUrl().length() - 1)
                : config.publicUrl();
        return base + "/dashboard/approvals/" + id;
    }
}

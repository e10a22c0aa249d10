package com.agentsecretstore.approval;

import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import com.agentsecretstore.access.AccessModel;
import com.agentsecretstore.access.AccessModel.Target;
import com.agentsecretstore.approval.ApprovalRules.Ladder;
import com.agentsecretstore.approval.ApprovalRules.Budget;
import com.agentsecretstore.approval.ApprovalRules.Narrowing;
import com.agentsecretstore.approval.ApprovalRules.State;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.Ids;
import com.agentsecretstore.policy.Tier;
import com.agentsecretstore.principal.Caller;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * Owns tables {@code approval_request} and {@code approval_decision}: every read and write of their
 * rows, within the session or transaction the calling service opened. Rows are the entities
 * {@link ApprovalRequest} and {@link ApprovalDecision}; a change to a loaded request is written by
 * the session at its flush or commit.
 */
@ApplicationScoped
public class ApprovalStore {

    /** Rows a job claims per transaction. */
    static final int JOB_BATCH = 100;
    /** First key of the advisory lock around asks with the same dedupe key (second: hash of the key). */
    static final int DEDUPE_LOCK = 7364102;
    /** Requests not final yet: candidates of a cancellation, and the ones a dedupe key finds. */
    private static final String OPEN = "status in ('pending', 'delayed')";

    /**
     * The candidates of each job, oldest due first: the SQL only narrows them, and every row is then
     * judged by the rule of {@link ApprovalRules} the job applies.
     */
    public enum Due {
        /** Delayed requests whose cancel window closed ({@link ApprovalRules#issueDue}). */
        ISSUE("status = 'delayed' and issue_at <= :now", "issue_at"),
        /** Pending requests past their expiry ({@link ApprovalRules#expire}). */
        EXPIRE("status = 'pending' and expires_at <= :now", "expires_at"),
        /** Pending requests whose reminder is due ({@link ApprovalRules#remind}). */
        REMIND("status = 'pending' and reminded_at is null and remind_at <= :now and expires_at > :now", "remind_at"),
        /** Pending requests whose escalation is due ({@link ApprovalRules#escalate}). */
        ESCALATE("status = 'pending' and escalated_at is null and escalate_at <= :now and expires_at > :now", "escalate_at");

        private final String where;
        private final String orderBy;

        Due(String where, String orderBy) {
            this.where = where;
            this.orderBy = orderBy;
        }
    }

    /** The request, or null when there is none. */
    public Uni<ApprovalRequest> find(String id) {
        return ApprovalRequest.findById(id);
    }

    /** The request, or 404; {@code lock} takes its row lock for the current transaction. */
    public Uni<ApprovalRequest> load(String id, boolean lock) {
        Uni<ApprovalRequest> found = lock ? ApprovalRequest.findById(id, LockModeType.PESSIMISTIC_WRITE) : find(id);
        return found.map(r -> {
            if (r == null) {
                throw ApiException.notFound("No such approval request.");
            }
            return r;
        });
    }

    /** Inserts a new request. */
    public Uni<Void> insert(ApprovalRequest r) {
        return r.persist().replaceWithVoid();
    }

    /** Writes the changes made to loaded requests and their new decisions now, for SQL that reads them from the tables. */
    public Uni<Void> flush() {
        return Panache.getSession().flatMap(s -> s.flush());
    }

    /** The decisions of these requests, oldest first. */
    public Uni<List<ApprovalDecision>> decisions(List<String> requestIds) {
        if (requestIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return ApprovalDecision.list("requestId in ?1 order by decidedAt, id", requestIds);
    }

    public Uni<Void> record(ApprovalRequest r, Caller caller, DecisionKind kind, String note, Instant now) {
        return record(r, caller, kind, note, Narrowing.NONE, now);
    }

    /** Records a decision with what it narrowed (an approval's parts of {@code narrowed}). */
    public Uni<Void> record(ApprovalRequest r, Caller caller, DecisionKind kind, String note, Narrowing narrowed, Instant now) {
        ApprovalDecision d = new ApprovalDecision();
        d.id = Ids.next("apd");
        d.requestId = r.id;
        d.principalId = caller.id();
        d.principalName = caller.name();
        d.kind = kind;
        d.note = note;
        d.decidedAt = now;
        d.narrowedScope = narrowed.scope();
        d.narrowedTtlSeconds = narrowed.ttlSeconds();
        d.narrowedMaxUses = narrowed.maxUses();
        return d.persist().replaceWithVoid();
    }

    /**
     * Locks up to {@link #JOB_BATCH} of the job's candidates with SKIP LOCKED, so replicas running
     * the same job never take the same row.
     */
    public Uni<List<ApprovalRequest>> claim(Due due, Instant now) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery("select * from approval_request where " + due.where
                + " order by " + due.orderBy + " limit " + JOB_BATCH + " for update skip locked", ApprovalRequest.class)
                .setParameter("now", now)
                .getResultList());
    }

    /** Locks the open requests of the requester in these namespaces. */
    public Uni<List<ApprovalRequest>> lockOpen(String requesterId, List<String> namespaces) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery("select * from approval_request where "
                + "requester_id = :requester and namespace in (:namespaces) and " + OPEN
                + " order by id for update", ApprovalRequest.class)
                .setParameter("requester", requesterId)
                .setParameter("namespaces", namespaces)
                .getResultList());
    }

    /**
     * One page (newest first, up to {@code limit + 1} rows so the caller knows there is more) of the
     * requests the principal may see: visibility is the access model's SQL.
     */
    public Uni<List<ApprovalRequest>> page(String principalId, ApprovalStatus status, String namespace, String before,
            int limit) {
        StringBuilder q = new StringBuilder("select r.* from approval_request r where exists (select 1 from principal p "
                + "where p.id = :me and " + AccessModel.seeRequestSql("p", "r") + ")");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("me", principalId);
        if (status != null) {
            q.append(" and r.status = :status");
            params.put("status", status.wire());
        }
        if (namespace != null) {
            q.append(" and r.namespace = :namespace");
            params.put("namespace", namespace);
        }
        if (before != null) {
            q.append(" and r.id < :before");
            params.put("before", before);
        }
        q.append(" order by r.id desc limit ").append(limit + 1);
        return Panache.getSession().flatMap(s -> {
            var query = s.createNativeQuery(q.toString(), ApprovalRequest.class);
            params.forEach(query::setParameter);
            return query.getResultList();
        });
    }

    /** The request as the access model sees it. */
    public static Target target(ApprovalRequest r) {
        return new Target(r.namespace, r.requesterId, r.escalatedTo());
    }

    /** The request as {@link ApprovalRules} see it, given its decisions (others' are ignored). */
    public static State state(ApprovalRequest r, List<ApprovalDecision> ds) {
        Set<String> approvedBy = new HashSet<>();
        ds.stream().filter(d -> d.requestId.equals(r.id) && d.kind == DecisionKind.APPROVE)
                .forEach(d -> approvedBy.add(d.principalId));
        return new State(r.status, r.requesterId, r.requiredApprovals, r.delaySeconds, r.expiresAt, r.issueAt, approvedBy,
                budget(r), new Ladder(r.remindAt, r.remindedAt, r.escalateAt, r.escalatedAt), r.tier == Tier.CRITICAL);
    }

    /** The budget in effect of a request. */
    public static Budget budget(ApprovalRequest r) {
        return new Budget(r.scope, r.tokenTtlSeconds, r.maxUses);
    }

    /**
     * Serializes, across replicas, the asks that share a dedupe key until the current transaction
     * ends; the ask that waited then sees the request the first one committed.
     */
    public Uni<Void> lockDedupe(byte[] dedupeKey) {
        return Panache.getSession()
                .flatMap(s -> s.createNativeQuery("select pg_advisory_xact_lock(" + DEDUPE_LOCK + ", hashtext(:key))")
                        .setParameter("key", java.util.HexFormat.of().formatHex(dedupeKey)).getSingleResult())
                .replaceWithVoid();
    }

    /** The open (pending or delayed) request with this dedupe key, locked, or null. */
    public Uni<ApprovalRequest> openByDedupe(byte[] dedupeKey) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery("select * from approval_request where dedupe_key = :key and "
                + OPEN + " for update", ApprovalRequest.class)
                .setParameter("key", dedupeKey)
                .getResultList())
                .map(rows -> rows.isEmpty() ? null : rows.get(0));
    }

    /**
     * Takes the dedupe key off a request that is open in the table but past its expiry (the job has
     * not marked it yet), so a new ask can open a request with the key. Runs at once, before the
     * insert that follows.
     */
    public Uni<Void> forgetDedupe(ApprovalRequest r) {
        r.dedupeKey = null;
        return Panache.getSession().flatMap(s -> s.createNativeQuery("update approval_request set dedupe_key = null where id = :id")
                .setParameter("id", r.id).executeUpdate()).replaceWithVoid();
    }
}

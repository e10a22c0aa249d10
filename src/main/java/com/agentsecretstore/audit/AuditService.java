package com.agentsecretstore.audit;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;


import com.agentsecretstore.audit.AuditApi.ActorView;
import com.agentsecretstore.audit.AuditApi.BrokenView;
import com.agentsecretstore.audit.AuditApi.EntryView;
import com.agentsecretstore.audit.AuditApi.HeadView;
import com.agentsecretstore.audit.AuditApi.ListQuery;
import com.agentsecretstore.audit.AuditApi.VerifyResult;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.Page;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Role;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Reading the audit trail and checking its chain. Admins read everything; approvers read the
 * entries of the namespaces they are designated for; agents read nothing.
 */
@ApplicationScoped
public class AuditService {

    /** Entries loaded per round trip while verifying, so memory stays flat however long the chain. */
    static final int VERIFY_BATCH = 1000;

    private static final HexFormat HEX = HexFormat.of();

    private final ObjectMapper json;

    public AuditService(ObjectMapper json) {
        this.json = json;
    }

    /** A page of entries, newest first, matching every given filter and the caller's reach. */
    @WithSession
    public Uni<Page<EntryView>> list(Caller caller, ListQuery query) {
        if (caller.role() != Role.ADMIN && caller.role() != Role.APPROVER) {
            throw ApiException.forbidden("Only admins and approvers may read the audit trail.");
        }
        AuditFilter filter = AuditFilter.parse(query);
        List<String> where = new ArrayList<>();
        Parameters params = new Parameters();
        if (caller.role() == Role.APPROVER) {
            List<String> reach = caller.namespaces() == null ? List.of() : caller.namespaces();
            if (filter.namespace() != null && !reach.contains(filter.namespace())) {
                throw ApiException.forbidden("Approvers may read the audit trail of their own namespaces only.");
            }
            if (reach.isEmpty()) {
                return Uni.createFrom().item(new Page<>(List.of(), null));
            }
            where.add("namespace in :reach");
            params.and("reach", reach);
        }
        if (filter.actorId() != null) {
            where.add("actorId = :actor");
            params.and("actor", filter.actorId());
        }
        if (filter.namespace() != null) {
            where.add("namespace = :namespace");
            params.and("namespace", filter.namespace());
        }
        if (filter.path() != null) {
            where.add("path = :path");
            params.and("path", filter.path());
        }
        if (filter.action() != null) {
            where.add("action = :action");
            params.and("action", filter.action());
        }
        if (filter.actionPrefix() != null) {
            where.add("action like :actionPrefix escape '\\'");
            params.and("actionPrefix", escapeLike(filter.actionPrefix()) + "%");
        }
        if (filter.outcome() != null) {
            where.add("outcome = :outcome");
            params.and("outcome", filter.outcome());
        }
        if (filter.from() != null) {
            where.add("recordedAt >= :from");
            params.and("from", filter.from());
        }
        if (filter.to() != null) {
            where.add("recordedAt < :to");
            params.and("to", filter.to());
        }
        if (filter.beforeId() != null) {
            where.add("id < :before");
            params.and("before", filter.beforeId());
        }
        String hql = (where.isEmpty() ? "" : String.join(" and ", where) + " ") + "order by id desc";
        int limit = filter.limit();
        return AuditEntry.<AuditEntry>find(hql, params)
                .range(0, limit)
                .list()
                .map(rows -> Page.of(rows, limit, e -> e.id, this::view));
    }

    /**
     * Walks the whole chain in {@code chain_seq} order, {@link #VERIFY_BATCH} entries per session,
     * and reports the first entry that does not follow from those before it (see
     * {@link AuditChain.Walk} for what this can and cannot detect). Entries not sealed yet are
     * counted, not checked.
     */
    public Uni<VerifyResult> verify(Caller caller) {
        if (!caller.isAdmin()) {
            throw ApiException.forbidden("Only admins may verify the audit chain.");
        }
        VerifyRun run = new VerifyRun();
        return Multi.createBy().repeating()
                .uni(() -> run, this::verifyNextBatch)
                .until(ignored -> run.finished)
                .collect().last()
                .chain(() -> Panache.withSession(() -> AuditEntry.count("chainSeq is null")))
                .map(run::result);
    }

    private Uni<Integer> verifyNextBatch(VerifyRun run) {
        return Panache.withSession(() -> AuditEntry.<AuditEntry>find("chainSeq > ?1 order by chainSeq", run.lastSeq)
                .range(0, VERIFY_BATCH - 1)
                .list())
                .map(batch -> {
                    for (AuditEntry e : batch) {
                        AuditChain.Break broken = run.walk.check(e);
                        if (broken != null) {
                            run.broken = broken;
                            run.finished = true;
                            return batch.size();
                        }
                        run.lastSeq = e.chainSeq;
                    }
                    run.finished = batch.size() < VERIFY_BATCH;
                    return batch.size();
                });
    }

    /** The state of one verification as it moves through the batches. */
    private static final class VerifyRun {
        final AuditChain.Walk walk = new AuditChain.Walk();
        /** Starts below any sequence number, so that a row moved to 0 or below is still seen. */
        long lastSeq = Long.MIN_VALUE;
        AuditChain.Break broken;
        boolean finished;

        VerifyResult result(long unsealed) {
            BrokenView firstBroken = broken == null ? null : new BrokenView(broken.id(), broken.chainSeq(), broken.reason());
            HeadView head = walk.headSeq() == 0 ? null : new HeadView(walk.headSeq(), HEX.formatHex(walk.headHash()));
            return new VerifyResult(broken == null, walk.checked(), unsealed, firstBroken, head);
        }
    }

    EntryView view(AuditEntry e) {
        ActorView actor = e.actorId == null && e.actorName == null ? null : new ActorView(e.actorId, e.actorName, e.actorRole);
        return new EntryView(e.id, e.recordedAt, e.action, e.outcome, actor, e.sourceIp, e.namespace, e.path, e.targetId,
                details(e.details), e.chainSeq, hex(e.prevHash), hex(e.entryHash), e.chainSeq != null);
    }

    /** The recorded JSON object; text that no longer parses (edited in SQL) is shown as it is stored. */
    private JsonNode details(String stored) {
        if (stored == null) {
            return null;
        }
        try {
            return json.readTree(stored);
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(stored);
        }
    }

    private static String hex(byte[] bytes) {
        return bytes == null ? null : HEX.formatHex(bytes);
    }

    private static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}

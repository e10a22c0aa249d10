package com.agentsecretstore.secret;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.Transactions;
import com.agentsecretstore.crypto.Barrier.Sealed;
import com.agentsecretstore.crypto.Barrier;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.secret.SecretApi.MasterKeyStatus;
import com.agentsecretstore.secret.SecretApi.RewrapResult;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Master key rotation: re-wraps every data key still under an older master key with the active
 * one ({@code secret_version} through {@link SecretTable}). Values are not re-encrypted, so their ciphertext stays byte for byte the same. Batches are
 * claimed with SKIP LOCKED, so two replicas (or two admins) re-wrapping at once share the work.
 */
@ApplicationScoped
public class MasterKeyService {

    private static final String ADMINS_ONLY = "Only admins may manage master keys.";

    static final int BATCH = 200;

    private final Barrier barrier;
    private final AuditLog audit;
    private final SecretTable table;

    public MasterKeyService(Barrier barrier, AuditLog audit, SecretTable table) {
        this.table = table;
        this.barrier = barrier;
        this.audit = audit;
    }

    public Uni<MasterKeyStatus> status(Caller caller) {
        caller.requireAdmin(ADMINS_ONLY);
        return Transactions.read(table::countByKey).map(counts -> {
            List<String> missing = new ArrayList<>();
            counts.keySet().forEach(id -> {
                if (!barrier.keyIds().contains(id)) {
                    missing.add(id);
                }
            });
            return new MasterKeyStatus(barrier.activeKeyId(), List.copyOf(new java.util.TreeSet<>(barrier.keyIds())), counts,
                    missing);
        });
    }

    public Uni<RewrapResult> rewrapAll(Caller caller) {
        caller.requireAdmin(ADMINS_ONLY);
        return Multi.createBy().repeating().uni(() -> Transactions.run(() -> rewrapBatch(caller)))
                .whilst(n -> n == BATCH)
                .collect().with(java.util.stream.Collectors.summingLong(Integer::longValue))
                .flatMap(total -> Transactions.read(table::countByKey)
                        .map(counts -> new RewrapResult(total, barrier.activeKeyId(), counts)));
    }

    private Uni<Integer> rewrapBatch(Caller caller) {
        String active = barrier.activeKeyId();
        return table.claimForRewrap(active, BATCH)
                .flatMap(rows -> {
                    if (rows.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    Map<String, Long> from = new TreeMap<>();
                    for (SecretVersion v : rows) {
                        if (!barrier.keyIds().contains(v.masterKeyId)) {
                            throw ApiException.conflict("Some values are under master key '" + v.masterKeyId
                                    + "', which is not configured; add it to ASS_MASTER_KEYS to re-wrap them.");
                        }
                        Sealed moved = barrier.rewrap(v.path, v.version, new Sealed(v.masterKeyId, v.wrappedKey, v.ciphertext));
                        from.merge(v.masterKeyId, 1L, Long::sum);
                        v.masterKeyId = moved.masterKeyId();
                        v.wrappedKey = moved.wrappedKey();
                    }
                    return audit.append(AuditEvent.success(AuditAction.SECRET_REWRAP, caller)
                            .with(Map.of("count", rows.size(), "from_keys", from, "to_key", active)))
                            .replaceWith(rows.size());
                });
    }
}

package com.agentsecretstore.secret;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import com.agentsecretstore.policy.Tier;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * Every statement on {@code secret} and {@code secret_version} outside the read path, as
 * {@link Secret} and {@link SecretVersion} entities in the Hibernate session or transaction the
 * calling service opened. Reading a value is the one exception: the token's read lookup
 * ({@code TokenTable}) joins both tables in its single statement, and the policy evaluation reads the
 * paths and tiers under a prefix with its inputs ({@code PolicyTable}).
 */
@ApplicationScoped
public class SecretTable {

    private static final String CREATE = "insert into secret (path, namespace, tier, metadata, current_version, created_at, "
            + "updated_at, created_by, updated_by) values (:path, :ns, :tier, :meta, 0, :now, :now, :by, :by) "
            + "on conflict (path) do nothing";

    private static final String RAISE_VERSIONS = "update secret_version set tier = :tier where path = :path and tier in (:lower)";

    private static final String CLAIM_FOR_REWRAP = "select * from secret_version where master_key_id <> :active "
            + "order by path, version limit :n for update skip locked";

    private static final String COUNT_BY_KEY = "select v.masterKeyId, count(v) from SecretVersion v group by v.masterKeyId";

    /** Creates the secret with no version yet, unless it exists. */
    public Uni<Void> createIfAbsent(SecretPath path, Tier tier, String metadata, Instant now, String by) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery(CREATE)
                .setParameter("path", path.value())
                .setParameter("ns", path.namespace())
                .setParameter("tier", tier.wire())
                .setParameter("meta", metadata)
                .setParameter("now", now)
                .setParameter("by", by)
                .executeUpdate())
                .replaceWithVoid();
    }

    /** The secret or null; {@code lock} takes its row lock for the current transaction. */
    public Uni<Secret> find(String path, boolean lock) {
        return lock ? Secret.findById(path, LockModeType.PESSIMISTIC_WRITE) : Secret.findById(path);
    }

    /** Up to {@code n} secrets whose path is LIKE {@code like} (escape {@code \}), after {@code after}, by path. */
    public Uni<List<Secret>> page(String like, String after, int n) {
        return Secret.<Secret>find("path like ?1 escape '\\' and path > ?2 order by path", like, after).range(0, n).list();
    }

    /** The secret's versions, newest first. */
    public Uni<List<SecretVersion>> versions(String path) {
        return SecretVersion.list("path = ?1 order by version desc", path);
    }

    public Uni<Void> addVersion(SecretVersion v) {
        return v.persist().replaceWithVoid();
    }

    /** Raises every version of the secret below {@code tier} to it. */
    public Uni<Void> raiseVersions(String path, Tier tier) {
        List<String> lower = Arrays.stream(Tier.values()).filter(t -> !t.atLeast(tier)).map(Tier::wire).toList();
        if (lower.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Panache.getSession().flatMap(s -> s.createNativeQuery(RAISE_VERSIONS)
                .setParameter("tier", tier.wire())
                .setParameter("path", path)
                .setParameter("lower", lower)
                .executeUpdate())
                .replaceWithVoid();
    }

    /** Deletes the secret and every version of it. */
    public Uni<Void> delete(Secret secret) {
        return SecretVersion.delete("path", secret.path).chain(secret::delete);
    }

    /**
     * Locks up to {@code n} versions not under master key {@code active}, skipping those another
     * transaction holds; their changes are written when the transaction commits.
     */
    public Uni<List<SecretVersion>> claimForRewrap(String active, int n) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery(CLAIM_FOR_REWRAP, SecretVersion.class)
                .setParameter("active", active)
                .setParameter("n", n)
                .getResultList());
    }

    /** How many versions each master key wraps. */
    public Uni<Map<String, Long>> countByKey() {
        return Panache.getSession()
                .flatMap(s -> s.createSelectionQuery(COUNT_BY_KEY, Object[].class).getResultList())
                .map(rows -> {
                    Map<String, Long> counts = new TreeMap<>();
                    rows.forEach(r -> counts.put((String) r[0], (Long) r[1]));
                    return counts;
                });
    }
}

package com.agentsecretstore.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.common.AssConfig;
import com.agentsecretstore.policy.moltbotden.ResolvedTrust;
import com.agentsecretstore.policy.moltbotden.StoredSettings;
import com.agentsecretstore.policy.moltbotden.TrustLookup;
import com.agentsecretstore.policy.moltbotden.TrustSource;
import com.agentsecretstore.secret.SecretService;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Decides what a scope requires: the namespace policy, the secrets the scope reaches and, when the
 * MoltbotDen integration is on, the requester's trust tier ({@link TrustLookup}: the admin's override,
 * else the registry, asked only when the tier could change the answer). {@link #evaluate} reads its
 * inputs in one plain SQL statement of its own; {@link #policy} and {@link #moltbotden} run in the
 * caller's Hibernate session, so that what follows sees the same data.
 * Parsed policies are cached against their stored text, so a changed policy applies at once.
 */
@ApplicationScoped
public class AccessDecider {

    static final String MOLTBOTDEN = StoredSettings.NAME;

    /** Bounds the parsed-policy cache; past it the cache starts over (policies are few in practice). */
    private static final int MAX_CACHED_POLICIES = 4096;

    /** Everything {@link #evaluate} reads, in one row: trust tier, policy, MoltbotDen setting, the secrets under the scope's prefix. */
    private static final String EVALUATION_INPUTS = "select p.trust_tier, np.document, st.value, s.paths, s.tiers, p.moltbotden_id, np.revision "
            + "from (select 1) one "
            + "left join principal p on p.id = $1 "
            + "left join namespace_policy np on np.namespace = $2 "
            + "left join setting st on st.name = $4 "
            + "cross join lateral (select array_agg(path) as paths, array_agg(tier) as tiers from secret "
            + "where namespace = $2 and path like $3 escape '\\') s";

    private final ObjectMapper json;
    private final Pool pool;
    private final AssConfig config;
    private final TrustLookup trust;
    /** Parsed policies by namespace, each with the stored text it came from: a changed text is parsed again. */
    private final ConcurrentHashMap<String, Parsed> parsed = new ConcurrentHashMap<>();

    private record Parsed(String document, TierResolver resolver) {
    }

    public AccessDecider(ObjectMapper json, Pool pool, AssConfig config, TrustLookup trust) {
        this.trust = trust;
        this.json = json;
        this.pool = pool;
        this.config = config;
    }

    /**
     * The outcome for one requester and scope, with what it was based on. {@code trustSource} says
     * where {@code trust} came from; null when trust tiers are off or the policy's answer needs no
     * approval (then nothing was asked and {@code trust} is the override or Unregistered).
     * {@code policyRevision} and {@code policySha256} name the stored policy text that applied (0 and
     * null: the built-in default).
     */
    public record Evaluation(Requirement requirement, Requirement base, TrustTier trust, boolean trustApplied,
            List<String> secretPaths, NamespacePolicy policy, TrustSource trustSource, int policyRevision,
            byte[] policySha256) {
    }

    /**
     * What a request for {@code scope} by {@code principalId} requires. One plain SQL statement
     * reads everything the decision needs (one snapshot), outside any session or transaction: most
     * token requests need no approval, and for them nothing else is read or locked.
     */
    public Uni<Evaluation> evaluate(Scope scope, String principalId) {
        // Only secrets under the scope's literal prefix can match it; the rest need not be read.
        String like = SecretService.escapeLike(scope.glob().literalPrefix()) + "%";
        return pool.preparedQuery(EVALUATION_INPUTS).execute(Tuple.of(principalId, scope.namespace(), like, MOLTBOTDEN))
                .flatMap(rows -> {
                    Row row = rows.iterator().next();
                    String[] paths = row.getArrayOfStrings(3);
                    String[] tiers = row.getArrayOfStrings(4);
                    List<SecretRef> secrets = new ArrayList<>();
                    for (int i = 0; paths != null && i < paths.length; i++) {
                        secrets.add(new SecretRef(paths[i], Tier.fromWire(tiers[i])));
                    }
                    String document = row.getString(1);
                    Integer revision = row.getInteger(6);
                    Applied applied = new Applied(revision == null ? 0 : revision, document == null ? null : sha256(document));
                    TierResolver resolver = resolver(scope.namespace(), document);
                    List<SecretRef> reached = resolver.reached(scope.glob(), secrets);
                    Requirement base = resolver.forScope(scope.glob(), reached);
                    List<String> reachedPaths = reached.stream().map(SecretRef::path).sorted().toList();
                    TrustLookup.Effective settings = trust.effective(stored(row.getString(2)));
                    String override = row.getString(0);
                    if (!settings.enabled() || base.autoApproved()) {
                        // A trust tier only relaxes: nothing to ask when it is off or nothing needs approval.
                        ResolvedTrust known = ResolvedTrust.override(override);
                        return Uni.createFrom().item(decide(base, known == null ? TrustTier.UNREGISTERED : known.tier(),
                                settings.enabled(), null, reachedPaths, resolver.policy(), applied));
                    }
                    return trust.resolve(settings, override, row.getString(5)).map(t -> decide(base, t.tier(), true,
                            t.source(), reachedPaths, resolver.policy(), applied));
                });
    }

    private static Evaluation decide(Requirement base, TrustTier trust, boolean trustOn, TrustSource source,
            List<String> reachedPaths, NamespacePolicy policy, Applied applied) {
        Requirement effective = trustOn ? TrustAdjustment.adjust(base, trust) : base;
        return new Evaluation(effective, base, trust, trustOn, reachedPaths, policy, source, applied.revision(),
                applied.sha256());
    }

    /** The stored policy text an evaluation used, for the decision receipt. */
    private record Applied(int revision, byte[] sha256) {
    }

    private static byte[] sha256(String text) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /**
     * The strictest of a secret's own tier and what its namespace policy says for its path, given
     * the policy document the caller has read itself ({@code null} when the namespace has none).
     * Parsing is cached against the exact stored text, so a changed policy takes effect on the next call.
     */
    public Tier effectiveTier(String namespace, String document, String path, Tier own) {
        return resolver(namespace, document).forSecret(new SecretRef(path, own)).tier();
    }

    private TierResolver resolver(String namespace, String document) {
        Parsed p = parsed.get(namespace);
        if (p == null || !Objects.equals(p.document(), document)) {
            NamespacePolicy policy = document == null ? NamespacePolicy.defaultFor(namespace)
                    : PolicyDocuments.read(json, namespace, document);
            p = new Parsed(document, new TierResolver(policy, config.policy().evaluationSteps()));
            if (parsed.size() >= MAX_CACHED_POLICIES) {
                parsed.clear();
            }
            parsed.put(namespace, p);
        }
        return p.resolver();
    }

    public Uni<NamespacePolicy> policy(String namespace) {
        return PolicyRecord.<PolicyRecord>findById(namespace)
                .map(r -> r == null ? NamespacePolicy.defaultFor(namespace) : PolicyDocuments.read(json, namespace, r.document));
    }

    /** The stored run-time setting, or null when none was stored; in the caller's Hibernate session. */
    public Uni<StoredSettings> moltbotden() {
        return Setting.<Setting>findById(MOLTBOTDEN).map(s -> stored(s == null ? null : s.value));
    }

    private StoredSettings stored(String value) {
        if (value == null) {
            return null;
        }
        try {
            return json.readValue(value, StoredSettings.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored MoltbotDen settings are not JSON", e);
        }
    }
}

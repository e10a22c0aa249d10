package com.agentsecretstore.policy;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.common.AssConfig;
import com.agentsecretstore.common.Digests;
import com.agentsecretstore.policy.moltbotden.ResolvedTrust;
import com.agentsecretstore.policy.moltbotden.StoredSettings;
import com.agentsecretstore.policy.moltbotden.TrustLookup;
import com.agentsecretstore.policy.moltbotden.TrustSource;
import com.agentsecretstore.secret.SecretService;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Decides what a scope requires: the namespace policy, the secrets the scope reaches and, when the
 * MoltbotDen integration is on, the requester's trust tier ({@link TrustLookup}: the admin's override,
 * else the registry, asked only when the tier could change the answer). {@link #evaluate} reads its
 * inputs in one plain SQL statement of its own ({@link PolicyTable#evaluationInputs}); {@link #policy} and {@link #moltbotden} run in the
 * caller's Hibernate session, so that what follows sees the same data.
 * Parsed policies are cached against their stored text, so a changed policy applies at once.
 */
@ApplicationScoped
public class AccessDecider {

    static final String MOLTBOTDEN = StoredSettings.NAME;

    /** Bounds the parsed-policy cache; past it the cache starts over (policies are few in practice). */
    private static final int MAX_CACHED_POLICIES = 4096;

    private final ObjectMapper json;
    private final Pool pool;
    private final AssConfig config;
    private final TrustLookup trust;
    private final PolicyTable policies;
    private final SettingTable settings;
    /** Parsed policies by namespace, each with the stored text it came from: a changed text is parsed again. */
    private final ConcurrentHashMap<String, Parsed> parsed = new ConcurrentHashMap<>();

    private record Parsed(String document, TierResolver resolver) {
    }

    public AccessDecider(ObjectMapper json, Pool pool, AssConfig config, TrustLookup trust, PolicyTable policies,
            SettingTable settings) {
        this.trust = trust;
        this.policies = policies;
        this.settings = settings;
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
        return policies.evaluationInputs(pool, principalId, scope.namespace(), like, MOLTBOTDEN)
                .flatMap(in -> {
                    String document = in.document();
                    Applied applied = new Applied(in.revision(), document == null ? null : Digests.sha256Of(document));
                    TierResolver resolver = resolver(scope.namespace(), document);
                    List<SecretRef> reached = resolver.reached(scope.glob(), in.secrets());
                    Requirement base = resolver.forScope(scope.glob(), reached);
                    List<String> reachedPaths = reached.stream().map(SecretRef::path).sorted().toList();
                    TrustLookup.Effective effective = trust.effective(stored(in.setting()));
                    String override = in.trustOverride();
                    if (!effective.enabled() || base.autoApproved()) {
                        // A trust tier only relaxes: nothing to ask when it is off or nothing needs approval.
                        ResolvedTrust known = ResolvedTrust.override(override);
                        return Uni.createFrom().item(decide(base, known == null ? TrustTier.UNREGISTERED : known.tier(),
                                effective.enabled(), null, reachedPaths, resolver.policy(), applied));
                    }
                    return trust.resolve(effective, override, in.moltbotdenId()).map(t -> decide(base, t.tier(), true,
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
        return policies.find(namespace, false)
                .map(r -> r == null ? NamespacePolicy.defaultFor(namespace) : PolicyDocuments.read(json, namespace, r.document));
    }

    /** The stored run-time setting, or null when none was stored; in the caller's Hibernate session. */
    public Uni<StoredSettings> moltbotden() {
        return settings.find(MOLTBOTDEN, false).map(s -> stored(s == null ? null : s.value));
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

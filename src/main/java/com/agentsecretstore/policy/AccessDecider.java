package com.agentsecretstore.policy;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.policy.PolicyApi.MoltbotdenSettings;
import com.agentsecretstore.secret.Secret;
import com.agentsecretstore.secret.SecretService;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;

/**
 * Decides what a scope requires: the namespace policy, the secrets the scope reaches and, when the
 * MoltbotDen integration is on, the requester's trust tier. Callers run it inside their session or
 * transaction, so the decision and what follows from it see the same data.
 */
@ApplicationScoped
public class AccessDecider {

    static final String MOLTBOTDEN = "integrations.moltbotden";

    /** Bounds the parsed-policy cache; past it the cache starts over (policies are few in practice). */
    private static final int MAX_CACHED_POLICIES = 4096;

    private final ObjectMapper json;
    /** Parsed policies by namespace, each with the stored text it came from: a changed text is parsed again. */
    private final ConcurrentHashMap<String, Parsed> parsed = new ConcurrentHashMap<>();

    private record Parsed(String document, TierResolver resolver) {
    }

    public AccessDecider(ObjectMapper json) {
        this.json = json;
    }

    /** The outcome for one requester and scope, with what it was based on. */
    public record Evaluation(Requirement requirement, Requirement base, TrustTier trust, boolean trustApplied,
            List<String> secretPaths, NamespacePolicy policy) {
    }

    public Uni<Evaluation> evaluate(Scope scope, String requesterTrustTier) {
        // Only secrets under the scope's literal prefix can match it; the rest need not be read.
        String like = SecretService.escapeLike(scope.glob().literalPrefix()) + "%";
        return policy(scope.namespace()).flatMap(policy -> Secret.<Secret>list("namespace = ?1 and path like ?2 escape '\\'",
                scope.namespace(), like)
                .flatMap(secrets -> moltbotden().map(settings -> {
                    List<SecretRef> reached = secrets.stream()
                            .filter(s -> scope.covers(s.path))
                            .map(s -> new SecretRef(s.path, Tier.fromWire(s.tier)))
                            .toList();
                    Requirement base = new TierResolver(policy).forScope(scope.glob(), reached);
                    boolean trustOn = Boolean.TRUE.equals(settings.enabled());
                    TrustTier trust = TrustTier.fromWire(requesterTrustTier);
                    if (trust == null) {
                        trust = TrustTier.UNREGISTERED;
                    }
                    Requirement effective = trustOn ? TrustAdjustment.adjust(base, trust) : base;
                    return new Evaluation(effective, base, trust, trustOn,
                            reached.stream().map(SecretRef::path).sorted().toList(), policy);
                })));
    }

    /**
     * Whether the caller may review requests in the namespace: the policy's {@code approvers} when
     * it names any (by principal id or name), else every approver whose namespaces include it.
     */
    public Uni<Boolean> isDesignatedApprover(com.agentsecretstore.principal.Caller caller, String namespace) {
        return policy(namespace).map(policy -> {
            if (policy.approvers() != null) {
                return policy.approvers().contains(caller.id()) || policy.approvers().contains(caller.name());
            }
            return caller.role() == com.agentsecretstore.principal.Role.APPROVER && caller.namespaces().contains(namespace);
        });
    }

    /** The strictest of a secret's own tier and what its namespace policy says for its path. */
    public Uni<Tier> effectiveTier(String namespace, String path, Tier own) {
        return policy(namespace).map(policy -> new TierResolver(policy).forSecret(new SecretRef(path, own)).tier());
    }

    /**
     * {@link #effectiveTier(String, String, Tier)} for a policy document the caller has read itself
     * ({@code null} when the namespace has none). Parsing is cached against the exact stored text,
     * so a changed policy takes effect on the next call.
     */
    public Tier effectiveTier(String namespace, String document, String path, Tier own) {
        Parsed p = parsed.get(namespace);
        if (p == null || !Objects.equals(p.document(), document)) {
            NamespacePolicy policy = document == null ? NamespacePolicy.defaultFor(namespace)
                    : PolicyDocuments.read(json, namespace, document);
            p = new Parsed(document, new TierResolver(policy));
            if (parsed.size() >= MAX_CACHED_POLICIES) {
                parsed.clear();
            }
            parsed.put(namespace, p);
        }
        return p.resolver().forSecret(new SecretRef(path, own)).tier();
    }

    public Uni<NamespacePolicy> policy(String namespace) {
        return PolicyRecord.<PolicyRecord>findById(namespace)
                .map(r -> r == null ? NamespacePolicy.defaultFor(namespace) : PolicyDocuments.read(json, namespace, r.document));
    }

    public Uni<MoltbotdenSettings> moltbotden() {
        return Setting.<Setting>findById(MOLTBOTDEN).map(s -> {
            if (s == null) {
                return new MoltbotdenSettings(false, null);
            }
            try {
                return json.readValue(s.value, MoltbotdenSettings.class);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("stored MoltbotDen settings are not JSON", e);
            }
        });
    }
}

package com.agentsecretstore.policy.moltbotden;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

/**
 * An agent's trust tier for a token request: the admin's override, else the registry's answer,
 * cached per agent for {@code ass.moltbotden.cache-ttl}. Concurrent requests for one agent share
 * one lookup. Only answers are cached (a tier, or "not registered"); a failed lookup counts as
 * Unregistered for that request and is asked again by the next. The last lookup this replica made
 * is kept for Settings → Integrations.
 */
@ApplicationScoped
public class TrustLookup {

    /** Bounds the cache; past it the cache starts over (agents are few in practice). */
    static final int MAX_CACHED = 10_000;

    /** What the registry settings are right now: the stored run-time setting over the environment. */
    public record Effective(boolean enabled, String url, Optional<String> apiKey) {
        @Override
        public String toString() {
            return "Effective[enabled=" + enabled + ", url=" + url + ", apiKey=" + (apiKey.isPresent() ? "set" : "none") + "]";
        }
    }

    /** The last lookup this replica sent to the registry. */
    public record LastLookup(Instant at, String moltbotdenId, String url, RegistryAnswer answer) {
    }

    private record Cached(RegistryAnswer answer, Instant until) {
    }

    private final MoltbotdenClient client;
    private final MoltbotdenConfig config;
    private final Clock clock;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Uni<RegistryAnswer>> inFlight = new ConcurrentHashMap<>();
    private final AtomicReference<LastLookup> last = new AtomicReference<>();

    public TrustLookup(MoltbotdenClient client, MoltbotdenConfig config, Clock clock) {
        this.client = client;
        this.config = config;
        this.clock = clock;
    }

    /** The stored setting (null when none was stored) over the environment's configuration. */
    public Effective effective(StoredSettings stored) {
        boolean enabled = stored != null && stored.enabled() != null ? stored.enabled() : config.enabled();
        String url = stored != null && stored.baseUrl() != null ? stored.baseUrl() : config.url().orElse(null);
        Optional<String> key = config.apiKey().filter(k -> !k.isBlank() && url != null
                && config.url().map(envUrl -> MoltbotdenClient.sameOrigin(envUrl, url)).orElse(false));
        return new Effective(enabled, url, key);
    }

    /**
     * The tier to decide with. Never fails; asks the registry only when there is no override and
     * the agent has a MoltbotDen id.
     */
    public Uni<ResolvedTrust> resolve(Effective settings, String overrideTier, String moltbotdenId) {
        ResolvedTrust override = ResolvedTrust.override(overrideTier);
        if (override != null) {
            return Uni.createFrom().item(override);
        }
        if (moltbotdenId == null || moltbotdenId.isBlank()) {
            return Uni.createFrom().item(ResolvedTrust.UNLINKED);
        }
        if (settings.url() == null) {
            last.set(new LastLookup(clock.instant(), moltbotdenId, null, RegistryAnswer.failed(null, "no registry URL configured", 0)));
            return Uni.createFrom().item(ResolvedTrust.fromAnswer(null));
        }
        return answer(settings, moltbotdenId).map(ResolvedTrust::fromAnswer)
                .onFailure().recoverWithItem(() -> ResolvedTrust.fromAnswer(null));
    }

    /** Asks the registry now, past the cache (Settings → Integrations' "test connection"). */
    public Uni<RegistryAnswer> probe(Effective settings, String moltbotdenId) {
        return client.lookup(settings.url(), settings.apiKey(), moltbotdenId, config.timeout());
    }

    public Optional<LastLookup> last() {
        return Optional.ofNullable(last.get());
    }

    /** Drops every cached answer (on this replica), e.g. when the registry URL changes. */
    public void forget() {
        cache.clear();
    }

    private Uni<RegistryAnswer> answer(Effective settings, String moltbotdenId) {
        String key = settings.url() + '\u0000' + moltbotdenId;
        Cached hit = cache.get(key);
        if (hit != null && clock.instant().isBefore(hit.until())) {
            return Uni.createFrom().item(hit.answer());
        }
        return inFlight.computeIfAbsent(key, k -> client.lookup(settings.url(), settings.apiKey(), moltbotdenId, config.timeout())
                .invoke(a -> {
                    Instant now = clock.instant();
                    last.set(new LastLookup(now, moltbotdenId, settings.url(), a));
                    if (a.answered()) {
                        if (cache.size() >= MAX_CACHED) {
                            cache.clear();
                        }
                        cache.put(k, new Cached(a, now.plus(config.cacheTtl())));
                    }
                })
                .onTermination().invoke(() -> inFlight.remove(k))
                .memoize().indefinitely());
    }
}

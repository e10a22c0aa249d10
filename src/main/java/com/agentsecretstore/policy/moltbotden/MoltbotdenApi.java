package com.agentsecretstore.policy.moltbotden;

import java.time.Instant;

/** Bodies of {@code /v1/settings/integrations/moltbotden}. The registry's API key is never in any of them. */
public final class MoltbotdenApi {

    private MoltbotdenApi() {
    }

    /** PUT: {@code enabled} is required; {@code base_url} replaces the environment's URL (absent or null: use it). */
    public record SettingsBody(Boolean enabled, String baseUrl) {
    }

    /**
     * The settings in force. {@code baseUrl} is the run-time URL (null: none), {@code effectiveUrl} the
     * one lookups use; {@code apiKeyConfigured} says whether the environment has a key and
     * {@code apiKeySent} whether it goes to {@code effectiveUrl} (only to the environment URL's origin).
     */
    public record SettingsView(boolean enabled, String baseUrl, String effectiveUrl, boolean apiKeyConfigured,
            boolean apiKeySent, long cacheTtlSeconds, long timeoutMillis, Instant updatedAt, String updatedBy,
            LookupView lastLookup) {
    }

    /** POST …/test: the agent to ask about (absent: an id no registry knows, so 404 proves the connection). */
    public record TestBody(String moltbotdenId) {
    }

    /**
     * One lookup's result. {@code outcome}: {@code found} (a tier), {@code not_registered} (404) or
     * {@code failed} (anything else; counts as Unregistered). {@code detail} never holds a body or key.
     */
    public record LookupView(Instant at, String moltbotdenId, String url, String outcome, String trustTier,
            Integer httpStatus, String detail, long durationMillis) {

        static LookupView of(Instant at, String moltbotdenId, String url, RegistryAnswer a) {
            return new LookupView(at, moltbotdenId, url, a.kind().name().toLowerCase(java.util.Locale.ROOT), a.tier().wire(), a.httpStatus(),
                    a.detail(), a.durationMillis());
        }
    }

    /** The answer of "test connection": {@code ok} when the registry answered (a tier or 404). */
    public record TestResult(boolean ok, LookupView lookup) {
    }
}

package com.agentsecretstore.principal.kubernetes;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Kubernetes service-account authentication ({@code ASS_KUBERNETES_*}): which clusters' projected
 * tokens are accepted, and for which audience. Off while no issuer is configured.
 */
@ConfigMapping(prefix = "ass.kubernetes")
public interface KubernetesSettings {

    /**
     * The clusters' service-account issuer URLs (the API server's {@code --service-account-issuer}),
     * comma-separated. A token is verified only against the issuer it names, if it is one of these.
     */
    Optional<List<String>> issuers();

    /**
     * The issuers' JWKS URLs, in the same order as {@link #issuers()}; {@code -} for an issuer whose
     * keys are found through its OIDC discovery document. Absent: discovery for every issuer.
     */
    Optional<List<String>> jwksUrls();

    /** The audience the agents' projected tokens are requested for ({@code aud} must name it). */
    @WithDefault("agent-secret-store")
    String audience();

    /** A token naming a key id the service does not know refetches the issuer's keys at most this often. */
    @WithDefault("30s")
    Duration keyRefetchInterval();

    /** Keys older than this are refetched before use (so a key the cluster retired stops being trusted). */
    @WithDefault("10m")
    Duration keyMaxAge();

    /** How long a discovery or JWKS request may take. */
    @WithDefault("5s")
    Duration fetchTimeout();

    /** How many verified tokens are remembered (until each expires), so a token is verified once. */
    @WithDefault("10000")
    int tokenCacheSize();

    /**
     * PEM file of the CA that signs the issuer's TLS certificate, when it is not a public CA (in a
     * pod: {@code /var/run/secrets/kubernetes.io/serviceaccount/ca.crt}).
     */
    Optional<String> caFile();

    /**
     * A token file sent as bearer when fetching discovery and keys, for API servers that do not
     * serve them anonymously (in a pod: {@code /var/run/secrets/kubernetes.io/serviceaccount/token}).
     */
    Optional<String> fetchTokenFile();

    /** Whether any issuer is configured. */
    default boolean enabled() {
        return issuers().isPresent() && !issuers().get().isEmpty();
    }
}

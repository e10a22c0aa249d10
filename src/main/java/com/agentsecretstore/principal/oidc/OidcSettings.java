package com.agentsecretstore.principal.oidc;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Human sign-in through the organisation's identity provider ({@code ASS_OIDC_*}). The provider
 * itself is configured with Quarkus's own variables ({@code QUARKUS_OIDC_AUTH_SERVER_URL},
 * {@code QUARKUS_OIDC_CLIENT_ID}, {@code QUARKUS_OIDC_CREDENTIALS_SECRET}); the README's
 * configuration table lists both.
 */
@ConfigMapping(prefix = "ass.oidc")
public interface OidcSettings {

    /** Accept the provider's tokens. Off by default: the service then needs no identity provider. */
    @WithDefault("false")
    boolean enabled();

    /** The token claim that lists the person's groups (names or paths such as {@code /ass-approvers}). */
    @WithDefault("groups")
    String groupsClaim();

    /** Members of this group are admins. */
    @WithDefault("ass-admins")
    String adminGroup();

    /** Members of this group (and not of the admin group) are approvers. */
    @WithDefault("ass-approvers")
    String approverGroup();

    /** A member of {@code <prefix>X} has the namespace {@code X}. */
    @WithDefault("ass-ns-")
    String namespaceGroupPrefix();

    /**
     * Mark the dashboard's session and CSRF cookies Secure (sent over HTTPS only). Off in dev mode,
     * which serves plain HTTP.
     */
    @WithDefault("true")
    boolean sessionCookieSecure();
}

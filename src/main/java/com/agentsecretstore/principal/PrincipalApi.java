package com.agentsecretstore.principal;

import java.time.Instant;
import java.util.List;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Request and response bodies of {@code /v1/principals}. */
public final class PrincipalApi {

    private PrincipalApi() {
    }

    static final String NAME = "[A-Za-z0-9][A-Za-z0-9._@-]{0,127}";
    static final String NAMESPACE = "[A-Za-z0-9._-]{1,128}";
    static final String SERVICE_ACCOUNT_MESSAGE = "must be <kubernetes-namespace>/<service-account>, lower-case DNS names";

    public record CreateRequest(
            @NotBlank @Pattern(regexp = NAME, message = "must be 1-128 characters of letters, digits, '.', '_', '@' or '-'") String name,
            @NotNull @Pattern(regexp = "admin|approver|agent", message = "must be one of admin, approver, agent") String role,
            @Size(max = 100) List<@NotNull @Pattern(regexp = NAMESPACE, message = "must be a namespace name") String> namespaces,
            @Email @Size(max = 254) String email,
            @Pattern(regexp = "verified|established|active|new|unregistered", message = "must be one of verified, established, active, new, unregistered") String trustTier,
            @Size(min = 1, max = 128) String moltbotdenId,
            @Size(max = 20) List<@NotNull @Size(max = KubernetesServiceAccount.MAX_LENGTH) @Pattern(regexp = KubernetesServiceAccount.FORMAT, message = SERVICE_ACCOUNT_MESSAGE) String> kubernetesServiceAccounts) {
    }

    /**
     * Absent fields stay as they are; an empty email, trust tier or MoltbotDen id clears it. A trust
     * tier set here is an override: it wins over what the MoltbotDen registry says.
     * {@code kubernetesServiceAccounts} replaces the agent's bindings (an empty list removes them all).
     */
    public record UpdateRequest(
            @Size(max = 100) List<@NotNull @Pattern(regexp = NAMESPACE, message = "must be a namespace name") String> namespaces,
            @Size(max = 254) String email,
            @Pattern(regexp = "|verified|established|active|new|unregistered", message = "must be one of verified, established, active, new, unregistered, or empty to clear it") String trustTier,
            Boolean disabled,
            @Size(max = 128) String moltbotdenId,
            @Size(max = 20) List<@NotNull @Size(max = KubernetesServiceAccount.MAX_LENGTH) @Pattern(regexp = KubernetesServiceAccount.FORMAT, message = SERVICE_ACCOUNT_MESSAGE) String> kubernetesServiceAccounts) {
    }

    /** The identity at the OIDC provider a person signs in with. */
    public record OidcIdentity(
            @NotBlank @Size(max = 512) @Pattern(regexp = "https?://\\S+", message = "must be the provider's issuer URL") String issuer,
            @NotBlank @Size(max = 255) String subject) {
    }

    public record KeyView(String id, String prefix, Instant createdAt, Instant lastUsedAt, Instant revokedAt) {
        static KeyView of(ApiKey k) {
            return new KeyView(k.id, k.prefix, k.createdAt, k.lastUsedAt, k.revokedAt);
        }
    }

    /** A principal as shown to clients; {@code apiKey} is present only in the response that created the key. */
    public record PrincipalView(String id, String name, String role, List<String> namespaces, String email,
            String trustTier, String moltbotdenId, boolean disabled, Instant createdAt, Instant updatedAt,
            List<KeyView> keys, String apiKey, OidcIdentity oidcIdentity, List<String> kubernetesServiceAccounts) {

        static PrincipalView of(Principal p, List<ApiKey> keys, String apiKey) {
            return of(p, keys, apiKey, List.of());
        }

        /** {@code accounts}: the agent's service-account bindings (shown for agents only, sorted). */
        static PrincipalView of(Principal p, List<ApiKey> keys, String apiKey, List<KubernetesServiceAccount> accounts) {
            return new PrincipalView(p.id, p.name, p.role.wire(), p.namespaces == null ? List.of() : List.of(p.namespaces),
                    p.email, p.trustTier, p.moltbotdenId, p.disabled, p.createdAt, p.updatedAt,
                    keys.stream().map(KeyView::of).toList(), apiKey,
                    p.oidcIssuer == null ? null : new OidcIdentity(p.oidcIssuer, p.oidcSubject),
                    p.role != Role.AGENT ? null
                            : accounts.stream().map(a -> a.account).sorted().toList());
        }
    }

    /** A new key, shown once. */
    public record CreatedKey(String id, String prefix, Instant createdAt, String apiKey) {
    }
}

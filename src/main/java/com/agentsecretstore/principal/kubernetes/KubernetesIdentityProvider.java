package com.agentsecretstore.principal.kubernetes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.RateLimitedException;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Role;
import com.agentsecretstore.principal.ServiceAccountTable;
import com.agentsecretstore.principal.ServiceAccountTable.BoundPrincipal;
import com.agentsecretstore.principal.auth.AuthFailureLimiter;
import com.agentsecretstore.principal.kubernetes.TokenRefusal.Reason;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Turns a verified projected service-account token into the {@link SecurityIdentity} of the agent
 * its service account is bound to. The binding is read on every request (one statement, like an API
 * key), so unbinding or disabling the agent takes effect at once; only the signature check is cached.
 * Every refusal — a token that does not verify, or a valid one of an unbound service account — is
 * counted by the {@link AuthFailureLimiter} and audited with the reason and, once verified, the pod;
 * never with the token.
 */
@ApplicationScoped
public class KubernetesIdentityProvider implements IdentityProvider<KubernetesAuthenticationRequest> {

    private final KubernetesTokens tokens;
    private final ServiceAccountTable bindings;
    private final AuditLog audit;
    private final AuthFailureLimiter limiter;

    public KubernetesIdentityProvider(KubernetesTokens tokens, ServiceAccountTable bindings, AuditLog audit, AuthFailureLimiter limiter) {
        this.tokens = tokens;
        this.bindings = bindings;
        this.audit = audit;
        this.limiter = limiter;
    }

    @Override
    public Class<KubernetesAuthenticationRequest> getRequestType() {
        return KubernetesAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(KubernetesAuthenticationRequest request, AuthenticationRequestContext context) {
        return tokens.verify(request.token())
                .flatMap(token -> bindings.boundPrincipal(token.account())
                        .flatMap(principal -> bound(token, principal, request.sourceIp())))
                .onFailure(TokenRefusal.class).recoverWithUni(e -> refuse(request, (TokenRefusal) e));
    }

    private Uni<SecurityIdentity> bound(ProjectedToken token, BoundPrincipal principal, String sourceIp) {
        Reason refused = principal == null ? Reason.UNBOUND_SERVICE_ACCOUNT
                : principal.disabled() ? Reason.DISABLED_PRINCIPAL
                : principal.role() != Role.AGENT ? Reason.NOT_AN_AGENT : null;
        if (refused != null) {
            Caller actor = principal == null ? new Caller(null, null, null, List.of(), null, sourceIp, token.workload())
                    : new Caller(principal.id(), principal.name(), principal.role(), List.of(), null, sourceIp, token.workload());
            return Uni.createFrom().failure(new BoundRefusal(actor, token, refused));
        }
        Caller caller = new Caller(principal.id(), principal.name(), Role.AGENT, principal.namespaces(),
                null, sourceIp, token.workload());
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(caller.id()))
                .addRole(Role.AGENT.wire())
                .addAttribute(Caller.ATTRIBUTE, caller)
                .build());
    }

    /** A verified token whose service account does not (or no longer) authenticate anyone. */
    private static final class BoundRefusal extends TokenRefusal {
        final Caller actor;
        final ProjectedToken token;

        BoundRefusal(Caller actor, ProjectedToken token, Reason reason) {
            super(reason, token.issuer(), null);
            this.actor = actor;
            this.token = token;
        }
    }

    private Uni<SecurityIdentity> refuse(KubernetesAuthenticationRequest request, TokenRefusal refusal) {
        AuthFailureLimiter.Verdict verdict = limiter.failure(request.sourceIp());
        if (verdict.limited()) {
            return Uni.createFrom().failure(new RateLimitedException(
                    "Too many failed sign-ins from this address; retry later.", verdict.retryAfterSeconds()));
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("reason", refusal.reason().wire());
        details.put("mechanism", "kubernetes");
        Caller actor;
        if (refusal instanceof BoundRefusal bound) {
            actor = bound.actor;
            details.put("issuer", bound.token.issuer());
            details.put("service_account", bound.token.account());
        } else {
            actor = new Caller(null, null, null, List.of(), null, request.sourceIp());
            if (refusal.claimedIssuer() != null) {
                details.put("claimed_issuer", refusal.claimedIssuer());
            }
            if (refusal.claimedAlgorithm() != null) {
                details.put("claimed_alg", refusal.claimedAlgorithm());
            }
        }
        return audit.appendAlone(new AuditEvent(AuditAction.AUTH_FAILURE, AuditEvent.Outcome.DENIED, actor, null, null,
                actor.id(), details))
                .chain(() -> Uni.createFrom().failure(new AuthenticationFailedException("invalid service-account token")));
    }
}

package com.agentsecretstore.principal;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.Transactions;
import com.agentsecretstore.principal.PrincipalApi.OidcIdentity;
import com.agentsecretstore.principal.PrincipalApi.PrincipalView;

import io.smallrye.mutiny.Uni;

/**
 * Links an existing principal to a person's identity at the OIDC provider, so that the person signs
 * in as that principal (keeping its id, name and history) instead of getting a new one on first
 * sign-in; and removes the link. Admins only; both audited.
 */
@ApplicationScoped
public class OidcLinkService {

    private static final String ADMINS_ONLY = "Only admins may link principals to identities.";

    private final Clock clock;
    private final AuditLog audit;

    public OidcLinkService(Clock clock, AuditLog audit) {
        this.clock = clock;
        this.audit = audit;
    }

    public Uni<PrincipalView> link(Caller caller, String id, OidcIdentity identity) {
        return Transactions.run(() -> {
            caller.requireAdmin(ADMINS_ONLY);
            return load(id).flatMap(p -> {
                if (p.role == Role.AGENT) {
                    throw ApiException.invalid("role", "only admins and approvers sign in through the identity provider");
                }
                return PrincipalTable.oidcIdentityTaken(identity.issuer(), identity.subject(), id)
                        .flatMap(taken -> {
                            if (taken) {
                                throw ApiException.conflict("This identity is already linked to another principal.");
                            }
                            p.oidcIssuer = identity.issuer();
                            p.oidcSubject = identity.subject();
                            p.updatedAt = clock.instant();
                            return audit.append(AuditEvent.success(AuditAction.PRINCIPAL_OIDC_LINK, caller).onTarget(id)
                                    .with(details(identity.issuer(), identity.subject())))
                                    .chain(() -> ApiKeyTable.ofPrincipal(id))
                                    .map(keys -> PrincipalView.of(p, keys, null));
                        });
            });
    
        });
    }

    public Uni<Void> unlink(Caller caller, String id) {
        return Transactions.run(() -> {
            caller.requireAdmin(ADMINS_ONLY);
            return load(id).flatMap(p -> {
                if (p.oidcIssuer == null) {
                    return Uni.createFrom().voidItem();
                }
                Map<String, Object> details = details(p.oidcIssuer, p.oidcSubject);
                p.oidcIssuer = null;
                p.oidcSubject = null;
                p.updatedAt = clock.instant();
                return audit.append(AuditEvent.success(AuditAction.PRINCIPAL_OIDC_UNLINK, caller).onTarget(id).with(details));
            });
    
        });
    }

    private static Uni<Principal> load(String id) {
        return PrincipalTable.byId(id).map(p -> {
            if (p == null) {
                throw ApiException.notFound("No such principal.");
            }
            return p;
        });
    }

    private static Map<String, Object> details(String issuer, String subject) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("issuer", issuer);
        m.put("subject", subject);
        return m;
    }
}

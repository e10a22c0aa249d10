package com.agentsecretstore.principal.oidc;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.Ids;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.Role;
import com.agentsecretstore.principal.oidc.GroupMapping.Grant;
import com.agentsecretstore.principal.oidc.OidcPrincipals.Person;

import io.smallrye.mutiny.Uni;

/**
 * Turns a verified token into the {@link Caller} of the request. Each person (issuer, subject) is
 * one principal: created on their first request with the role and namespaces their groups grant,
 * brought in line with the token on every later request (a group removed at the provider is a right
 * removed on the next request), refused when disabled or when in neither the admin nor the approver
 * group (then no principal is created). Provisioning, changes and refusals are audited with issuer
 * and subject.
 */
@ApplicationScoped
public class OidcSignIn {

    static final String NO_ROLE_GROUP = "Your identity provider account is in neither the admin nor the approver group "
            + "of this service.";

    private final OidcSettings settings;
    private final OidcPrincipals principals;
    private final AuditLog audit;

    public OidcSignIn(OidcSettings settings, OidcPrincipals principals, AuditLog audit) {
        this.settings = settings;
        this.principals = principals;
        this.audit = audit;
    }

    public Uni<Caller> resolve(OidcClaims claims, String sourceIp) {
        Grant grant = GroupMapping.of(claims.groups(), settings);
        return principals.find(claims.issuer(), claims.subject()).flatMap(person -> {
            if (person != null && person.disabled()) {
                return refuse(claims, person, sourceIp, "disabled_principal")
                        .chain(() -> Uni.createFrom().<Caller>failure(OidcRefusal.unauthorized("disabled principal")));
            }
            if (grant.role() == null) {
                return refuse(claims, person, sourceIp, "no_role_group")
                        .chain(() -> Uni.createFrom().<Caller>failure(ApiException.forbidden(NO_ROLE_GROUP)));
            }
            if (person == null) {
                return provision(claims, grant, sourceIp, true);
            }
            return sync(claims, grant, person, sourceIp);
        });
    }

    private Uni<Caller> provision(OidcClaims claims, Grant grant, String sourceIp, boolean preferredName) {
        String id = Ids.next(grant.role().idPrefix());
        String name = preferredName ? baseName(claims) : baseName(claims) + "-" + id.substring(id.length() - 8).toLowerCase(Locale.ROOT);
        Person person = new Person(id, name, grant.role(), grant.namespaces(), claims.email(), false);
        Caller caller = caller(person, sourceIp);
        AuditEvent event = AuditEvent.success(AuditAction.PRINCIPAL_PROVISION, caller).onTarget(id)
                .with(details(claims, "name", name, "role", grant.role().wire(), "namespaces", grant.namespaces()));
        return principals.insert(person, claims.issuer(), claims.subject(), event).flatMap(inserted -> {
            if (inserted) {
                return Uni.createFrom().item(caller);
            }
            // Someone took the name, or this person's other request created the principal first.
            return principals.find(claims.issuer(), claims.subject()).flatMap(existing -> {
                if (existing != null) {
                    return resolve(claims, sourceIp);
                }
                if (!preferredName) {
                    return Uni.createFrom().failure(new IllegalStateException("could not provision a principal"));
                }
                return provision(claims, grant, sourceIp, false);
            });
        });
    }

    private Uni<Caller> sync(OidcClaims claims, Grant grant, Person person, String sourceIp) {
        String email = claims.email() == null ? person.email() : claims.email();
        Person updated = new Person(person.id(), person.name(), grant.role(), grant.namespaces(), email, false);
        Caller caller = caller(updated, sourceIp);
        if (updated.equals(person)) {
            return Uni.createFrom().item(caller);
        }
        Map<String, Object> changed = new LinkedHashMap<>();
        if (person.role() != updated.role()) {
            changed.put("role", updated.role().wire());
            changed.put("previous_role", person.role() == null ? null : person.role().wire());
        }
        if (!person.namespaces().equals(updated.namespaces())) {
            changed.put("namespaces", updated.namespaces());
            changed.put("previous_namespaces", person.namespaces());
        }
        if (!Objects.equals(person.email(), updated.email())) {
            changed.put("email", "set");
        }
        AuditEvent event = AuditEvent.success(AuditAction.PRINCIPAL_SYNC, caller).onTarget(person.id())
                .with(details(claims, changed));
        return principals.sync(updated, event).replaceWith(caller);
    }

    private Uni<Void> refuse(OidcClaims claims, Person person, String sourceIp, String reason) {
        Caller actor = person == null
                ? new Caller(null, null, null, List.of(), null, sourceIp)
                : new Caller(person.id(), person.name(), person.role(), List.of(), null, sourceIp);
        AuditEvent event = new AuditEvent(AuditAction.AUTH_FAILURE, AuditEvent.Outcome.DENIED, actor, null, null,
                person == null ? null : person.id(), details(claims, "reason", reason, "mechanism", "oidc"));
        return audit.appendAlone(event);
    }

    private static Caller caller(Person person, String sourceIp) {
        return new Caller(person.id(), person.name(), person.role(), person.namespaces(), null, sourceIp);
    }

    /** The person's username, fitted to principal names; the subject when the token has none. */
    static String baseName(OidcClaims claims) {
        String raw = claims.username() != null ? claims.username() : claims.subject();
        String cleaned = raw == null ? "" : raw.replaceAll("[^A-Za-z0-9._@-]", "-");
        cleaned = cleaned.replaceFirst("^[^A-Za-z0-9]+", "");
        if (cleaned.isEmpty()) {
            cleaned = "person";
        }
        // Room for the "-xxxxxxxx" a taken name gets.
        return cleaned.length() > 110 ? cleaned.substring(0, 110) : cleaned;
    }

    private static Map<String, Object> details(OidcClaims claims, Object... pairs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return details(claims, m);
    }

    private static Map<String, Object> details(OidcClaims claims, Map<String, Object> more) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("issuer", claims.issuer());
        m.put("subject", claims.subject());
        m.putAll(more);
        return m;
    }
}

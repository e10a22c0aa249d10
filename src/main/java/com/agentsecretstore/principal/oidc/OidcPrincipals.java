package com.agentsecretstore.principal.oidc;

import java.time.Clock;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.Transactions;
import com.agentsecretstore.principal.PrincipalTable;
import com.agentsecretstore.principal.Role;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

/**
 * The sign-in path's work on principals: find a person by (issuer, subject), create them, and bring
 * their role, namespaces and email in line with their token, each write audited in its own
 * transaction. Plain SQL on the pool (the statements are {@link PrincipalTable}'s), like API-key
 * authentication: every OIDC request passes here, so a request whose token changed nothing costs one
 * indexed read and writes nothing.
 */
@ApplicationScoped
public class OidcPrincipals {

    /** A person's principal as the sign-in path needs it. */
    public record Person(String id, String name, Role role, List<String> namespaces, String email, boolean disabled) {

        public static Person from(Row row) {
            String[] ns = row.getArrayOfStrings("namespaces");
            return new Person(row.getString("id"), row.getString("name"), Role.fromWire(row.getString("role")),
                    ns == null ? List.of() : List.of(ns), row.getString("email"), row.getBoolean("disabled"));
        }
    }

    private final Pool pool;
    private final PrincipalTable principals;
    private final Clock clock;
    private final AuditLog audit;

    public OidcPrincipals(Pool pool, PrincipalTable principals, Clock clock, AuditLog audit) {
        this.pool = pool;
        this.principals = principals;
        this.clock = clock;
        this.audit = audit;
    }

    /** The principal linked to (issuer, subject), or null. */
    public Uni<Person> find(String issuer, String subject) {
        return principals.findByOidc(issuer, subject);
    }

    /**
     * Creates the person's principal and audits it in one transaction. Completes with false when
     * nothing was inserted because the identity or the name is taken.
     */
    public Uni<Boolean> insert(Person person, String issuer, String subject, AuditEvent event) {
        return Transactions.sql(pool, tx -> principals.insertPerson(tx, person, issuer, subject, clock.instant())
                .flatMap(inserted -> inserted ? audit.append(tx, event).replaceWith(true) : Uni.createFrom().item(false)));
    }

    /**
     * Sets role, namespaces and email, and audits the change, in one transaction; when another
     * request already made the same change, neither writes nor audits.
     */
    public Uni<Void> sync(Person updated, AuditEvent event) {
        return Transactions.sql(pool, tx -> principals.syncPerson(tx, updated, clock.instant())
                .flatMap(changed -> changed ? audit.append(tx, event) : Uni.createFrom().voidItem()));
    }
}

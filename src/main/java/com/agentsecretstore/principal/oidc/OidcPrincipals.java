package com.agentsecretstore.principal.oidc;

import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.principal.Role;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The statements of the sign-in path on the principal table: find a person by (issuer, subject),
 * create them, and bring their role, namespaces and email in line with their token. Plain SQL on the
 * pool, like API-key authentication: every OIDC request passes here, so a request whose token
 * changed nothing costs one indexed read and writes nothing.
 */
@ApplicationScoped
public class OidcPrincipals {

    private static final String FIND = "select id, name, role, namespaces, email, disabled from principal "
            + "where oidc_issuer = $1 and oidc_subject = $2";
    /** Conflicts (the same person signing in twice at once, or a taken name) insert nothing. */
    private static final String INSERT = "insert into principal (id, name, role, namespaces, email, disabled, "
            + "created_at, updated_at, oidc_issuer, oidc_subject) values ($1, $2, $3, $4, $5, false, $6, $6, $7, $8) "
            + "on conflict do nothing returning id";
    /** Writes only when something differs, and tells whether this statement made the change. */
    private static final String SYNC = "update principal set role = $2, namespaces = $3::text[], email = $4, updated_at = $5 "
            + "where id = $1 and (role, namespaces, email) is distinct from ($2::text, $3::text[], $4::text) returning id";

    /** A person's principal as the sign-in path needs it. */
    public record Person(String id, String name, Role role, List<String> namespaces, String email, boolean disabled) {

        static Person of(Row row) {
            String[] ns = row.getArrayOfStrings("namespaces");
            return new Person(row.getString("id"), row.getString("name"), Role.fromWire(row.getString("role")),
                    ns == null ? List.of() : List.of(ns), row.getString("email"), row.getBoolean("disabled"));
        }
    }

    private final Pool pool;
    private final Clock clock;
    private final AuditLog audit;

    public OidcPrincipals(Pool pool, Clock clock, AuditLog audit) {
        this.pool = pool;
        this.clock = clock;
        this.audit = audit;
    }

    /** The principal linked to (issuer, subject), or null. */
    public Uni<Person> find(String issuer, String subject) {
        return pool.preparedQuery(FIND).execute(Tuple.of(issuer, subject)).map(OidcPrincipals::first);
    }

    /**
     * Creates the person's principal and audits it in one transaction. Completes with false when
     * nothing was inserted because the identity or the name is taken.
     */
    public Uni<Boolean> insert(Person person, String issuer, String subject, AuditEvent event) {
        Tuple values = Tuple.tuple(List.of(person.id(), person.name(), person.role().wire(),
                person.namespaces().toArray(String[]::new)));
        values.addValue(person.email());
        values.addValue(clock.instant().atOffset(ZoneOffset.UTC));
        values.addValue(issuer);
        values.addValue(subject);
        return pool.withTransaction(tx -> tx.preparedQuery(INSERT).execute(values).flatMap(rows -> rows.rowCount() == 0
                ? Uni.createFrom().item(false)
                : audit.append(tx, event).replaceWith(true)));
    }

    /**
     * Sets role, namespaces and email, and audits the change, in one transaction; when another
     * request already made the same change, neither writes nor audits.
     */
    public Uni<Void> sync(Person updated, AuditEvent event) {
        Tuple values = Tuple.tuple(List.of(updated.id(), updated.role().wire(),
                updated.namespaces().toArray(String[]::new)));
        values.addValue(updated.email());
        values.addValue(clock.instant().atOffset(ZoneOffset.UTC));
        return pool.withTransaction(tx -> tx.preparedQuery(SYNC).execute(values).flatMap(rows -> rows.rowCount() == 0
                ? Uni.createFrom().voidItem()
                : audit.append(tx, event)));
    }

    private static Person first(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? Person.of(it.next()) : null;
    }
}

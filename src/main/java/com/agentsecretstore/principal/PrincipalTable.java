package com.agentsecretstore.principal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.principal.oidc.OidcPrincipals.Person;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Owns the {@code principal} table: every statement on its rows is here. Two doors, each for a
 * reason: the OIDC sign-in path, which every OIDC request pays, runs plain SQL on the pool (its
 * writes in the plain-SQL transaction its service opens); the admin operations run in the Hibernate
 * session, through the {@link Principal} entity, because they share a transaction with the audit
 * entry and with approval cancellation that only the session can join. The session methods are
 * static: they run in whatever session the caller has open.
 */
@ApplicationScoped
public class PrincipalTable {

    private static final String FIND_BY_OIDC = "select id, name, role, namespaces, email, disabled from principal "
            + "where oidc_issuer = $1 and oidc_subject = $2";
    /** Conflicts (the same person signing in twice at once, or a taken name) insert nothing. */
    private static final String INSERT_PERSON = "insert into principal (id, name, role, namespaces, email, disabled, "
            + "created_at, updated_at, oidc_issuer, oidc_subject) values ($1, $2, $3, $4, $5, false, $6, $6, $7, $8) "
            + "on conflict do nothing returning id";
    /** Writes only when something differs, and tells whether this statement made the change. */
    private static final String SYNC_PERSON = "update principal set role = $2, namespaces = $3::text[], email = $4, updated_at = $5 "
            + "where id = $1 and (role, namespaces, email) is distinct from ($2::text, $3::text[], $4::text) returning id";

    /** Replicas starting together must not each create an admin. */
    private static final String LOCK_BOOTSTRAP = "select pg_advisory_xact_lock(7364001)";
    /** Serializes changes that could leave the store without a usable admin. */
    private static final String LOCK_ADMINS = "select pg_advisory_xact_lock(7364002)";
    private static final String OTHER_USABLE_ADMINS = "from Principal p where p.role = ?1 and p.disabled = false "
            + "and p.id <> ?2 and exists (select 1 from ApiKey k where k.principalId = p.id and k.revokedAt is null)";

    private final Pool pool;

    public PrincipalTable(Pool pool) {
        this.pool = pool;
    }

    /** The principal linked to (issuer, subject), or null. */
    public Uni<Person> findByOidc(String issuer, String subject) {
        return pool.preparedQuery(FIND_BY_OIDC).execute(Tuple.of(issuer, subject)).map(rows -> {
            RowIterator<Row> it = rows.iterator();
            return it.hasNext() ? Person.from(it.next()) : null;
        });
    }

    /** Inserts a person signing in for the first time; false when the identity or the name is taken. */
    public Uni<Boolean> insertPerson(SqlConnection tx, Person person, String issuer, String subject, Instant now) {
        Tuple values = Tuple.tuple(List.of(person.id(), person.name(), person.role().wire(),
                person.namespaces().toArray(String[]::new)));
        values.addValue(person.email());
        values.addValue(now.atOffset(ZoneOffset.UTC));
        values.addValue(issuer);
        values.addValue(subject);
        return tx.preparedQuery(INSERT_PERSON).execute(values).map(rows -> rows.rowCount() > 0);
    }

    /** Sets role, namespaces and email; false when they already were (another request made the change). */
    public Uni<Boolean> syncPerson(SqlConnection tx, Person updated, Instant now) {
        Tuple values = Tuple.tuple(List.of(updated.id(), updated.role().wire(),
                updated.namespaces().toArray(String[]::new)));
        values.addValue(updated.email());
        values.addValue(now.atOffset(ZoneOffset.UTC));
        return tx.preparedQuery(SYNC_PERSON).execute(values).map(rows -> rows.rowCount() > 0);
    }

    public static Uni<Principal> byId(String id) {
        return Principal.findById(id);
    }

    public static Uni<List<Principal>> byIds(List<String> ids) {
        return Principal.list("id in ?1", ids);
    }

    /** A page in id order, after {@code after} (null: from the start). */
    public static Uni<List<Principal>> page(String after, int limit) {
        return after == null
                ? Principal.<Principal>find("order by id").range(0, limit).list()
                : Principal.<Principal>find("id > ?1 order by id", after).range(0, limit).list();
    }

    public static Uni<Boolean> nameTaken(String name) {
        return Principal.count("name", name).map(n -> n > 0);
    }

    /** Whether another principal than {@code exceptId} is linked to (issuer, subject). */
    public static Uni<Boolean> oidcIdentityTaken(String issuer, String subject, String exceptId) {
        return Principal.count("oidcIssuer = ?1 and oidcSubject = ?2 and id <> ?3", issuer, subject, exceptId).map(n -> n > 0);
    }

    public static Uni<Long> enabledAdmins() {
        return Principal.count("role = ?1 and disabled = false", Role.ADMIN);
    }

    /** Enabled admins other than {@code exceptId} that still hold an active key. */
    public static Uni<Long> otherUsableAdmins(String exceptId) {
        return Principal.count(OTHER_USABLE_ADMINS, Role.ADMIN, exceptId);
    }

    public static Uni<Principal> insert(Principal p) {
        return p.persist();
    }

    /** Takes the transaction-scoped lock that makes bootstrapping the first admin happen once. */
    public static Uni<Void> lockBootstrap() {
        return Panache.getSession().flatMap(s -> s.createNativeQuery(LOCK_BOOTSTRAP).getSingleResult()).replaceWithVoid();
    }

    /** Takes the transaction-scoped lock held by every change that could lock the last admin out. */
    public static Uni<Void> lockAdmins() {
        return Panache.getSession().flatMap(s -> s.createNativeQuery(LOCK_ADMINS).getSingleResult()).replaceWithVoid();
    }
}

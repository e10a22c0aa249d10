package com.agentsecretstore.principal;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;


import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Owns the {@code kubernetes_service_account} table (the bindings of service accounts to agents):
 * every statement on its rows is here. Service-account authentication and the credential watch read
 * it over the plain SQL client, one statement each; {@link PrincipalService} binds and unbinds
 * through the {@link KubernetesServiceAccount} entity in the Hibernate session, inside the
 * transaction that also writes the principal and its audit entry. The session methods are static:
 * they run in whatever session the caller has open.
 */
@ApplicationScoped
public class ServiceAccountTable {

    private static final String BOUND_PRINCIPAL = "select p.id, p.name, p.role, p.namespaces, p.disabled "
            + "from kubernetes_service_account b join principal p on p.id = b.principal_id where b.account = $1";
    private static final String STATES = "select b.account, b.principal_id, not p.disabled as active, p.role, p.namespaces "
            + "from kubernetes_service_account b join principal p on p.id = b.principal_id where b.account = any($1)";

    /** The principal a service account is bound to, with what its {@link Caller} needs. */
    public record BoundPrincipal(String id, String name, Role role, List<String> namespaces, boolean disabled) {

        static BoundPrincipal from(Row row) {
            String[] ns = row.getArrayOfStrings("namespaces");
            return new BoundPrincipal(row.getString("id"), row.getString("name"), Role.fromWire(row.getString("role")),
                    ns == null ? List.of() : List.of(ns), row.getBoolean("disabled"));
        }
    }

    /** A binding now: the principal it binds and that principal's state. */
    public record BindingState(String principalId, KeyState state) {
    }

    private final Pool pool;

    public ServiceAccountTable(Pool pool) {
        this.pool = pool;
    }

    /** The principal {@code account} ({@code <namespace>/<name>}) is bound to, or null. */
    public Uni<BoundPrincipal> boundPrincipal(String account) {
        return pool.preparedQuery(BOUND_PRINCIPAL).execute(Tuple.of(account)).map(rows -> {
            RowIterator<Row> it = rows.iterator();
            return it.hasNext() ? BoundPrincipal.from(it.next()) : null;
        });
    }

    /** The binding now of each of these service accounts that is still bound, by account. */
    public Uni<Map<String, BindingState>> states(String[] accounts) {
        return pool.preparedQuery(STATES).execute(Tuple.of(accounts)).map(rows -> {
            Map<String, BindingState> states = new HashMap<>();
            for (Row row : rows) {
                states.put(row.getString("account"), new BindingState(row.getString("principal_id"), KeyState.from(row)));
            }
            return states;
        });
    }

    /** The principal's bindings, by account. */
    public static Uni<List<KubernetesServiceAccount>> ofPrincipal(String principalId) {
        return KubernetesServiceAccount.list("principalId = ?1 order by account", principalId);
    }

    public static Uni<List<KubernetesServiceAccount>> ofPrincipals(List<String> principalIds) {
        return KubernetesServiceAccount.list("principalId in ?1", principalIds);
    }

    /** Those of {@code accounts} already bound (to anyone), by account. */
    public static Uni<List<KubernetesServiceAccount>> bound(List<String> accounts) {
        return KubernetesServiceAccount.list("account in ?1 order by account", accounts);
    }

    public static Uni<Void> insert(String account, String principalId, Instant now) {
        KubernetesServiceAccount b = new KubernetesServiceAccount();
        b.account = account;
        b.principalId = principalId;
        b.createdAt = now;
        return b.persist().replaceWithVoid();
    }

    public static Uni<Void> delete(KubernetesServiceAccount binding) {
        return binding.delete();
    }
}

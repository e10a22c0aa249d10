package com.agentsecretstore.notify;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.hibernate.reactive.mutiny.Mutiny;

import com.agentsecretstore.access.AccessModel;
import com.agentsecretstore.crypto.Barrier;

import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Owns the table {@code webhook}: every statement on it, in plain SQL, rows read by {@link Webhook#from}.
 * Registrations ({@link WebhookService}) and the sender ({@link WebhookDispatcher}) use the SQL
 * client; the event fan-out ({@link EventLog}) runs inside the Hibernate Reactive transaction that
 * publishes the event, so its two statements go through that transaction's session, as native SQL.
 */
final class WebhookTable {

    /** First key of the per-principal advisory lock around registrations (second: hash of the principal id). */
    static final int REGISTRATION_LOCK = 7364101;

    static final String COLUMNS = "id, url, events, secret_version, master_key_id, wrapped_key, ciphertext, description, "
            + "disabled_at, disabled_reason, created_at, created_by";

    static final String LOCK_REGISTRATIONS = "select pg_advisory_xact_lock(" + REGISTRATION_LOCK + ", hashtext($1))";

    static final String FIND_BY_URL = "select id from webhook where created_by = $1 and url = $2 limit 1";

    static final String COUNT_OWNED = "select count(*) as n from webhook where created_by = $1";

    static final String INSERT = "insert into webhook (id, url, events, secret_version, master_key_id, wrapped_key, ciphertext, "
            + "description, created_at, created_by) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

    static final String FIND = "select " + COLUMNS + " from webhook where id = $1";

    static final String FIND_FOR_UPDATE = FIND + " for update";

    /** A page in id order after {@code $2} (null: from the first), of owner {@code $1} (null: everyone's). */
    static final String LIST = "select " + COLUMNS + " from webhook where ($1::text is null or created_by = $1) "
            + "and ($2::text is null or id > $2) order by id limit $3";

    static final String RESEAL = "update webhook set secret_version = $2, master_key_id = $3, wrapped_key = $4, ciphertext = $5 "
            + "where id = $1";

    static final String ENABLE = "update webhook set disabled_at = null, disabled_reason = null where id = $1";

    /** Owners delete their own; admins any. Deliveries go with it (on delete cascade). */
    static final String DELETE = "delete from webhook where id = $1 and ($2 or created_by = $3)";

    static final String DISABLE = "update webhook set disabled_at = $2, disabled_reason = $3 where id = $1 and disabled_at is null";

    /** The enabled webhooks that want an event of this type and whose owner may see it (the access model's rule). */
    static final String RECEIVING = "select w.id from webhook w join principal p on p.id = w.created_by "
            + "where w.disabled_at is null and :type = any(w.events) and " + AccessModel.seeSql("p", ":ns", ":requester", ":request");

    /** What an outbox row's foreign key would take anyway: the webhooks cannot be deleted until commit. */
    static final String LOCK_AGAINST_DELETE = "select id from webhook where id in (:ids) order by id for key share";

    private WebhookTable() {
    }

    /** Serializes a principal's registrations until the transaction ends. */
    static Uni<Void> lockRegistrations(SqlClient tx, String principalId) {
        return tx.preparedQuery(LOCK_REGISTRATIONS).execute(Tuple.of(principalId)).replaceWithVoid();
    }

    /** The id of the principal's webhook for this URL, or null. */
    static Uni<String> findByUrl(SqlClient client, String principalId, String url) {
        return client.preparedQuery(FIND_BY_URL).execute(Tuple.of(principalId, url))
                .map(rows -> rows.rowCount() == 0 ? null : rows.iterator().next().getString("id"));
    }

    static Uni<Long> countOwned(SqlClient client, String principalId) {
        return client.preparedQuery(COUNT_OWNED).execute(Tuple.of(principalId)).map(rows -> rows.iterator().next().getLong("n"));
    }

    static Uni<Void> insert(SqlClient tx, Webhook w) {
        return tx.preparedQuery(INSERT).execute(Tuple.from(Arrays.asList(w.id(), w.url(), w.events().toArray(String[]::new),
                w.secretVersion(), w.secret().masterKeyId(), Buffer.buffer(w.secret().wrappedKey()),
                Buffer.buffer(w.secret().ciphertext()), w.description(), Outbox.at(w.createdAt()), w.createdBy())))
                .replaceWithVoid();
    }

    /** The webhook, or null; with {@code lock}, locked until the transaction ends. */
    static Uni<Webhook> find(SqlClient client, String id, boolean lock) {
        return client.preparedQuery(lock ? FIND_FOR_UPDATE : FIND).execute(Tuple.of(id))
                .map(rows -> rows.rowCount() == 0 ? null : Webhook.from(rows.iterator().next()));
    }

    /** At most {@code limit} webhooks in id order after {@code after}, of {@code ownerId} (null: everyone's). */
    static Uni<List<Webhook>> list(SqlClient client, String ownerId, String after, int limit) {
        return client.preparedQuery(LIST).execute(Tuple.of(ownerId, after, limit)).map(rows -> {
            List<Webhook> hooks = new ArrayList<>(rows.size());
            rows.forEach(row -> hooks.add(Webhook.from(row)));
            return hooks;
        });
    }

    /** Stores a new sealed signing secret. */
    static Uni<Void> reseal(SqlClient tx, String id, int version, Barrier.Sealed secret) {
        return tx.preparedQuery(RESEAL).execute(Tuple.of(id, version, secret.masterKeyId(), Buffer.buffer(secret.wrappedKey()),
                Buffer.buffer(secret.ciphertext()))).replaceWithVoid();
    }

    static Uni<Void> enable(SqlClient tx, String id) {
        return tx.preparedQuery(ENABLE).execute(Tuple.of(id)).replaceWithVoid();
    }

    /** Deletes the webhook if the caller may ({@code admin}, or its owner); whether it did. */
    static Uni<Boolean> delete(SqlClient tx, String id, boolean admin, String callerId) {
        return tx.preparedQuery(DELETE).execute(Tuple.of(id, admin, callerId)).map(rows -> rows.rowCount() > 0);
    }

    /** Disables the webhook (unless it already is) for the reason given. */
    static Uni<Void> disable(SqlClient client, String id, Instant at, String reason) {
        return client.preparedQuery(DISABLE).execute(Tuple.of(id, Outbox.at(at), reason)).replaceWithVoid();
    }

    /** The ids of the webhooks that receive an event, in the publishing transaction. */
    static Uni<List<String>> receiving(Mutiny.Session session, Notice notice) {
        return session.createNativeQuery(RECEIVING, String.class)
                .setParameter("type", notice.type())
                .setParameter("request", orEmpty(notice.approvalRequestId()))
                .setParameter("requester", orEmpty(notice.requesterId()))
                .setParameter("ns", orEmpty(notice.namespace()))
                .getResultList();
    }

    /** Locks these webhooks against deletion until the publishing transaction ends; those still there. */
    static Uni<List<String>> lockAgainstDelete(Mutiny.Session session, List<String> ids) {
        return ids.isEmpty() ? Uni.createFrom().item(ids)
                : session.createNativeQuery(LOCK_AGAINST_DELETE, String.class).setParameter("ids", ids).getResultList();
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}

package com.agentsecretstore.policy;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Every statement on {@code namespace_policy}: as {@link PolicyRecord} entities in the caller's
 * Hibernate session, except the inputs of a policy evaluation, which token issuance reads on the
 * plain SQL client in one statement of their own (the hot path gains no round trip or session).
 * The access model's predicates on the table stay in {@code AccessModel}.
 */
@ApplicationScoped
public class PolicyTable {

    /** Everything an evaluation reads, in one row: trust tier, policy, a stored setting, the secrets under a prefix. */
    private static final String EVALUATION_INPUTS = "select p.trust_tier, p.moltbotden_id, np.document, np.revision, "
            + "st.value as setting, s.paths, s.tiers "
            + "from (select 1) one "
            + "left join principal p on p.id = $1 "
            + "left join namespace_policy np on np.namespace = $2 "
            + "left join setting st on st.name = $4 "
            + "cross join lateral (select array_agg(path) as paths, array_agg(tier) as tiers from secret "
            + "where namespace = $2 and path like $3 escape '\\') s";

    /**
     * What an evaluation reads: the requester's trust override and MoltbotDen id (null when unknown),
     * the stored policy (null document and revision 0: none), the stored setting, and the secrets.
     */
    public record EvaluationInputs(String trustOverride, String moltbotdenId, String document, int revision, String setting,
            List<SecretRef> secrets) {

        static EvaluationInputs from(Row row) {
            String[] paths = row.getArrayOfStrings("paths");
            String[] tiers = row.getArrayOfStrings("tiers");
            List<SecretRef> secrets = new ArrayList<>();
            for (int i = 0; paths != null && i < paths.length; i++) {
                secrets.add(new SecretRef(paths[i], Tier.fromWire(tiers[i])));
            }
            Integer revision = row.getInteger("revision");
            return new EvaluationInputs(row.getString("trust_tier"), row.getString("moltbotden_id"), row.getString("document"),
                    revision == null ? 0 : revision, row.getString("setting"), secrets);
        }
    }

    /**
     * The inputs of an evaluation for {@code principalId} in {@code namespace}: the secrets whose path
     * is LIKE {@code like} (escape {@code \}) and the setting named {@code setting}.
     */
    public Uni<EvaluationInputs> evaluationInputs(SqlClient client, String principalId, String namespace, String like,
            String setting) {
        return client.preparedQuery(EVALUATION_INPUTS).execute(Tuple.of(principalId, namespace, like, setting))
                .map(rows -> EvaluationInputs.from(rows.iterator().next()));
    }

    /** The stored policy or null; {@code lock} takes its row lock for the current transaction. */
    public Uni<PolicyRecord> find(String namespace, boolean lock) {
        return lock ? PolicyRecord.findById(namespace, LockModeType.PESSIMISTIC_WRITE) : PolicyRecord.findById(namespace);
    }

    /** Adds a new policy to the current transaction (a found one is written when it commits). */
    public Uni<Void> insert(PolicyRecord r) {
        return r.persist().replaceWithVoid();
    }
}

package com.agentsecretstore.audit;

/**
 * The SQL of {@code audit_seal}: each seal holds a run of consecutive entries of the chain (their ids
 * and hashes in chain order), signed by the service. Rows read with {@link #COLUMNS} are read by
 * these column names.
 */
final class AuditSealTable {

    /** Every column of a seal, {@code last_xid} as text (an unsigned 64-bit number). */
    private static final String COLUMNS = "seq, first_seq, last_xid::text as last_xid, last_id, prev_hash, entry_ids, entry_hashes, "
            + "sealed_at, key_id, signature, entry_tags";
    /** Seals after {@code $1} up to {@code $2}, oldest first, at most {@code $3} of them. */
    static final String SEALS = "select " + COLUMNS + " from audit_seal where seq > $1 and seq <= $2 order by seq limit $3";
    /**
     * Where the chain ends: the newest seal, or the newest archive when the seals archived with a
     * dropped partition are all gone. Columns seq, last_chain_seq, last_xid, last_id, head_hash.
     */
    static final String HEAD = "select seq, first_seq + cardinality(entry_ids) - 1 as last_chain_seq, last_xid::text as last_xid, "
            + "last_id, substring(entry_hashes from length(entry_hashes) - 31) as head_hash from audit_seal "
            + "union all select last_seal, last_chain_seq, last_xid::text, last_id, head_hash from audit_archive "
            + "order by 1 desc limit 1";
    /** The newest seal's statement fields and signature (its head hash only, not all its hashes). */
    static final String NEWEST = "select seq, first_seq, cardinality(entry_ids) as n, prev_hash, "
            + "substring(entry_hashes from length(entry_hashes) - 31) as head, sealed_at, key_id, signature "
            + "from audit_seal order by seq desc limit 1";
    /** The seal holding the entry at sealing key ({@code $1}, {@code $2}): the first that ends at or after it. */
    static final String HOLDING = "select seq from audit_seal where (last_xid, last_id) >= ($1::text::xid8, $2) "
            + "order by last_xid, last_id limit 1";
    static final String INSERT = "insert into audit_seal (seq, first_seq, last_xid, last_id, prev_hash, entry_ids, "
            + "entry_hashes, sealed_at, key_id, signature, entry_tags) values ($1, $2, $3::text::xid8, $4, $5, $6, $7, $8, $9, $10, $11)";
    /** Seals written before seals were signed (V16), oldest first, at most {@code $1}. */
    static final String UNSIGNED = "select seq, first_seq, prev_hash, entry_hashes, sealed_at from audit_seal "
            + "where signature is null order by seq limit $1";
    static final String SIGN = "update audit_seal set key_id = $2, signature = $3, entry_tags = $4 "
            + "where seq = $1 and signature is null";
    /** Seals before {@code $1}. */
    static final String DELETE_BEFORE = "delete from audit_seal where seq < $1";
    /** Seals before {@code $1} that end before the sealing key ({@code $2}, {@code $3}). */
    static final String DELETE_BEFORE_KEY = "delete from audit_seal where seq < $1 "
            + "and (last_xid, last_id) < ($2::text::xid8, $3)";

    private AuditSealTable() {
    }
}

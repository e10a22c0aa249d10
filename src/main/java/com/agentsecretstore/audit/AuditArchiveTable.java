package com.agentsecretstore.audit;

/**
 * The SQL of {@code audit_archive}: one row per dropped partition, signed ({@link ArchiveStatement}).
 * The newest row is where the database's part of the chain starts.
 */
final class AuditArchiveTable {

    static final String NEWEST = "select partition_name, first_seal, last_seal, first_chain_seq, last_chain_seq, prev_hash, "
            + "head_hash, last_xid::text as last_xid, last_id, key_id, signature from audit_archive order by last_seal desc limit 1";
    static final String INSERT = "insert into audit_archive (partition_name, range_from, range_to, file_name, "
            + "file_sha256, first_seal, last_seal, first_chain_seq, last_chain_seq, prev_hash, head_hash, last_xid, last_id, "
            + "entries, key_id, signature, archived_at) "
            + "values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::text::xid8, $13, $14, $15, $16, $17)";

    private AuditArchiveTable() {
    }
}

package com.agentsecretstore.audit;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * What the signature of an archive covers: the partition it replaced and the run of whole seals it
 * holds, from the hash its first entry links to up to its head. The same text is signed once and
 * stored twice: as the first line of the archive file (so that the file alone shows it was cut
 * neither short nor long) and on the {@code audit_archive} row (so that verify trusts where the
 * chain left in the database resumes only if the service wrote it). Lines as in {@link SealStatement}:
 *
 * <pre>
 * ass.audit.archive.v1
 * partition=audit_entry_p20261125
 * first_seal=1
 * last_seal=12
 * first_seq=1
 * chain_seq=3456
 * prev_hash=&lt;64 lowercase hex digits&gt;
 * entry_hash=&lt;64 lowercase hex digits: the head&gt;
 * key_id=ask_01J...
 * </pre>
 */
public record ArchiveStatement(String partition, long firstSeal, long lastSeal, long firstSeq, long chainSeq,
        byte[] prevHash, byte[] entryHash, String keyId) {

    /** A purpose label, so that no archive statement can pass for a seal statement or a receipt. */
    public static final String VERSION = "ass.audit.archive.v1";

    private static final HexFormat HEX = HexFormat.of();

    public byte[] bytes() {
        return text().getBytes(StandardCharsets.UTF_8);
    }

    public String text() {
        return VERSION + "\n"
                + "partition=" + partition + "\n"
                + "first_seal=" + firstSeal + "\n"
                + "last_seal=" + lastSeal + "\n"
                + "first_seq=" + firstSeq + "\n"
                + "chain_seq=" + chainSeq + "\n"
                + "prev_hash=" + HEX.formatHex(prevHash) + "\n"
                + "entry_hash=" + HEX.formatHex(entryHash) + "\n"
                + "key_id=" + keyId + "\n";
    }
}

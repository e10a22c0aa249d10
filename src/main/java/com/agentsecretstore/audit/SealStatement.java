package com.agentsecretstore.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * What a seal's signature covers: its place in the chain and the hashes at both of its ends, as a
 * short text that offline verifiers rebuild from the fields of a checkpoint or an exported seal.
 * Every line is {@code name=value} and ends with a line feed, in this order:
 *
 * <pre>
 * ass.audit.seal.v1
 * seal_seq=12
 * first_seq=3401
 * chain_seq=3456
 * prev_hash=&lt;64 lowercase hex digits: the hash the seal's first entry links to&gt;
 * entry_hash=&lt;64 lowercase hex digits: the hash of its last entry, the head&gt;
 * sealed_at=2026-11-30T18:58:16.123456Z
 * key_id=ask_01J...
 * </pre>
 *
 * Values are decimal integers, lowercase hex, a UTC time with exactly six fractional digits, and a
 * key id of {@code [A-Za-z0-9_]}: none can hold a line feed, so the text has one reading. Because
 * every entry hash links to the one before, signing both ends of a seal pins every entry in it: an
 * entry edited and every hash recomputed changes the signed head.
 */
public record SealStatement(long sealSeq, long firstSeq, long chainSeq, byte[] prevHash, byte[] entryHash,
        Instant sealedAt, String keyId) {

    /** The first line: a purpose label, so that no seal statement can pass for a receipt or the reverse. */
    public static final String VERSION = "ass.audit.seal.v1";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final HexFormat HEX = HexFormat.of();

    /** The time as it appears in the statement and in a checkpoint: UTC, exactly six fractional digits. */
    public static String time(Instant t) {
        return TIME.format(t);
    }

    /** The exact bytes that are signed (UTF-8; all of it is ASCII). */
    public byte[] bytes() {
        return text().getBytes(StandardCharsets.UTF_8);
    }

    public String text() {
        return VERSION + "\n"
                + "seal_seq=" + sealSeq + "\n"
                + "first_seq=" + firstSeq + "\n"
                + "chain_seq=" + chainSeq + "\n"
                + "prev_hash=" + HEX.formatHex(prevHash) + "\n"
                + "entry_hash=" + HEX.formatHex(entryHash) + "\n"
                + "sealed_at=" + time(sealedAt) + "\n"
                + "key_id=" + keyId + "\n";
    }
}

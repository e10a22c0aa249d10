package com.agentsecretstore.audit;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;

/**
 * The audit hash chain's arithmetic: how an entry's hash is computed and how a walk over the chain
 * decides whether it is intact. No I/O, so that the rules are unit-tested on their own.
 *
 * <p>{@code entry_hash = SHA-256(prev_hash || encode(entry))}, where {@code prev_hash} is the
 * previous entry's hash (32 zero bytes for the first entry) and {@code encode} writes a version tag
 * and then every content column in a fixed order: {@code chain_seq} as 8 bytes, {@code recorded_at}
 * as 8 bytes of microseconds since the epoch (the precision PostgreSQL stores), and each text column
 * as a 4-byte length followed by its UTF-8 bytes, or length -1 for SQL null. Length prefixes make the
 * encoding unambiguous: moving characters from one column to the next, or replacing null with an
 * empty string, changes the hash.
 */
public final class AuditChain {

    /** The previous hash of the first entry. */
    public static final byte[] GENESIS = new byte[32];

    /** Bumped if the encoding ever changes, so that old and new hashes cannot be confused. */
    private static final byte[] VERSION_TAG = "ass.audit.v1".getBytes(StandardCharsets.US_ASCII);

    private AuditChain() {
    }

    /**
     * The hash of {@code entry} at position {@code seq} after {@code prev}, as the sealer stores it
     * and verify recomputes it. The entry's own {@code chainSeq}, {@code prevHash} and
     * {@code entryHash} are ignored: the caller says where it goes.
     *
     * @throws IllegalArgumentException when {@code recordedAt} has sub-microsecond digits, which
     *         PostgreSQL would not have stored: hashes must be computed from values read back.
     */
    public static byte[] hash(byte[] prev, AuditEntry entry, long seq) {
        if (prev == null || prev.length != 32) {
            throw new IllegalArgumentException("prev hash must be 32 bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.writeBytes(VERSION_TAG);
        out.writeBytes(prev);
        writeLong(out, seq);
        text(out, entry.id);
        writeLong(out, micros(entry.recordedAt));
        text(out, entry.action);
        text(out, entry.outcome);
        text(out, entry.actorId);
        text(out, entry.actorName);
        text(out, entry.actorRole);
        text(out, entry.namespace);
        text(out, entry.path);
        text(out, entry.targetId);
        text(out, entry.sourceIp);
        text(out, entry.details);
        return sha256(out.toByteArray());
    }

    static long micros(Instant t) {
        if (t == null) {
            throw new IllegalArgumentException("recorded_at is required");
        }
        if (t.getNano() % 1000 != 0) {
            throw new IllegalArgumentException("recorded_at has sub-microsecond digits; hash the stored value");
        }
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }

    private static void text(ByteArrayOutputStream out, String value) {
        if (value == null) {
            writeInt(out, -1);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        writeInt(out, bytes.length);
        out.writeBytes(bytes);
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(v).array());
    }

    private static void writeLong(ByteArrayOutputStream out, long v) {
        out.writeBytes(ByteBuffer.allocate(8).putLong(v).array());
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /** Why the chain breaks at an entry. */
    public record Break(String id, Long chainSeq, String reason) {
    }

    /**
     * A walk over sealed entries in {@code chain_seq} order, from the first. Feed entries one by one
     * to {@link #check}; the first entry that does not follow from the ones before it is reported.
     *
     * <p>What a walk catches: an edited column of any sealed entry (its hash no longer matches), an
     * edited {@code prev_hash} (the link to the entry before breaks), a deleted entry (a gap in
     * {@code chain_seq}, reported at the entry after it) and entries reordered by editing
     * {@code chain_seq}. What it cannot catch on its own: removing the newest entries, since the
     * shortened chain is still a valid chain, and a writer who recomputes every hash after an edit,
     * since SHA-256 needs no key. Both are caught only by comparing with a head
     * ({@code chain_seq}, {@code entry_hash}) recorded outside the database earlier: verify returns
     * the head for that purpose, and the sealer logs it at debug level.
     */
    public static final class Walk {

        private long expectedSeq;
        private byte[] expectedPrev;
        private long checked;

        /** A walk from the first entry of the chain. */
        public Walk() {
            this(0, GENESIS);
        }

        /** A walk that resumes after position {@code afterSeq}, whose hash is {@code afterHash} (an archive's head). */
        public Walk(long afterSeq, byte[] afterHash) {
            this.expectedSeq = afterSeq + 1;
            this.expectedPrev = afterHash.clone();
        }

        /** Checks the next entry; null when it is intact and linked to the one before. */
        public Break check(AuditEntry e) {
            checked++;
            if (e.chainSeq == null || e.prevHash == null || e.entryHash == null) {
                return new Break(e.id, e.chainSeq, "its chain columns are incomplete");
            }
            if (e.chainSeq != expectedSeq) {
                String reason = expectedSeq == 1
                        ? "the chain starts at chain_seq " + e.chainSeq + " instead of 1: earlier entries are missing"
                        : "chain_seq " + e.chainSeq + " follows " + (expectedSeq - 1) + ": entries between them are missing";
                return new Break(e.id, e.chainSeq, reason);
            }
            if (!Arrays.equals(e.prevHash, expectedPrev)) {
                return new Break(e.id, e.chainSeq, "its prev_hash does not match the hash of the entry before it");
            }
            byte[] recomputed;
            try {
                recomputed = hash(e.prevHash, e, e.chainSeq);
            } catch (IllegalArgumentException bad) {
                return new Break(e.id, e.chainSeq, "its content cannot be hashed: " + bad.getMessage());
            }
            if (!MessageDigest.isEqual(recomputed, e.entryHash)) {
                return new Break(e.id, e.chainSeq, "its entry_hash does not match its content");
            }
            expectedSeq++;
            expectedPrev = e.entryHash;
            return null;
        }

        /** Entries passed to {@link #check} so far, including a broken one. */
        public long checked() {
            return checked;
        }

        /** The sequence number of the last intact entry, 0 before the first. */
        public long headSeq() {
            return expectedSeq - 1;
        }

        /** The hash of the last intact entry, {@link #GENESIS} before the first. */
        public byte[] headHash() {
            return expectedPrev.clone();
        }
    }
}

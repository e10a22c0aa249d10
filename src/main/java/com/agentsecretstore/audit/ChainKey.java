package com.agentsecretstore.audit;

/**
 * An audit entry's place in sealing order: the writing transaction's id ({@code xid8}, an unsigned
 * 64-bit number), then the entry id. Transaction ids compare as numbers, never as text: as text,
 * "1000" sorts before "999", and a chain sealed in that order skips and repeats entries once ids
 * gain a digit. Ids are ASCII and collate "C" in the database, which is {@link String#compareTo}.
 */
record ChainKey(long xid, String id) implements Comparable<ChainKey> {

    /** Before every entry: where an empty chain starts. */
    static final ChainKey START = new ChainKey(0, "");

    /** A key from an xid as PostgreSQL prints it ({@code xid8::text}). */
    static ChainKey of(String xid, String id) {
        return new ChainKey(Long.parseUnsignedLong(xid), id);
    }

    @Override
    public int compareTo(ChainKey other) {
        int c = Long.compareUnsigned(xid, other.xid);
        return c != 0 ? c : id.compareTo(other.id);
    }

    /** The xid as PostgreSQL reads it back ({@code $n::text::xid8}). */
    String xidText() {
        return Long.toUnsignedString(xid);
    }
}

package com.agentsecretstore.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;

import org.junit.jupiter.api.Test;

/** The text a seal's signature covers, byte for byte as the README and the Python SDK define it. */
class SealStatementTest {

    @Test
    void theStatementIsEightLinesInAFixedOrder() {
        byte[] prev = new byte[32];
        byte[] head = new byte[32];
        head[31] = (byte) 0xab;
        SealStatement s = new SealStatement(12, 3401, 3456, prev, head, Instant.parse("2026-11-30T18:58:16.1234Z"), "ask_1");
        assertEquals("ass.audit.seal.v1\n"
                + "seal_seq=12\n"
                + "first_seq=3401\n"
                + "chain_seq=3456\n"
                + "prev_hash=" + "00".repeat(32) + "\n"
                + "entry_hash=" + "00".repeat(31) + "ab\n"
                + "sealed_at=2026-11-30T18:58:16.123400Z\n"
                + "key_id=ask_1\n", s.text());
    }

    @Test
    void timesAlwaysHaveSixFractionalDigits() {
        assertEquals("2026-01-02T03:04:05.000000Z", SealStatement.time(Instant.parse("2026-01-02T03:04:05Z")));
        assertEquals("2026-01-02T03:04:05.000001Z", SealStatement.time(Instant.parse("2026-01-02T03:04:05.000001Z")));
    }
}

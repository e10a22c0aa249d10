package com.agentsecretstore.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The audit action names: stable strings, each once, each one the audit filter accepts. */
class AuditActionTest {

    @Test
    void everyActionHasItsOwnNameThatTheFilterAccepts() {
        Set<String> seen = new HashSet<>();
        for (AuditAction a : AuditAction.values()) {
            assertTrue(seen.add(a.wire()), a + " repeats a name");
            assertTrue(AuditFilter.ACTION.matcher(a.wire()).matches(), a.wire());
            assertEquals(a, AuditAction.fromWire(a.wire()));
        }
    }

    @Test
    void theRepairWrittenByMigrationV7IsOneOfThem() {
        assertEquals(AuditAction.AUDIT_REPAIR, AuditAction.fromWire("audit.repair"));
    }
}

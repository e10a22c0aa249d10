package com.agentsecretstore.principal.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.principal.KeyState;
import com.agentsecretstore.principal.Role;
import com.agentsecretstore.principal.auth.CredentialWatch.Lapse;

/** When a long-lived request must end, given what its key looks like now. */
class CredentialWatchTest {

    private static final Caller APPROVER = new Caller("apv_1", "alice", Role.APPROVER, List.of("prod", "dev"), "key_1", null);

    @Test
    void anUnchangedKeyKeepsTheRequest() {
        assertNull(CredentialWatch.lapse(APPROVER, new KeyState(true, Role.APPROVER, Set.of("dev", "prod"))));
    }

    @Test
    void aRevokedOrVanishedKeyOrDisabledPrincipalEndsIt() {
        assertEquals(Lapse.REVOKED, CredentialWatch.lapse(APPROVER, new KeyState(false, Role.APPROVER, Set.of("dev", "prod"))));
        assertEquals(Lapse.REVOKED, CredentialWatch.lapse(APPROVER, null));
    }

    @Test
    void aChangedRoleOrNamespaceListEndsItAsChanged() {
        assertEquals(Lapse.CHANGED, CredentialWatch.lapse(APPROVER, new KeyState(true, Role.APPROVER, Set.of("dev"))));
        assertEquals(Lapse.CHANGED, CredentialWatch.lapse(APPROVER, new KeyState(true, Role.AGENT, Set.of("dev", "prod"))));
    }
}

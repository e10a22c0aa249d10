package com.agentsecretstore.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.access.AccessModel.Target;
import com.agentsecretstore.access.AccessModel.Who;
import com.agentsecretstore.principal.Role;

/** The access rule on its own, without I/O: issue 10's table, one behaviour per test, then invariants over generated cases. */
class AccessModelTest {

    private static final Target REQUEST = new Target("prod", "agt_requester");
    private static final Designation DEFAULT = Designation.NAMESPACE_APPROVERS;

    private static Who who(String id, Role role, String... namespaces) {
        return new Who(id, role, List.of(namespaces));
    }

    private static Optional<Refusal> check(Action a, Who w, Designation d) {
        return AccessModel.check(a, w, REQUEST, d);
    }

    @Test
    void aTokenIsSeenAndRevokedByItsHolderAndAdminsOnly() {
        assertTrue(AccessModel.mayManageToken(who("agt_holder", Role.AGENT, "prod"), "agt_holder"));
        assertTrue(AccessModel.mayManageToken(who("prn_admin", Role.ADMIN), "agt_holder"));
        assertFalse(AccessModel.mayManageToken(who("agt_other", Role.AGENT, "prod"), "agt_holder"));
        assertFalse(AccessModel.mayManageToken(who("prn_approver", Role.APPROVER, "prod"), "agt_holder"));
    }

    @Test
    void anApproverTheListNamesDecidesAndSeesWhateverItsNamespaces() {
        Who listed = who("prn_listed", Role.APPROVER, "staging");
        Designation d = new Designation(List.of("prn_listed"));
        for (Action a : List.of(Action.SEE, Action.APPROVE, Action.DENY, Action.CANCEL)) {
            assertEquals(Optional.empty(), check(a, listed, d), a.name());
        }
        assertTrue(AccessModel.mayReadPolicy(listed, "prod", d));
    }

    @Test
    void aNamespaceApproverTheListLeavesOutSeesAndCancelsButDoesNotDecide() {
        Who member = who("prn_member", Role.APPROVER, "prod");
        Designation d = new Designation(List.of("prn_other"));
        assertEquals(Optional.empty(), check(Action.SEE, member, d));
        assertEquals(Optional.empty(), check(Action.CANCEL, member, d));
        assertEquals(Optional.of(Refusal.NOT_DESIGNATED), check(Action.APPROVE, member, d));
        assertEquals(Optional.of(Refusal.NOT_DESIGNATED), check(Action.DENY, member, d));
    }

    @Test
    void withoutAListEveryApproverOfTheNamespaceDecides() {
        assertEquals(Optional.empty(), check(Action.APPROVE, who("prn_a", Role.APPROVER, "prod"), DEFAULT));
        assertEquals(Optional.of(Refusal.NOT_VISIBLE), check(Action.APPROVE, who("prn_b", Role.APPROVER, "staging"), DEFAULT));
    }

    @Test
    void theRequesterNeverDecidesEvenWhenListed() {
        Who requester = who("agt_requester", Role.APPROVER, "prod");
        Designation d = new Designation(List.of("agt_requester"));
        assertEquals(Optional.of(Refusal.REQUESTER_MAY_NOT_DECIDE), check(Action.APPROVE, requester, d));
        assertEquals(Optional.of(Refusal.REQUESTER_MAY_NOT_DECIDE), check(Action.DENY, requester, DEFAULT));
        assertEquals(Optional.empty(), check(Action.CANCEL, requester, d));
        assertEquals(Optional.empty(), check(Action.COLLECT, requester, d));
    }

    @Test
    void anAdminSeesAndCancelsEverythingButDecidesOnlyWhenListed() {
        Who admin = who("prn_admin", Role.ADMIN);
        assertEquals(Optional.empty(), check(Action.SEE, admin, DEFAULT));
        assertEquals(Optional.empty(), check(Action.CANCEL, admin, DEFAULT));
        assertEquals(Optional.of(Refusal.NOT_DESIGNATED), check(Action.APPROVE, admin, DEFAULT));
        assertEquals(Optional.empty(), check(Action.APPROVE, admin, new Designation(List.of("prn_admin"))));
    }

    @Test
    void anAgentTheListNamesDecidesNothingAndSeesNothingOfOthers() {
        Who agent = who("agt_listed", Role.AGENT, "prod");
        Designation d = new Designation(List.of("agt_listed"));
        for (Action a : Action.values()) {
            assertEquals(Optional.of(Refusal.NOT_VISIBLE), check(a, agent, d), a.name());
        }
    }

    @Test
    void aNameInALegacyListMatchesNobodyEvenThePrincipalCalledThat() {
        Who named = who("prn_alice", Role.APPROVER, "staging");
        Designation legacy = new Designation(List.of("alice"));
        assertEquals(Optional.of(Refusal.NOT_VISIBLE), check(Action.APPROVE, named, legacy));
        // And the namespace's own approvers do not fall back to deciding: the list names someone.
        assertEquals(Optional.of(Refusal.NOT_DESIGNATED), check(Action.APPROVE, who("prn_m", Role.APPROVER, "prod"), legacy));
    }

    @Test
    void onlyTheRequesterCollects() {
        assertEquals(Optional.of(Refusal.NOT_REQUESTER), check(Action.COLLECT, who("prn_admin", Role.ADMIN), DEFAULT));
        assertEquals(Optional.of(Refusal.NOT_VISIBLE), check(Action.COLLECT, who("agt_other", Role.AGENT, "prod"), DEFAULT));
    }

    @Test
    void policiesAreReadByAdminsTheNamespacesApproversAndTheApproversTheyName() {
        assertTrue(AccessModel.mayReadPolicy(who("prn_admin", Role.ADMIN), "prod", DEFAULT));
        assertTrue(AccessModel.mayReadPolicy(who("prn_m", Role.APPROVER, "prod"), "prod", DEFAULT));
        assertFalse(AccessModel.mayReadPolicy(who("prn_x", Role.APPROVER, "staging"), "prod", DEFAULT));
        assertFalse(AccessModel.mayReadPolicy(who("agt_a", Role.AGENT, "prod"), "prod", new Designation(List.of("agt_a"))));
    }

    /** Invariants the rule promises, over every combination a seeded generator draws. */
    @Test
    void invariantsHoldOverGeneratedCases() {
        Random random = new Random(20261130L);
        List<String> ids = List.of("agt_requester", "prn_a", "prn_b", "prn_admin", "agt_x");
        List<String> namespaces = List.of("prod", "staging", "dev");
        for (int i = 0; i < 20_000; i++) {
            Role role = Role.values()[random.nextInt(Role.values().length)];
            String id = ids.get(random.nextInt(ids.size()));
            List<String> mine = new ArrayList<>();
            namespaces.stream().filter(n -> random.nextBoolean()).forEach(mine::add);
            List<String> listed = new ArrayList<>();
            ids.stream().filter(n -> random.nextInt(4) == 0).forEach(listed::add);
            if (random.nextInt(5) == 0) {
                listed.add("alice");
            }
            Who w = new Who(id, role, mine);
            Designation d = new Designation(listed);
            String c = w + " " + listed;
            boolean see = AccessModel.allows(Action.SEE, w, REQUEST, d);
            boolean decide = AccessModel.allows(Action.APPROVE, w, REQUEST, d);
            boolean requester = id.equals(REQUEST.requesterId());
            assertEquals(decide, AccessModel.allows(Action.DENY, w, REQUEST, d), c);
            assertTrue(!decide || see, "who may decide may see: " + c);
            assertEquals(see, AccessModel.allows(Action.CANCEL, w, REQUEST, d), "who may see may cancel: " + c);
            assertEquals(requester, AccessModel.allows(Action.COLLECT, w, REQUEST, d), c);
            assertTrue(!requester || !decide, "the requester never decides: " + c);
            assertTrue(!decide || role != Role.AGENT, "an agent never decides: " + c);
            assertTrue(!decide || role != Role.ADMIN || listed.contains(id), "an admin decides only when listed: " + c);
            if (role == Role.ADMIN || requester) {
                assertTrue(see, c);
            }
            if (role == Role.AGENT && !requester) {
                assertFalse(see, "an agent sees only its own requests: " + c);
            }
            if (!requester && role == Role.APPROVER) {
                boolean expected = d.listed() ? listed.contains(id) : mine.contains("prod");
                assertEquals(expected, decide, c);
            }
        }
    }
}

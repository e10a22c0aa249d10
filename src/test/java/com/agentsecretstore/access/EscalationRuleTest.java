package com.agentsecretstore.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.access.AccessModel.Target;
import com.agentsecretstore.access.AccessModel.Who;
import com.agentsecretstore.principal.Role;

/** The access rule for a request that escalated (its SLA ladder): the escalation approvers join those who decide. */
class EscalationRuleTest {

    private static final Who OUTSIDER = new Who("prn_lead", Role.APPROVER, List.of("staging"));
    private static final Target BEFORE = new Target("prod", "agt_requester");
    private static final Target AFTER = new Target("prod", "agt_requester", List.of("prn_lead", "prn_admin", "agt_other"));
    private static final Designation LISTED = new Designation(List.of("prn_listed"));

    @Test
    void anEscalationApproverNeitherSeesNorDecidesBeforeTheEscalation() {
        for (Designation d : List.of(Designation.NAMESPACE_APPROVERS, LISTED)) {
            assertEquals(Optional.of(Refusal.NOT_VISIBLE), AccessModel.check(Action.SEE, OUTSIDER, BEFORE, d));
            assertEquals(Optional.of(Refusal.NOT_VISIBLE), AccessModel.check(Action.APPROVE, OUTSIDER, BEFORE, d));
        }
    }

    @Test
    void afterTheEscalationItSeesDecidesAndMayCancelWhateverItsNamespacesAndTheList() {
        for (Designation d : List.of(Designation.NAMESPACE_APPROVERS, LISTED)) {
            for (Action a : List.of(Action.SEE, Action.APPROVE, Action.DENY, Action.CANCEL)) {
                assertEquals(Optional.empty(), AccessModel.check(a, OUTSIDER, AFTER, d), a.name());
            }
            assertEquals(Optional.of(Refusal.NOT_REQUESTER), AccessModel.check(Action.COLLECT, OUTSIDER, AFTER, d));
        }
    }

    @Test
    void anAdminEscalatedToDecidesAnAdminNotNamedOnlySees() {
        Who named = new Who("prn_admin", Role.ADMIN, List.of());
        Who other = new Who("prn_admin2", Role.ADMIN, List.of());
        assertTrue(AccessModel.allows(Action.APPROVE, named, AFTER, LISTED));
        assertEquals(Optional.of(Refusal.NOT_DESIGNATED), AccessModel.check(Action.APPROVE, other, AFTER, LISTED));
        assertEquals(Optional.of(Refusal.NOT_DESIGNATED), AccessModel.check(Action.APPROVE, named, BEFORE, LISTED));
    }

    @Test
    void anAgentNeverDecidesEvenWhenTheListNamesIt() {
        Who agent = new Who("agt_other", Role.AGENT, List.of("prod"));
        assertFalse(AccessModel.allows(Action.APPROVE, agent, AFTER, Designation.NAMESPACE_APPROVERS));
        assertFalse(AccessModel.allows(Action.SEE, new Who("agt_other", Role.AGENT, List.of()), AFTER, LISTED));
    }

    @Test
    void theRequesterNeverDecidesItsOwnRequestEvenWhenEscalatedTo() {
        Who requester = new Who("prn_self", Role.APPROVER, List.of("prod"));
        Target own = new Target("prod", "prn_self", List.of("prn_self"));
        assertEquals(Optional.of(Refusal.REQUESTER_MAY_NOT_DECIDE), AccessModel.check(Action.APPROVE, requester, own, LISTED));
    }

    @Test
    void escalationOnlyAddsDecidersTheOthersKeepTheirRights() {
        Who member = new Who("prn_member", Role.APPROVER, List.of("prod"));
        assertTrue(AccessModel.allows(Action.APPROVE, member, AFTER, Designation.NAMESPACE_APPROVERS));
        Who listed = new Who("prn_listed", Role.APPROVER, List.of());
        assertTrue(AccessModel.allows(Action.APPROVE, listed, AFTER, LISTED));
        assertEquals(Optional.of(Refusal.NOT_DESIGNATED), AccessModel.check(Action.APPROVE, member, AFTER, LISTED));
    }
}

package com.agentsecretstore.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The SLA ladder's mail: a reminder and an escalation say what they are, with the one genuine review link. */
class SlaMailTest {

    @Test
    void aReminderSaysTheRequestStillWaits() {
        MailComposer.Message m = new MailComposer().compose(EventType.REMINDER, MailComposerTest.payload("nightly run"));
        assertTrue(m.subject().startsWith("Reminder: approval still needed for critical access to secrets:read:prod/db/*"), m.subject());
        assertTrue(m.body().startsWith("deploy-bot still waits for a critical token"), m.body());
        assertEquals(1, MailComposerTest.reviewLines(m.body()).size());
    }

    @Test
    void anEscalationSaysWhoMayNowDecide() {
        MailComposer.Message m = new MailComposer().compose(EventType.ESCALATED, MailComposerTest.payload("nightly run"));
        assertTrue(m.subject().startsWith("Escalated: approval needed for critical access"), m.subject());
        assertTrue(m.body().contains("its escalation approvers may now approve or deny it too"), m.body());
        assertTrue(m.body().contains("Review it: " + MailComposerTest.GENUINE));
    }
}

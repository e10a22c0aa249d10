package com.agentsecretstore.notify;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Subject and plain-text body of approval emails, from the event payload (which holds no secret).
 * Text an agent or approver wrote (description, reason) is untrusted: every value loses its control
 * and line-breaking characters, so no value can start a line of its own (such as a forged
 * "Review it:" link), and free text is shown quoted, as someone else's words.
 */
@ApplicationScoped
public class MailComposer {

    /** Events that end a request, which its requester hears about. */
    static final List<String> OUTCOMES = List.of(EventType.TOKEN_ISSUED, EventType.DENIED, EventType.CANCELLED,
            EventType.EXPIRED);

    public record Message(String subject, String body) {
    }

    public Message compose(String type, Map<String, Object> p) {
        String scope = plain(p.get("scope"));
        String requester = plain(p.get("requested_by"));
        String tier = plain(p.get("tier"));
        String subject = switch (type) {
            case EventType.REQUESTED -> "Approval needed: " + tier + " access to " + scope + " for " + requester;
            case EventType.REMINDER -> "Reminder: approval still needed for " + tier + " access to " + scope + " for " + requester;
            case EventType.ESCALATED -> "Escalated: approval needed for " + tier + " access to " + scope + " for " + requester;
            case EventType.TOKEN_ISSUED -> "Approved: your token for " + scope + " is ready";
            case EventType.DENIED -> "Denied: your request for " + scope;
            case EventType.CANCELLED -> "Cancelled: the request for " + scope;
            case EventType.EXPIRED -> "Expired: the request for " + scope;
            default -> "Agent Secret Store: " + type + " for " + scope;
        };
        StringBuilder body = new StringBuilder();
        body.append(switch (type) {
            case EventType.REQUESTED -> requester + " asks for a " + tier + " token and needs your approval.";
            case EventType.REMINDER -> requester + " still waits for a " + tier + " token; the request needs your approval.";
            case EventType.ESCALATED -> requester + " waits for a " + tier
                    + " token and nobody decided in time, so the request was escalated: its escalation approvers may now approve or deny it too.";
            case EventType.TOKEN_ISSUED -> "The request was approved and its token issued; collect it with the API.";
            case EventType.DENIED -> "The request was denied.";
            case EventType.CANCELLED -> "The request was cancelled.";
            case EventType.EXPIRED -> "The request was not approved in time and expired.";
            default -> "The request changed: " + type + ".";
        }).append("\n\n");
        line(body, "Request", p.get("approval_request_id"));
        line(body, "Requested by", requester);
        line(body, "Trust tier", p.get("trust_tier"));
        line(body, "Scope", scope);
        line(body, "Secrets", p.get("secret_paths"));
        line(body, "Tier", tier);
        line(body, "Approvals", p.get("received_approvals") + " of " + p.get("required_approvals"));
        line(body, "Description", quoted(p.get("description")));
        line(body, "Reason", quoted(p.get("reason")));
        line(body, "Expires", p.get("expires_at"));
        line(body, "Issue at", p.get("issue_at"));
        body.append("\nReview it: ").append(plain(p.get("approve_url"))).append('\n');
        return new Message(subject.length() > 200 ? subject.substring(0, 200) : subject, body.toString());
    }

    private static void line(StringBuilder body, String label, Object value) {
        String text = plain(value);
        if (value != null && !text.isEmpty()) {
            body.append(label).append(": ").append(text).append('\n');
        }
    }

    /**
     * The value on one line: control characters (CR and LF among them), Unicode line and paragraph
     * separators and invisible format characters (bidi overrides) become spaces.
     */
    static String plain(Object value) {
        String s = String.valueOf(value);
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            int type = Character.getType(c);
            boolean unsafe = type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.UNASSIGNED
                    || type == Character.PRIVATE_USE || type == Character.SURROGATE;
            out.appendCodePoint(unsafe ? ' ' : c);
        });
        return out.toString().replaceAll(" {2,}", " ").strip();
    }

    /** Free text in double quotes, its own quotes and backslashes escaped, so that it cannot close the quote. */
    static String quoted(Object value) {
        if (value == null) {
            return null;
        }
        String text = plain(value);
        return text.isEmpty() ? null : "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}

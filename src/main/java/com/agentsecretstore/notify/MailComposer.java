package com.agentsecretstore.notify;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

/** Subject and plain-text body of approval emails, from the event payload (which holds no secret). */
@ApplicationScoped
public class MailComposer {

    /** Events that end a request, which its requester hears about. */
    static final List<String> OUTCOMES = List.of(EventType.TOKEN_ISSUED, EventType.DENIED, EventType.CANCELLED,
            EventType.EXPIRED);

    public record Message(String subject, String body) {
    }

    public Message compose(String type, Map<String, Object> p) {
        String scope = String.valueOf(p.get("scope"));
        String requester = String.valueOf(p.get("requested_by"));
        String tier = String.valueOf(p.get("tier"));
        String subject = switch (type) {
            case EventType.REQUESTED -> "Approval needed: " + tier + " access to " + scope + " for " + requester;
            case EventType.TOKEN_ISSUED -> "Approved: your token for " + scope + " is ready";
            case EventType.DENIED -> "Denied: your request for " + scope;
            case EventType.CANCELLED -> "Cancelled: the request for " + scope;
            case EventType.EXPIRED -> "Expired: the request for " + scope;
            default -> "Agent Secret Store: " + type + " for " + scope;
        };
        StringBuilder body = new StringBuilder();
        body.append(switch (type) {
            case EventType.REQUESTED -> requester + " asks for a " + tier + " token and needs your approval.";
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
        line(body, "Description", p.get("description"));
        line(body, "Reason", p.get("reason"));
        line(body, "Expires", p.get("expires_at"));
        line(body, "Issue at", p.get("issue_at"));
        body.append("\nReview it: ").append(p.get("approve_url")).append('\n');
        return new Message(subject.length() > 200 ? subject.substring(0, 200) : subject, body.toString());
    }

    private static void line(StringBuilder body, String label, Object value) {
        if (value != null && !String.valueOf(value).isEmpty()) {
            body.append(label).append(": ").append(value).append('\n');
        }
    }
}

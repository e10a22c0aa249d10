package com.agentsecretstore.notify;

import java.util.Map;

/**
 * An event to publish, described by the feature that caused it. {@code payload} holds the
 * reference's webhook fields and extras; it never holds a secret value or a token value.
 */
public record Notice(String type, String approvalRequestId, String namespace, String requesterId,
        Map<String, Object> payload) {
}

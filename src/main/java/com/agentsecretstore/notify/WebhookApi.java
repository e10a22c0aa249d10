package com.agentsecretstore.notify;

import java.time.Instant;
import java.util.List;

/** Bodies of {@code /v1/webhooks}. A signing secret appears only in the response that generated it. */
public final class WebhookApi {

    private WebhookApi() {
    }

    public record CreateRequest(String url, List<String> events, String secret, String description) {
        @Override
        public String toString() {
            return "CreateRequest[" + url + ", " + events + "]";
        }
    }

    public record RotateRequest(String secret) {
        @Override
        public String toString() {
            return "RotateRequest[]";
        }
    }

    public record WebhookView(String id, String url, List<String> events, String description, int secretVersion,
            Instant createdAt, String createdBy, Instant disabledAt, String disabledReason, String secret) {
    }

    public record DeliveryView(String id, String webhookId, String eventId, String eventType, long eventSeq,
            String approvalRequestId, String status, int attempts, Instant nextAttemptAt, Integer lastStatusCode,
            String lastError, Instant deliveredAt, Instant createdAt) {
    }
}

package com.agentsecretstore.notify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class WebhookSignerTest {

    @Test
    void reproducesTheStandardWebhooksTestVector() {
        byte[] key = WebhookSigner.key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                WebhookSigner.sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L, "{\"test\": 2432232314}"));
    }

    @Test
    void anyChangeOfIdTimestampOrBodyChangesTheSignature() {
        byte[] key = WebhookSigner.key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        String base = WebhookSigner.sign(key, "msg_1", 1, "{}");
        assertNotEquals(base, WebhookSigner.sign(key, "msg_2", 1, "{}"));
        assertNotEquals(base, WebhookSigner.sign(key, "msg_1", 2, "{}"));
        assertNotEquals(base, WebhookSigner.sign(key, "msg_1", 1, "{ }"));
    }

    @Test
    void aSecretThatIsNotBase64IsUsedAsItsBytes() {
        assertArrayEquals("whsec_your_signing_secret".getBytes(StandardCharsets.UTF_8),
                WebhookSigner.key("whsec_your_signing_secret"));
        assertArrayEquals("plain-secret".getBytes(StandardCharsets.UTF_8), WebhookSigner.key("plain-secret"));
    }
}

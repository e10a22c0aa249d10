package com.agentsecretstore.notify;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures: {@code v1,<base64 HMAC-SHA256 of "id.timestamp.body">}. A
 * {@code whsec_<base64>} secret's key is the decoded bytes. A secret that is not valid base64 after
 * the prefix (like the reference page's placeholder {@code whsec_your_signing_secret}) is used as
 * its UTF-8 bytes, whole, so that such a registration still works and verifies consistently.
 */
public final class WebhookSigner {

    public static final String PREFIX = "whsec_";

    private WebhookSigner() {
    }

    public static byte[] key(String secret) {
        if (secret.startsWith(PREFIX)) {
            try {
                byte[] decoded = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
                if (decoded.length > 0) {
                    return decoded;
                }
            } catch (IllegalArgumentException notBase64) {
                // falls through to the raw bytes
            }
        }
        return secret.getBytes(StandardCharsets.UTF_8);
    }

    public static String sign(byte[] key, String messageId, long timestampSeconds, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] digest = mac.doFinal((messageId + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}

package com.agentsecretstore.secret;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;

/** Request and response bodies of {@code /v1/secrets}. None of the responses carries a value. */
public final class SecretApi {

    private SecretApi() {
    }

    /** {@code tier} and {@code metadata} keep their current values when absent. */
    public record PutRequest(
            // A value is sealed as bytes, never stored as text: unlike every other string, it may hold U+0000.
            @JsonDeserialize(using = StringDeserializer.class) String value,
            String tier, Map<String, String> metadata) {
        @Override
        public String toString() {
            return "PutRequest[value=<redacted>, tier=" + tier + "]";
        }
    }

    public record SecretView(String path, String namespace, String tier, Map<String, String> metadata,
            int currentVersion, Instant createdAt, Instant updatedAt, String createdBy, String updatedBy) {
    }

    public record VersionView(int version, Instant createdAt, String createdBy, String masterKeyId) {
    }

    public record VersionsView(String path, int currentVersion, List<VersionView> versions) {
    }

    public record MasterKeyStatus(String activeKeyId, List<String> configuredKeyIds, Map<String, Long> versionsByKey,
            List<String> missingKeyIds) {
    }

    public record RewrapResult(long rewrapped, String activeKeyId, Map<String, Long> versionsByKey) {
    }
}

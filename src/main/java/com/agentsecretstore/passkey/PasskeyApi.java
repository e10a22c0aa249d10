package com.agentsecretstore.passkey;

import java.time.Instant;
import java.util.List;

/**
 * Bodies of {@code /v1/passkeys} and of the step-up of an approval. Binary WebAuthn values travel
 * as unpadded base64url, as {@code PublicKeyCredential.toJSON()} gives them.
 */
public final class PasskeyApi {

    private PasskeyApi() {
    }

    public record RelyingParty(String id, String name) {
    }

    public record User(String id, String name, String displayName) {
    }

    public record CredentialParameter(String type, int alg) {
    }

    public record CredentialDescriptor(String type, String id) {
    }

    public record AuthenticatorSelection(String residentKey, String userVerification) {
    }

    /** What {@code navigator.credentials.create} needs, with the challenge to answer by {@code expiresAt}. */
    public record RegistrationOptions(String challenge, RelyingParty rp, User user, List<CredentialParameter> pubKeyCredParams,
            long timeoutMs, List<CredentialDescriptor> excludeCredentials, AuthenticatorSelection authenticatorSelection,
            String attestation, Instant expiresAt) {
    }

    /** A new passkey: the authenticator's answer to the registration options. */
    public record RegisterBody(String label, String clientDataJson, String attestationObject, List<String> transports) {
    }

    /** A registered passkey; its public key is never shown. */
    public record PasskeyView(String id, String label, Instant createdAt, Instant lastUsedAt) {
    }

    /** What {@code navigator.credentials.get} needs to step up for one approval request. */
    public record StepUpOptions(String challenge, String rpId, List<CredentialDescriptor> allowCredentials,
            String userVerification, long timeoutMs, String approvalRequestId, Instant expiresAt) {
    }

    /** A passkey assertion, the authenticator's answer to a step-up challenge. */
    public record Assertion(String credentialId, String clientDataJson, String authenticatorData, String signature,
            String userHandle) {
    }
}

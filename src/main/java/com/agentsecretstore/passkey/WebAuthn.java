package com.agentsecretstore.passkey;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.common.AssConfig;
import com.webauthn4j.WebAuthnManager;
import com.webauthn4j.converter.AttestedCredentialDataConverter;
import com.webauthn4j.converter.CollectedClientDataConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.credential.CredentialRecordImpl;
import com.webauthn4j.data.AuthenticationData;
import com.webauthn4j.data.AuthenticationParameters;
import com.webauthn4j.data.AuthenticationRequest;
import com.webauthn4j.data.PublicKeyCredentialParameters;
import com.webauthn4j.data.PublicKeyCredentialType;
import com.webauthn4j.data.RegistrationData;
import com.webauthn4j.data.RegistrationParameters;
import com.webauthn4j.data.RegistrationRequest;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.authenticator.AuthenticatorData;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.client.CollectedClientData;
import com.webauthn4j.data.client.Origin;
import com.webauthn4j.data.client.challenge.DefaultChallenge;
import com.webauthn4j.server.ServerProperty;
import com.webauthn4j.verifier.exception.MaliciousCounterValueException;

/**
 * The WebAuthn ceremonies, verified by webauthn4j: nothing here does I/O. Registration accepts any
 * attestation format without checking it against a vendor trust list ("none" is what passkeys
 * send): what a passkey proves here is that the approver who registered it, signed in, holds it
 * now. Both ceremonies require user verification (PIN or biometric), the relying-party id and one
 * of the configured origins.
 */
@ApplicationScoped
public class WebAuthn {

    /** ES256 first (every passkey provider has it), then EdDSA and RS256 (Windows Hello). */
    static final List<COSEAlgorithmIdentifier> ALGORITHMS = List.of(COSEAlgorithmIdentifier.ES256,
            COSEAlgorithmIdentifier.EdDSA, COSEAlgorithmIdentifier.RS256);

    /** Why an assertion or attestation was not accepted. */
    public enum Fault {
        /** Not the shape WebAuthn defines (bad base64url, bad CBOR or JSON). */
        MALFORMED,
        /** Signature, origin, relying party, challenge, type or user verification did not check out. */
        VERIFICATION_FAILED,
        /** The authenticator's counter did not grow: a clone of the authenticator may be in use. */
        COUNTER_REGRESSED
    }

    /** A verification that failed, with its fault. */
    public static final class Rejected extends Exception {
        private final Fault fault;

        Rejected(Fault fault) {
            super(fault.name(), null, false, false);
            this.fault = fault;
        }

        public Fault fault() {
            return fault;
        }
    }

    /** A verified registration, as stored. */
    public record Registered(byte[] credentialId, byte[] credentialData, long signCount, boolean uvInitialized,
            boolean backupEligible, boolean backupState) {
    }

    private final WebAuthnManager manager = WebAuthnManager.createNonStrictWebAuthnManager();
    private final ObjectConverter converter = new ObjectConverter();
    private final AttestedCredentialDataConverter credentialData = new AttestedCredentialDataConverter(converter);
    private final CollectedClientDataConverter clientData = new CollectedClientDataConverter(converter);
    private final String rpId;
    private final Set<Origin> origins;

    public WebAuthn(StepUpConfig stepUp, AssConfig config) {
        URI publicUrl = URI.create(config.publicUrl());
        this.rpId = stepUp.rpId().orElse(publicUrl.getHost());
        List<String> allowed = stepUp.origins().orElse(List.of(publicUrl.getScheme() + "://" + publicUrl.getRawAuthority()));
        this.origins = allowed.stream().map(Origin::new).collect(Collectors.toUnmodifiableSet());
    }

    public String rpId() {
        return rpId;
    }

    /** The challenge a client's clientDataJSON answers, to find (and consume) it before verifying. */
    public byte[] challengeOf(byte[] clientDataJson) throws Rejected {
        try {
            CollectedClientData data = clientData.convert(clientDataJson);
            if (data == null || data.getChallenge() == null) {
                throw new Rejected(Fault.MALFORMED);
            }
            return data.getChallenge().getValue();
        } catch (RuntimeException e) {
            throw new Rejected(Fault.MALFORMED);
        }
    }

    /** Verifies a registration (attestation) answering {@code challenge}. */
    public Registered register(byte[] challenge, byte[] clientDataJson, byte[] attestationObject, Set<String> transports)
            throws Rejected {
        ServerProperty server = new ServerProperty(origins, rpId, new DefaultChallenge(challenge));
        List<PublicKeyCredentialParameters> params = ALGORITHMS.stream()
                .map(a -> new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, a)).toList();
        RegistrationData data;
        try {
            data = manager.verify(new RegistrationRequest(attestationObject, clientDataJson, transports),
                    new RegistrationParameters(server, params, true, true));
        } catch (com.webauthn4j.converter.exception.DataConversionException | IllegalArgumentException e) {
            throw new Rejected(Fault.MALFORMED);
        } catch (com.webauthn4j.verifier.exception.VerificationException e) {
            throw new Rejected(Fault.VERIFICATION_FAILED);
        }
        AuthenticatorData<?> auth = data.getAttestationObject().getAuthenticatorData();
        AttestedCredentialData attested = auth.getAttestedCredentialData();
        if (attested == null) {
            throw new Rejected(Fault.MALFORMED);
        }
        return new Registered(attested.getCredentialId(), credentialData.convert(attested), auth.getSignCount(),
                auth.isFlagUV(), auth.isFlagBE(), auth.isFlagBS());
    }

    /**
     * Verifies an assertion of the stored passkey answering {@code challenge}; returns the
     * authenticator's new counter. A counter that does not grow (unless the authenticator keeps
     * none, both zero) is refused as a possible clone.
     */
    public long verify(byte[] challenge, PasskeyCredential stored, byte[] authenticatorData, byte[] clientDataJson,
            byte[] signature, byte[] userHandle) throws Rejected {
        ServerProperty server = new ServerProperty(origins, rpId, new DefaultChallenge(challenge));
        try {
            AttestedCredentialData attested = credentialData.convert(stored.credentialData);
            CredentialRecordImpl record = new CredentialRecordImpl(null, stored.uvInitialized, stored.backupEligible,
                    stored.backupState, stored.signCount, attested, null, null, null, null);
            AuthenticationData data = manager.verify(
                    new AuthenticationRequest(stored.credentialId, userHandle, authenticatorData, clientDataJson, signature),
                    new AuthenticationParameters(server, record, List.of(stored.credentialId), true, true));
            return data.getAuthenticatorData().getSignCount();
        } catch (MaliciousCounterValueException e) {
            throw new Rejected(Fault.COUNTER_REGRESSED);
        } catch (com.webauthn4j.converter.exception.DataConversionException | IllegalArgumentException e) {
            throw new Rejected(Fault.MALFORMED);
        } catch (com.webauthn4j.verifier.exception.VerificationException e) {
            throw new Rejected(Fault.VERIFICATION_FAILED);
        }
    }

    /** Challenges are stored hashed: the table never holds one that could still be answered. */
    public static byte[] hash(byte[] challenge) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(challenge);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The WebAuthn user handle of a principal: its id, which is no personal data. */
    public static byte[] userHandle(String principalId) {
        return principalId.getBytes(StandardCharsets.UTF_8);
    }
}

package com.agentsecretstore.support;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import com.webauthn4j.converter.AttestationObjectConverter;
import com.webauthn4j.converter.AuthenticatorDataConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.data.attestation.AttestationObject;
import com.webauthn4j.data.attestation.authenticator.AAGUID;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.authenticator.AuthenticatorData;
import com.webauthn4j.data.attestation.authenticator.EC2COSEKey;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.attestation.statement.NoneAttestationStatement;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * A software passkey (a P-256 key pair, as a platform authenticator has) for API tests: it answers
 * the service's registration and step-up challenges with real ES256 signatures, encoded as a
 * browser would send them. webauthn4j is used only to lay out the CBOR bytes; the service
 * verifies them like any other. One passkey per API key, registered on first use.
 */
public final class SoftPasskey {

    /** The dashboard's origin in tests: that of {@code ass.public-url}'s default. */
    public static final String ORIGIN = "http://localhost:8080";
    public static final String RP_ID = "localhost";

    private static final Map<String, SoftPasskey> BY_KEY = new ConcurrentHashMap<>();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final ObjectConverter CONVERTER = new ObjectConverter();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyPair keys;
    private final byte[] credentialId = new byte[32];
    private long counter;
    private String id;

    public SoftPasskey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            keys = g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        RANDOM.nextBytes(credentialId);
    }

    /** The passkey of this API key, registered with the service the first time it is asked for. */
    public static SoftPasskey of(String key) {
        return of(key, Api::as);
    }

    /** The same, talking to the service through {@code as} (a key to a request), as the ITs do with their replicas. */
    public static SoftPasskey of(String key, Function<String, RequestSpecification> as) {
        return BY_KEY.computeIfAbsent(key, k -> {
            SoftPasskey p = new SoftPasskey();
            p.register(k, as).then().statusCode(201);
            return p;
        });
    }

    /**
     * A fresh assertion of the passkey of {@code key} for request {@code requestId}, or null when
     * the service hands out no challenge (the principal may not register passkeys, or may not
     * approve the request now).
     */
    public static Map<String, Object> tryStepUp(String key, String requestId) {
        SoftPasskey p = BY_KEY.get(key);
        if (p == null) {
            if (Api.as(key).post("/v1/approvals/" + requestId + "/step-up").statusCode() == 404) {
                return null;
            }
            SoftPasskey fresh = new SoftPasskey();
            Response options = Api.as(key).post("/v1/passkeys/registration-options");
            if (options.statusCode() != 200) {
                return null;
            }
            Response registered = Api.as(key).body(fresh.registration(options.path("challenge"), ORIGIN)).post("/v1/passkeys");
            if (registered.statusCode() != 201) {
                return null;
            }
            fresh.id = registered.path("id");
            p = BY_KEY.computeIfAbsent(key, k -> fresh);
        }
        synchronized (p) {
            Response challenge = Api.as(key).post("/v1/approvals/" + requestId + "/step-up");
            return challenge.statusCode() == 200 ? p.assertion(challenge.path("challenge"), ORIGIN, ++p.counter) : null;
        }
    }

    /** The id the service gave this passkey ({@code pky_...}). */
    public String id() {
        return id;
    }

    /** Registers this passkey for the principal of {@code key}, answering a fresh registration challenge. */
    public Response register(String key) {
        return register(key, Api::as);
    }

    private Response register(String key, Function<String, RequestSpecification> as) {
        String challenge = as.apply(key).post("/v1/passkeys/registration-options").then().statusCode(200)
                .extract().path("challenge");
        Response r = as.apply(key).body(registration(challenge, ORIGIN)).post("/v1/passkeys");
        if (r.statusCode() == 201) {
            id = r.path("id");
        }
        return r;
    }

    /** The body of {@code POST /v1/passkeys} answering {@code challenge} from {@code origin}. */
    public Map<String, Object> registration(String challenge, String origin) {
        byte[] clientData = clientData("webauthn.create", challenge, origin);
        AttestedCredentialData attested = new AttestedCredentialData(AAGUID.ZERO, credentialId,
                EC2COSEKey.create((ECPublicKey) keys.getPublic(), COSEAlgorithmIdentifier.ES256));
        AuthenticatorData<com.webauthn4j.data.extension.authenticator.RegistrationExtensionAuthenticatorOutput> auth =
                new AuthenticatorData<>(sha256(RP_ID.getBytes(StandardCharsets.UTF_8)),
                        (byte) (AuthenticatorData.BIT_UP | AuthenticatorData.BIT_UV | AuthenticatorData.BIT_AT), counter, attested);
        byte[] attestation = new AttestationObjectConverter(CONVERTER)
                .convertToBytes(new AttestationObject(auth, new NoneAttestationStatement()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("label", "test passkey");
        body.put("client_data_json", B64.encodeToString(clientData));
        body.put("attestation_object", B64.encodeToString(attestation));
        body.put("transports", List.of("internal"));
        return body;
    }

    /** Asks for a step-up challenge for request {@code id} as {@code key} and answers it. */
    public Map<String, Object> stepUp(String key, String requestId) {
        return stepUp(key, requestId, Api::as);
    }

    /** The same, through {@code as}. */
    public synchronized Map<String, Object> stepUp(String key, String requestId, Function<String, RequestSpecification> as) {
        String challenge = as.apply(key).post("/v1/approvals/" + requestId + "/step-up").then().statusCode(200)
                .extract().path("challenge");
        return assertion(challenge, ORIGIN, ++counter);
    }

    /** An assertion of this passkey answering {@code challenge}, with the given counter, signed for real. */
    public Map<String, Object> assertion(String challenge, String origin, long signCount) {
        byte[] clientData = clientData("webauthn.get", challenge, origin);
        AuthenticatorData<com.webauthn4j.data.extension.authenticator.AuthenticationExtensionAuthenticatorOutput> auth =
                new AuthenticatorData<>(sha256(RP_ID.getBytes(StandardCharsets.UTF_8)),
                        (byte) (AuthenticatorData.BIT_UP | AuthenticatorData.BIT_UV), signCount);
        byte[] authData = new AuthenticatorDataConverter(CONVERTER).convert(auth);
        byte[] signed;
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(keys.getPrivate());
            s.update(authData);
            s.update(sha256(clientData));
            signed = s.sign();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("credential_id", B64.encodeToString(credentialId));
        a.put("client_data_json", B64.encodeToString(clientData));
        a.put("authenticator_data", B64.encodeToString(authData));
        a.put("signature", B64.encodeToString(signed));
        return a;
    }

    /** The next counter value this passkey would send. */
    public synchronized long nextCounter() {
        return ++counter;
    }

    private static byte[] clientData(String type, String challenge, String origin) {
        return ("{\"type\":\"" + type + "\",\"challenge\":\"" + challenge + "\",\"origin\":\"" + origin
                + "\",\"crossOrigin\":false}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

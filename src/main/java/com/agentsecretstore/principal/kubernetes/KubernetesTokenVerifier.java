package com.agentsecretstore.principal.kubernetes;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwa.AlgorithmConstraints.ConstraintType;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwt.consumer.JwtContext;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.jose4j.lang.UnresolvableKeyException;

import com.agentsecretstore.common.Digests;
import com.agentsecretstore.principal.kubernetes.TokenRefusal.Reason;

import io.smallrye.mutiny.Uni;

/**
 * Verifies projected service-account tokens: the signature with the named issuer's published key
 * (RSA or EC signatures only — {@code none} and HMAC are refused before any key is looked at),
 * then issuer, audience, expiry and not-before, then the Kubernetes claims. The unverified header
 * and payload are read only to choose the issuer and key. A verified token is remembered, under
 * the SHA-256 of the token, until it expires, so each token costs one signature check.
 */
final class KubernetesTokenVerifier {

    /** What Kubernetes signs with (RS256 by default; ES256 when the signing key is EC). */
    static final Set<String> ALGORITHMS = Set.of(AlgorithmIdentifiers.RSA_USING_SHA256, AlgorithmIdentifiers.RSA_USING_SHA384,
            AlgorithmIdentifiers.RSA_USING_SHA512, AlgorithmIdentifiers.RSA_PSS_USING_SHA256,
            AlgorithmIdentifiers.RSA_PSS_USING_SHA384, AlgorithmIdentifiers.RSA_PSS_USING_SHA512,
            AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, AlgorithmIdentifiers.ECDSA_USING_P384_CURVE_AND_SHA384,
            AlgorithmIdentifiers.ECDSA_USING_P521_CURVE_AND_SHA512);
    private static final AlgorithmConstraints CONSTRAINTS = new AlgorithmConstraints(ConstraintType.PERMIT,
            ALGORITHMS.toArray(String[]::new));
    /** Clocks of the cluster and the service may disagree this much. */
    private static final int CLOCK_SKEW_SECONDS = 30;
    /** Longer bearers are not parsed: projected tokens are about 1 KB. */
    static final int MAX_TOKEN_LENGTH = 16 * 1024;
    private static final int MAX_CLAIM = 256;

    private record Verified(ProjectedToken token) {
    }

    private final Map<String, IssuerKeys> issuers;
    private final String audience;
    private final Clock clock;
    private final int cacheSize;
    private final Map<String, Verified> cache = new ConcurrentHashMap<>();

    KubernetesTokenVerifier(List<IssuerKeys> issuers, String audience, Clock clock, int cacheSize) {
        Map<String, IssuerKeys> byName = new LinkedHashMap<>();
        issuers.forEach(i -> byName.put(i.issuer(), i));
        this.issuers = Map.copyOf(byName);
        this.audience = audience;
        this.clock = clock;
        this.cacheSize = cacheSize;
    }

    /** The verified token, or a {@link TokenRefusal} (or {@link IssuerUnavailableException}). */
    Uni<ProjectedToken> verify(String token) {
        String digest = Digests.bearerKey(token);
        Verified known = cache.get(digest);
        if (known != null) {
            if (known.token().expiresAt().isAfter(clock.instant())) {
                return Uni.createFrom().item(known.token());
            }
            cache.remove(digest);
        }
        Unverified claimed;
        try {
            claimed = Unverified.of(token);
        } catch (TokenRefusal refusal) {
            return Uni.createFrom().failure(refusal);
        }
        IssuerKeys keys = claimed.issuer() == null ? null : issuers.get(claimed.issuer());
        if (keys == null) {
            return Uni.createFrom().failure(claimed.refuse(Reason.UNKNOWN_ISSUER));
        }
        if (!ALGORITHMS.contains(claimed.algorithm())) {
            return Uni.createFrom().failure(claimed.refuse(Reason.DISALLOWED_ALGORITHM));
        }
        return keys.current()
                .flatMap(held -> claimed.keyId() == null || has(held, claimed.keyId()) ? Uni.createFrom().item(held)
                        : keys.afterUnknownKey())
                .map(held -> {
                    if (claimed.keyId() != null && !has(held, claimed.keyId())) {
                        throw claimed.refuse(Reason.UNKNOWN_KEY);
                    }
                    ProjectedToken verified = check(token, claimed, held);
                    remember(digest, verified);
                    return verified;
                });
    }

    private ProjectedToken check(String token, Unverified claimed, List<PublicJsonWebKey> keys) {
        JwtConsumer consumer = new JwtConsumerBuilder()
                .setJwsAlgorithmConstraints(CONSTRAINTS)
                .setVerificationKeyResolver(new JwksVerificationKeyResolver(new ArrayList<JsonWebKey>(keys)))
                .setExpectedIssuer(claimed.issuer())
                .setExpectedAudience(audience)
                .setRequireExpirationTime()
                .setRequireSubject()
                .setAllowedClockSkewInSeconds(CLOCK_SKEW_SECONDS)
                .setEvaluationTime(NumericDate.fromMilliseconds(clock.millis()))
                .build();
        try {
            JwtClaims claims = consumer.processToClaims(token);
            ProjectedToken verified = ProjectedToken.of(claimed.issuer(), claims);
            if (verified == null) {
                throw claimed.refuse(Reason.MISSING_CLAIMS);
            }
            return verified;
        } catch (InvalidJwtException e) {
            throw claimed.refuse(reason(e));
        } catch (MalformedClaimException e) {
            throw claimed.refuse(Reason.MISSING_CLAIMS);
        }
    }

    private static Reason reason(InvalidJwtException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // A key id the issuer has, but for another algorithm: no key of this issuer signed it.
            if (t instanceof UnresolvableKeyException) {
                return Reason.UNKNOWN_KEY;
            }
        }
        if (e.hasErrorCode(ErrorCodes.SIGNATURE_INVALID) || e.hasErrorCode(ErrorCodes.SIGNATURE_MISSING)) {
            return Reason.BAD_SIGNATURE;
        }
        if (e.hasErrorCode(ErrorCodes.EXPIRED)) {
            return Reason.EXPIRED;
        }
        if (e.hasErrorCode(ErrorCodes.NOT_YET_VALID)) {
            return Reason.NOT_YET_VALID;
        }
        if (e.hasErrorCode(ErrorCodes.AUDIENCE_INVALID) || e.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)) {
            return Reason.WRONG_AUDIENCE;
        }
        if (e.hasErrorCode(ErrorCodes.ISSUER_INVALID) || e.hasErrorCode(ErrorCodes.ISSUER_MISSING)) {
            return Reason.UNKNOWN_ISSUER;
        }
        if (e.hasErrorCode(ErrorCodes.EXPIRATION_MISSING) || e.hasErrorCode(ErrorCodes.SUBJECT_MISSING)
                || e.hasErrorCode(ErrorCodes.MALFORMED_CLAIM)) {
            return Reason.MISSING_CLAIMS;
        }
        return Reason.INVALID_TOKEN;
    }

    private static boolean has(List<PublicJsonWebKey> keys, String keyId) {
        return keys.stream().anyMatch(k -> keyId.equals(k.getKeyId()));
    }

    /** Bounded: a full cache first drops what expired, and caches nothing more if that freed no room. */
    private void remember(String digest, ProjectedToken token) {
        if (cache.size() >= cacheSize) {
            Instant now = clock.instant();
            cache.values().removeIf(v -> !v.token().expiresAt().isAfter(now));
            if (cache.size() >= cacheSize) {
                return;
            }
        }
        cache.put(digest, new Verified(token));
    }

    int cached() {
        return cache.size();
    }


    /** Header and payload as the token states them, before anything is verified: only to choose issuer and key. */
    private record Unverified(String issuer, String algorithm, String keyId) {

        static Unverified of(String token) {
            if (token.length() > MAX_TOKEN_LENGTH) {
                throw new TokenRefusal(Reason.MALFORMED_TOKEN, null, null);
            }
            try {
                JwtContext context = new JwtConsumerBuilder()
                        .setSkipAllValidators()
                        .setDisableRequireSignature()
                        .setSkipSignatureVerification()
                        .setJwsAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS)
                        .build()
                        .process(token);
                List<JsonWebStructure> objects = context.getJoseObjects();
                if (objects.size() != 1 || !(objects.get(0) instanceof JsonWebSignature jws)) {
                    throw new TokenRefusal(Reason.MALFORMED_TOKEN, null, null);
                }
                Object issuer = context.getJwtClaims().getClaimValue("iss");
                return new Unverified(issuer instanceof String s ? s : null, jws.getAlgorithmHeaderValue(),
                        jws.getKeyIdHeaderValue());
            } catch (InvalidJwtException e) {
                throw new TokenRefusal(Reason.MALFORMED_TOKEN, null, null);
            }
        }

        TokenRefusal refuse(Reason reason) {
            return new TokenRefusal(reason, cut(issuer), cut(algorithm));
        }

        private static String cut(String text) {
            return text == null || text.length() <= MAX_CLAIM ? text : text.substring(0, MAX_CLAIM);
        }
    }
}

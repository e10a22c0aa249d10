package com.agentsecretstore.principal.kubernetes;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.json.JsonUtil;
import org.jose4j.lang.JoseException;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/**
 * The public keys of one cluster issuer: fetched (from its JWKS URL, or the {@code jwks_uri} of its
 * OIDC discovery document) on first use, refetched when older than the maximum age, and on a key id
 * it does not know at most once per refetch interval. Fetches are shared by concurrent callers. A
 * failed refetch keeps the keys already held; with none held, the issuer is unavailable. Only
 * public RSA and EC keys are kept: a symmetric key in a JWKS is never a verification key here.
 */
final class IssuerKeys {

    /** GETs a URL and answers its body (fails on any status but 200). */
    interface Fetcher extends Function<String, Uni<String>> {
    }

    private final String issuer;
    private final String jwksUrl;
    private final Fetcher fetcher;
    private final Clock clock;
    private final Duration refetchInterval;
    private final Duration maxAge;

    private volatile List<PublicJsonWebKey> keys;
    private volatile long fetchedAt;
    private volatile long lastAttempt = Long.MIN_VALUE;
    private Uni<List<PublicJsonWebKey>> inFlight;

    IssuerKeys(String issuer, String jwksUrl, Fetcher fetcher, Clock clock, Duration refetchInterval, Duration maxAge) {
        this.issuer = issuer;
        this.jwksUrl = jwksUrl;
        this.fetcher = fetcher;
        this.clock = clock;
        this.refetchInterval = refetchInterval;
        this.maxAge = maxAge;
    }

    String issuer() {
        return issuer;
    }

    /** The keys, fetched first if none are held or they are older than the maximum age. */
    Uni<List<PublicJsonWebKey>> current() {
        List<PublicJsonWebKey> held = keys;
        if (held != null && clock.millis() - fetchedAt < maxAge.toMillis()) {
            return Uni.createFrom().item(held);
        }
        return fetch();
    }

    /**
     * The keys after a token named a key id not among them: refetched unless the last fetch was
     * within the refetch interval (then the held keys, so a stream of made-up key ids costs the
     * issuer one request per interval).
     */
    Uni<List<PublicJsonWebKey>> afterUnknownKey() {
        List<PublicJsonWebKey> held = keys;
        if (held != null && clock.millis() - lastAttempt < refetchInterval.toMillis()) {
            return Uni.createFrom().item(held);
        }
        return fetch();
    }

    private synchronized Uni<List<PublicJsonWebKey>> fetch() {
        if (inFlight == null) {
            lastAttempt = clock.millis();
            inFlight = load()
                    .onItem().invoke(fetched -> {
                        keys = fetched;
                        fetchedAt = clock.millis();
                    })
                    .onFailure().recoverWithUni(e -> {
                        List<PublicJsonWebKey> held = keys;
                        Log.warnf("Could not fetch the keys of Kubernetes issuer %s: %s", issuer, e.getMessage());
                        return held != null ? Uni.createFrom().item(held)
                                : Uni.createFrom().failure(new IssuerUnavailableException());
                    })
                    .onTermination().invoke(this::done)
                    .memoize().indefinitely();
        }
        return inFlight;
    }

    private synchronized void done() {
        inFlight = null;
    }

    private Uni<List<PublicJsonWebKey>> load() {
        Uni<String> url = jwksUrl != null ? Uni.createFrom().item(jwksUrl) : fetcher.apply(discoveryUrl()).map(this::jwksUri);
        return url.flatMap(fetcher::apply).map(IssuerKeys::parse);
    }

    private String discoveryUrl() {
        return (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer) + "/.well-known/openid-configuration";
    }

    /** The discovery document must be the issuer's own (OIDC Discovery 1.0, section 4.3). */
    private String jwksUri(String body) {
        try {
            Map<String, Object> doc = JsonUtil.parseJson(body);
            if (!issuer.equals(doc.get("issuer"))) {
                throw new IllegalStateException("the discovery document names another issuer");
            }
            if (!(doc.get("jwks_uri") instanceof String uri) || !(uri.startsWith("https://") || uri.startsWith("http://"))) {
                throw new IllegalStateException("the discovery document has no jwks_uri");
            }
            return uri;
        } catch (JoseException e) {
            throw new IllegalStateException("the discovery document is not JSON");
        }
    }

    static List<PublicJsonWebKey> parse(String body) {
        try {
            List<JsonWebKey> all = new JsonWebKeySet(body).getJsonWebKeys();
            return all.stream()
                    .filter(k -> k instanceof PublicJsonWebKey)
                    .filter(k -> k instanceof RsaJsonWebKey || k instanceof EllipticCurveJsonWebKey)
                    .filter(k -> k.getUse() == null || "sig".equals(k.getUse()))
                    .map(k -> (PublicJsonWebKey) k)
                    .toList();
        } catch (JoseException e) {
            throw new IllegalStateException("the JWKS is not a key set");
        }
    }
}

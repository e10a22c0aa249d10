package com.agentsecretstore.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.lang.JoseException;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Plays Kubernetes API servers' service-account issuers on one loopback port: per cluster, an OIDC
 * discovery document at {@code /<cluster>/.well-known/openid-configuration} and a JWKS at
 * {@code /<cluster>/keys}, with signing keys a test can rotate. {@link #token} mints projected
 * service-account tokens with exactly the claims Kubernetes puts in them.
 */
public final class KubernetesIssuer {

    /** One cluster's signing keys; the first signs. */
    public static final class Cluster {
        final String name;
        final List<PublicJsonWebKey> keys = new java.util.concurrent.CopyOnWriteArrayList<>();
        final AtomicInteger jwksFetches = new AtomicInteger();
        volatile int status = 200;

        Cluster(String name) {
            this.name = name;
        }

        public PublicJsonWebKey signingKey() {
            return keys.get(0);
        }

        public int jwksFetches() {
            return jwksFetches.get();
        }
    }

    private final HttpServer server;
    private final Map<String, Cluster> clusters = new ConcurrentHashMap<>();

    public KubernetesIssuer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    public void stop() {
        server.stop(0);
    }

    public String url(String cluster) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + cluster;
    }

    /** A cluster that signs with a new RSA ({@code ec} false) or EC P-256 key. */
    public Cluster cluster(String name, boolean ec) {
        Cluster c = new Cluster(name);
        c.keys.add(newKey(ec));
        clusters.put(name, c);
        return c;
    }

    public Cluster get(String name) {
        return clusters.get(name);
    }

    /** Answer every request of the cluster with this status (200: normally). */
    public void answer(String cluster, int status) {
        clusters.get(cluster).status = status;
    }

    /** The cluster signs with a new key from now on; {@code keepOld}: the old one is still published. */
    public synchronized PublicJsonWebKey rotate(String cluster, boolean ec, boolean keepOld) {
        Cluster c = clusters.get(cluster);
        PublicJsonWebKey next = newKey(ec);
        if (!keepOld) {
            c.keys.clear();
        }
        c.keys.add(0, next);
        return next;
    }

    public static PublicJsonWebKey newKey(boolean ec) {
        try {
            PublicJsonWebKey key = ec ? EcJwkGenerator.generateJwk(EllipticCurves.P256) : RsaJwkGenerator.generateJwk(2048);
            key.setKeyId(UUID.randomUUID().toString());
            key.setAlgorithm(ec ? AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256 : AlgorithmIdentifiers.RSA_USING_SHA256);
            key.setUse("sig");
            return key;
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The claims the kubelet's projected token carries for a pod of {@code namespace/serviceAccount}. */
    public static JwtClaims claims(String issuer, String namespace, String serviceAccount, String pod, String podUid) {
        JwtClaims claims = new JwtClaims();
        long now = Instant.now().getEpochSecond();
        claims.setIssuer(issuer);
        claims.setAudience("agent-secret-store");
        claims.setSubject("system:serviceaccount:" + namespace + ":" + serviceAccount);
        claims.setIssuedAt(NumericDate.fromSeconds(now));
        claims.setNotBefore(NumericDate.fromSeconds(now));
        claims.setExpirationTime(NumericDate.fromSeconds(now + 3607));
        Map<String, Object> k8s = new LinkedHashMap<>();
        k8s.put("namespace", namespace);
        k8s.put("node", Map.of("name", "node-1", "uid", UUID.randomUUID().toString()));
        k8s.put("pod", Map.of("name", pod, "uid", podUid));
        k8s.put("serviceaccount", Map.of("name", serviceAccount, "uid", UUID.randomUUID().toString()));
        claims.setClaim("kubernetes.io", k8s);
        return claims;
    }

    /** Signs {@code claims} with {@code key} (its own algorithm and key id). */
    public static String sign(JwtClaims claims, PublicJsonWebKey key) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(key.getAlgorithm());
        jws.setHeader("typ", "JWT");
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        String[] parts = exchange.getRequestURI().getPath().split("/", 3);
        Cluster c = parts.length < 3 ? null : clusters.get(parts[1]);
        if (c == null) {
            respond(exchange, 404, "{}");
            return;
        }
        if (c.status != 200) {
            respond(exchange, c.status, "{}");
            return;
        }
        switch (parts[2]) {
            case ".well-known/openid-configuration" -> respond(exchange, 200, "{\"issuer\":\"" + url(c.name)
                    + "\",\"jwks_uri\":\"" + url(c.name) + "/keys\",\"response_types_supported\":[\"id_token\"],"
                    + "\"subject_types_supported\":[\"public\"],\"id_token_signing_alg_values_supported\":[\"RS256\",\"ES256\"]}");
            case "keys" -> {
                c.jwksFetches.incrementAndGet();
                List<JsonWebKey> published;
                synchronized (this) {
                    published = new ArrayList<>(c.keys);
                }
                respond(exchange, 200, new JsonWebKeySet(published).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
            }
            default -> respond(exchange, 404, "{}");
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}

package com.agentsecretstore.policy.moltbotden;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.policy.TrustTier;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;

/**
 * The registry adapter, and the only class that knows MoltbotDen's wire shape:
 * {@code GET {url}/v1/agents/{id}} with {@code Authorization: Bearer {key}}, answering
 * {@code {"id": "...", "trust_tier": "T2"|"T3"|"T4"|"T5"}}, 404 for an agent it does not know.
 * Another registry is a change to this class alone.
 *
 * <p>It never fails: every error, a timeout (the whole exchange, connection included), a body
 * that is not that JSON, an answer about another id, an unknown tier, becomes a
 * {@link RegistryAnswer.Kind#FAILED} answer, which counts as Unregistered. Redirects are not
 * followed (they could carry the key elsewhere), and oversized bodies are not read.
 */
@ApplicationScoped
public class MoltbotdenClient {

    static final int MAX_BODY_BYTES = 16 * 1024;
    private static final Pattern TIER = Pattern.compile("T([2-5])");

    private final WebClient client;
    private final ObjectMapper json;

    public MoltbotdenClient(Vertx vertx, ObjectMapper json) {
        this.json = json;
        this.client = WebClient.create(vertx, new WebClientOptions()
                .setFollowRedirects(false)
                .setMaxPoolSize(8)
                .setUserAgent("agent-secret-store"));
    }

    @PreDestroy
    void close() {
        client.close();
    }

    /** The agent's answer from the registry at {@code baseUrl}; {@code apiKey} may be absent. */
    public Uni<RegistryAnswer> lookup(String baseUrl, Optional<String> apiKey, String agentId, Duration timeout) {
        long started = System.nanoTime();
        String url = baseUrl.replaceAll("/+$", "") + "/v1/agents/"
                + URLEncoder.encode(agentId, StandardCharsets.UTF_8).replace("+", "%20");
        var request = client.getAbs(url).timeout(Math.max(1, timeout.toMillis())).putHeader("Accept", "application/json");
        apiKey.ifPresent(k -> request.putHeader("Authorization", "Bearer " + k));
        return request.send()
                .ifNoItem().after(timeout).failWith(TimeoutException::new)
                .map(response -> interpret(response, agentId, millisSince(started)))
                .onFailure().recoverWithItem(e -> {
                    long millis = millisSince(started);
                    String why = e instanceof TimeoutException || e.getClass().getSimpleName().contains("Timeout")
                            ? "no answer within " + timeout.toMillis() + " ms"
                            : "not reachable";
                    Log.debugf("MoltbotDen lookup failed after %d ms: %s", millis, e.getClass().getSimpleName());
                    return RegistryAnswer.failed(null, why, millis);
                });
    }

    private RegistryAnswer interpret(HttpResponse<Buffer> response, String agentId, long millis) {
        int status = response.statusCode();
        if (status == 404) {
            return RegistryAnswer.notRegistered(millis);
        }
        if (status != 200) {
            return RegistryAnswer.failed(status, "HTTP " + status, millis);
        }
        Buffer body = response.body();
        if (body == null || body.length() == 0 || body.length() > MAX_BODY_BYTES) {
            return RegistryAnswer.failed(status, "not a registry answer", millis);
        }
        JsonNode node;
        try {
            node = json.readTree(body.getBytes());
        } catch (Exception e) {
            return RegistryAnswer.failed(status, "not a registry answer", millis);
        }
        if (node == null || !node.isObject() || !node.path("trust_tier").isTextual()
                || !agentId.equals(node.path("id").asText(null))) {
            return RegistryAnswer.failed(status, "not a registry answer", millis);
        }
        Matcher m = TIER.matcher(node.get("trust_tier").asText());
        if (!m.matches()) {
            return RegistryAnswer.failed(status, "unknown trust tier", millis);
        }
        return RegistryAnswer.found(TrustTier.fromLevel(Integer.parseInt(m.group(1))), status, millis);
    }

    /** The key goes only to the origin the environment names: scheme, host and port must all match. */
    static boolean sameOrigin(String a, String b) {
        try {
            URI x = URI.create(a);
            URI y = URI.create(b);
            return x.getScheme() != null && x.getScheme().equalsIgnoreCase(y.getScheme()) && x.getHost() != null
                    && x.getHost().equalsIgnoreCase(y.getHost()) && port(x) == port(y);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int port(URI u) {
        return u.getPort() != -1 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static long millisSince(long started) {
        return Duration.ofNanos(System.nanoTime() - started).toMillis();
    }
}

package com.agentsecretstore.principal.kubernetes;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.WebClient;

/**
 * The configured cluster issuers ({@link KubernetesSettings}) and the one verifier of their tokens.
 * Keys are fetched with the non-blocking Vert.x web client, never on a worker thread.
 */
@ApplicationScoped
public class KubernetesTokens {

    private final KubernetesSettings settings;
    private final Vertx vertx;
    private final Set<String> issuerNames;
    private final KubernetesTokenVerifier verifier;
    private volatile WebClient client;

    public KubernetesTokens(KubernetesSettings settings, Vertx vertx, Clock clock) {
        this.settings = settings;
        this.vertx = vertx;
        List<String> names = settings.issuers().orElse(List.of()).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        List<String> jwks = settings.jwksUrls().orElse(List.of()).stream().map(String::trim).toList();
        if (!jwks.isEmpty() && jwks.size() != names.size()) {
            throw new IllegalStateException("ass.kubernetes.jwks-urls must name one URL (or '-') per issuer in ass.kubernetes.issuers");
        }
        List<IssuerKeys> issuers = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String url = jwks.isEmpty() || "-".equals(jwks.get(i)) ? null : jwks.get(i);
            issuers.add(new IssuerKeys(names.get(i), url, this::get, clock, settings.keyRefetchInterval(), settings.keyMaxAge()));
        }
        this.issuerNames = Set.copyOf(names);
        this.verifier = new KubernetesTokenVerifier(issuers, settings.audience(), clock, settings.tokenCacheSize());
    }

    /** The issuers whose tokens this service verifies (empty: Kubernetes authentication is off). */
    public Set<String> issuers() {
        return issuerNames;
    }

    /** The verified token; fails with {@link TokenRefusal} or {@link IssuerUnavailableException}. */
    public Uni<ProjectedToken> verify(String token) {
        return verifier.verify(token);
    }

    private Uni<String> get(String url) {
        HttpRequest<io.vertx.mutiny.core.buffer.Buffer> request = client().getAbs(url).timeout(settings.fetchTimeout().toMillis());
        Uni<HttpRequest<io.vertx.mutiny.core.buffer.Buffer>> authorized = settings.fetchTokenFile().isEmpty()
                ? Uni.createFrom().item(request)
                : vertx.fileSystem().readFile(settings.fetchTokenFile().get())
                        .map(token -> request.bearerTokenAuthentication(token.toString().trim()));
        return authorized.flatMap(HttpRequest::send).map(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException(url + " answered " + response.statusCode());
            }
            return response.bodyAsString();
        });
    }

    private WebClient client() {
        WebClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    WebClientOptions options = new WebClientOptions().setFollowRedirects(false)
                            .setConnectTimeout((int) settings.fetchTimeout().toMillis());
                    settings.caFile().ifPresent(ca -> options.setTrustOptions(new PemTrustOptions().addCertPath(ca)));
                    client = WebClient.create(vertx, options);
                }
                c = client;
            }
        }
        return c;
    }
}

package com.agentsecretstore.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Three Kubernetes clusters' issuers for the whole suite ({@link KubernetesIssuer}): {@code cluster-a}
 * (RSA keys, found through discovery), {@code cluster-b} (EC keys, at a configured JWKS URL) and
 * {@code cluster-down} (answers 503 to everything).
 */
public class KubernetesIssuerResource implements QuarkusTestResourceLifecycleManager {

    private static KubernetesIssuer issuer;

    public static KubernetesIssuer issuer() {
        return issuer;
    }

    @Override
    public Map<String, String> start() {
        issuer = new KubernetesIssuer();
        issuer.cluster("cluster-a", false);
        issuer.cluster("cluster-b", true);
        issuer.cluster("cluster-down", false);
        issuer.answer("cluster-down", 503);
        return Map.of(
                "ass.kubernetes.issuers", issuer.url("cluster-a") + "," + issuer.url("cluster-b") + "," + issuer.url("cluster-down"),
                "ass.kubernetes.jwks-urls", "-," + issuer.url("cluster-b") + "/keys,-");
    }

    @Override
    public void stop() {
        if (issuer != null) {
            issuer.stop();
        }
    }
}

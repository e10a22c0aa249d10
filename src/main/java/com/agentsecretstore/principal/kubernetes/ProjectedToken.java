package com.agentsecretstore.principal.kubernetes;

import java.time.Instant;
import java.util.Map;

import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;

import com.agentsecretstore.principal.Workload;

/**
 * What a verified projected service-account token says: the claims Kubernetes puts under
 * {@code kubernetes.io} (namespace, service account, and the pod the token is bound to, if any).
 * Holds no part of the token itself.
 */
public record ProjectedToken(String issuer, String namespace, String serviceAccount, String serviceAccountUid,
        String podName, String podUid, Instant expiresAt) {

    /** Reads the Kubernetes claims of verified {@code claims}; null when they are missing or disagree with {@code sub}. */
    static ProjectedToken of(String issuer, JwtClaims claims) throws MalformedClaimException {
        Object k8s = claims.getClaimValue("kubernetes.io");
        if (!(k8s instanceof Map<?, ?> k) || claims.getExpirationTime() == null) {
            return null;
        }
        String namespace = text(k.get("namespace"));
        Map<?, ?> sa = k.get("serviceaccount") instanceof Map<?, ?> m ? m : Map.of();
        Map<?, ?> pod = k.get("pod") instanceof Map<?, ?> m ? m : Map.of();
        String name = text(sa.get("name"));
        if (namespace == null || name == null
                || !("system:serviceaccount:" + namespace + ":" + name).equals(claims.getSubject())) {
            return null;
        }
        return new ProjectedToken(issuer, namespace, name, text(sa.get("uid")), text(pod.get("name")), text(pod.get("uid")),
                Instant.ofEpochSecond(claims.getExpirationTime().getValue()));
    }

    /** The binding name, {@code <namespace>/<service-account>}. */
    public String account() {
        return namespace + "/" + serviceAccount;
    }

    public Workload workload() {
        return new Workload(namespace, serviceAccount, podName, podUid);
    }

    private static String text(Object value) {
        return value instanceof String s && !s.isEmpty() ? s : null;
    }
}

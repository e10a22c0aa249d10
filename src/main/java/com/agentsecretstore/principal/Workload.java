package com.agentsecretstore.principal;

import java.util.Map;
import java.util.TreeMap;

/**
 * The Kubernetes pod a call came from, as its verified service-account token names it. Not a
 * credential: it is recorded in the audit entry of every call made with the token.
 */
public record Workload(String namespace, String serviceAccount, String podName, String podUid) {

    /** The binding name, {@code <namespace>/<service-account>}. */
    public String account() {
        return namespace + "/" + serviceAccount;
    }

    /** The audit entry's {@code workload} detail; sorted, so that the entry's text is canonical. */
    public Map<String, Object> auditDetail() {
        Map<String, Object> m = new TreeMap<>();
        m.put("namespace", namespace);
        m.put("service_account", serviceAccount);
        if (podName != null) {
            m.put("pod", podName);
        }
        if (podUid != null) {
            m.put("pod_uid", podUid);
        }
        return m;
    }
}

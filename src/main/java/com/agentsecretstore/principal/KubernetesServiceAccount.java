package com.agentsecretstore.principal;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/**
 * A Kubernetes service account ({@code <namespace>/<name>}) bound to an agent: a verified token of
 * that service account authenticates as the agent. One principal per service account. Read and
 * written only through {@link ServiceAccountTable}.
 */
@Entity
@Table(name = "kubernetes_service_account")
public class KubernetesServiceAccount extends PanacheEntityBase {

    /** How a binding is named: a DNS-1123 label (the namespace), '/', a DNS-1123 subdomain (the name). */
    public static final String FORMAT = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?/[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
    /** 63 for the namespace, 1 for '/', 253 for the name. */
    public static final int MAX_LENGTH = 317;

    @Id
    public String account;
    public String principalId;
    public Instant createdAt;
}

package com.agentsecretstore.principal;

import java.time.Instant;

import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/**
 * A person or agent that can authenticate. Never serialized directly: see PrincipalView. Read and
 * written only through {@link PrincipalTable}.
 */
@Entity
@Table(name = "principal")
public class Principal extends PanacheEntityBase {
    @Id
    public String id;
    public String name;
    @Convert(converter = RoleConverter.class)
    public Role role;
    public String[] namespaces;
    public String email;
    public String trustTier;
    public String moltbotdenId;
    public boolean disabled;
    /** The person's identity at the OIDC provider (both or neither); see {@code principal.oidc}. */
    public String oidcIssuer;
    public String oidcSubject;
    public Instant createdAt;
    public Instant updatedAt;
}

package com.agentsecretstore.passkey;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A registered passkey of a principal (table {@code passkey_credential}, written only by {@link PasskeyStore}). */
@Entity
@Table(name = "passkey_credential")
public class PasskeyCredential extends PanacheEntityBase {
    @Id
    public String id;
    public String principalId;
    public byte[] credentialId;
    /** WebAuthn attested credential data: AAGUID, credential id and COSE public key. */
    public byte[] credentialData;
    public long signCount;
    public boolean uvInitialized;
    public boolean backupEligible;
    public boolean backupState;
    public String label;
    public Instant createdAt;
    public Instant lastUsedAt;
}

package com.agentsecretstore.secret;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import com.agentsecretstore.policy.Tier;
import com.agentsecretstore.policy.TierConverter;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/**
 * One sealed value of a secret: the value under its data key, the data key under a master key.
 * Read and written by {@link SecretTable}.
 */
@Entity
@Table(name = "secret_version")
@IdClass(SecretVersion.Key.class)
public class SecretVersion extends PanacheEntityBase {
    @Id
    public String path;
    @Id
    public int version;
    /**
     * The strictest tier this version ever had (it only rises): a read needs at least this, so
     * lowering the secret's tier does not open its older versions.
     */
    @Convert(converter = TierConverter.class)
    public Tier tier;
    public String masterKeyId;
    public byte[] wrappedKey;
    public byte[] ciphertext;
    public Instant createdAt;
    public String createdBy;

    public static class Key implements Serializable {
        public String path;
        public int version;

        public Key() {
        }

        public Key(String path, int version) {
            this.path = path;
            this.version = version;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.version == version && Objects.equals(k.path, path);
        }

        @Override
        public int hashCode() {
            return Objects.hash(path, version);
        }
    }
}

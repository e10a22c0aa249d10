package com.agentsecretstore.policy;

import java.util.Objects;

/**
 * An existing secret as tier resolution needs it: where it lives and the tier it was stored with.
 *
 * @param tier the secret's own tier; null (none given at write time) counts as standard, which
 *     leaves the decision to the namespace policy
 */
public record SecretRef(String path, Tier tier) {

    public SecretRef {
        Objects.requireNonNull(path, "path");
        if (tier == null) {
            tier = Tier.STANDARD;
        }
    }
}

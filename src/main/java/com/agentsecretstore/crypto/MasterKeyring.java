package com.agentsecretstore.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Owns the master keys: the immutable set of named 256-bit AES keys that wrap every data key, and
 * the id of the one that wraps new data keys. Old keys stay listed after a rotation so that values
 * sealed under them can still be opened and rewrapped.
 *
 * <p>Key bytes never leave this package; only {@link Barrier} reads them.
 */
public final class MasterKeyring {

    static final String ENV_SINGLE_KEY = "ASS_MASTER_KEY";
    static final String ENV_KEYS = "ASS_MASTER_KEYS";
    static final String ENV_ACTIVE_ID = "ASS_ACTIVE_MASTER_KEY";

    /** Id given to the key from {@code ASS_MASTER_KEY}. */
    public static final String DEFAULT_ID = "default";
    /** Id of the throwaway key made by {@link #generate()} for dev mode. */
    public static final String DEV_ID = "dev";

    static final int KEY_BYTES = 32;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    private final Map<String, SecretKey> keys;
    private final String activeId;

    private MasterKeyring(Map<String, SecretKey> keys, String activeId) {
        this.keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
        this.activeId = activeId;
    }

    /**
     * Reads the keyring from its three environment variables. Blank values count as unset.
     *
     * @param singleKeyBase64 {@code ASS_MASTER_KEY}: base64 of exactly 32 bytes, id {@code default}
     * @param keysSpec {@code ASS_MASTER_KEYS}: {@code id1:base64,id2:base64}
     * @param activeId {@code ASS_ACTIVE_MASTER_KEY}: required with more than one listed key
     * @return empty when no key is configured at all
     * @throws IllegalArgumentException naming the variable and the problem, never the key material
     */
    public static Optional<MasterKeyring> parse(
            Optional<String> singleKeyBase64, Optional<String> keysSpec, Optional<String> activeId) {
        Optional<String> single = nonBlank(singleKeyBase64);
        Optional<String> spec = nonBlank(keysSpec);
        Optional<String> active = nonBlank(activeId).map(String::trim);

        if (single.isPresent() && spec.isPresent()) {
            throw new IllegalArgumentException(
                    ENV_SINGLE_KEY + " and " + ENV_KEYS + " are both set; set only one of them");
        }
        if (single.isEmpty() && spec.isEmpty()) {
            if (active.isPresent()) {
                // An active id with no keys is a half-done configuration; silently running without
                // (or with a generated) key would hide it.
                throw new IllegalArgumentException(
                        ENV_ACTIVE_ID + " is set but neither " + ENV_SINGLE_KEY + " nor " + ENV_KEYS + " is");
            }
            return Optional.empty();
        }

        Map<String, SecretKey> keys = new LinkedHashMap<>();
        if (single.isPresent()) {
            keys.put(DEFAULT_ID, decodeKey(single.get(), ENV_SINGLE_KEY));
        } else {
            parseSpec(spec.get(), keys);
        }

        String chosen;
        if (active.isPresent()) {
            chosen = active.get();
        } else if (keys.size() == 1) {
            chosen = keys.keySet().iterator().next();
        } else {
            throw new IllegalArgumentException(
                    ENV_KEYS + " lists " + keys.size() + " keys; " + ENV_ACTIVE_ID + " must name the active one");
        }
        if (!ID.matcher(chosen).matches()) {
            // The value is not echoed: a malformed id may well be a key pasted into the wrong variable.
            throw new IllegalArgumentException(ENV_ACTIVE_ID + " is not a valid key id");
        }
        if (!keys.containsKey(chosen)) {
            String source = single.isPresent() ? ENV_SINGLE_KEY + " (id '" + DEFAULT_ID + "')" : ENV_KEYS;
            throw new IllegalArgumentException(
                    ENV_ACTIVE_ID + " names key '" + chosen + "', which " + source + " does not define");
        }
        return Optional.of(new MasterKeyring(keys, chosen));
    }

    /** One random key with id {@code dev}, for dev mode only: data sealed under it dies with the process. */
    public static MasterKeyring generate() {
        byte[] raw = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(raw);
        try {
            return new MasterKeyring(Map.of(DEV_ID, new SecretKeySpec(raw, "AES")), DEV_ID);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** Builds a keyring from raw keys; for tests in this package. */
    static MasterKeyring of(Map<String, byte[]> rawKeys, String activeId) {
        if (!rawKeys.containsKey(activeId)) {
            throw new IllegalArgumentException("active key '" + activeId + "' is not in the keyring");
        }
        Map<String, SecretKey> keys = new LinkedHashMap<>();
        rawKeys.forEach((id, raw) -> {
            if (raw.length != KEY_BYTES) {
                throw new IllegalArgumentException("key '" + id + "' is not " + KEY_BYTES + " bytes");
            }
            keys.put(id, new SecretKeySpec(raw, "AES"));
        });
        return new MasterKeyring(keys, activeId);
    }

    /** Id of the key that wraps new data keys. */
    public String activeId() {
        return activeId;
    }

    /** All key ids, in configuration order. */
    public Set<String> ids() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(keys.keySet()));
    }

    public boolean contains(String id) {
        return id != null && keys.containsKey(id);
    }

    /** The key with this id, or null. Package-private so that key bytes stay with the barrier. */
    SecretKey key(String id) {
        return id == null ? null : keys.get(id);
    }

    SecretKey activeKey() {
        return keys.get(activeId);
    }

    @Override
    public String toString() {
        return "MasterKeyring[active=" + activeId + ", ids=" + keys.keySet() + "]";
    }

    private static void parseSpec(String spec, Map<String, SecretKey> into) {
        String[] entries = spec.split(",", -1);
        for (int i = 0; i < entries.length; i++) {
            // Entries are referred to by position: an entry that fails to parse may be all key material.
            String where = ENV_KEYS + " entry " + (i + 1);
            String entry = entries[i].trim();
            if (entry.isEmpty()) {
                throw new IllegalArgumentException(where + " is empty");
            }
            int colon = entry.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException(where + " is not of the form id:base64");
            }
            String id = entry.substring(0, colon).trim();
            if (!ID.matcher(id).matches()) {
                throw new IllegalArgumentException(where + " has an invalid id; ids are 1-32 of [A-Za-z0-9_-]");
            }
            if (into.containsKey(id)) {
                throw new IllegalArgumentException(where + " repeats key id '" + id + "'");
            }
            into.put(id, decodeKey(entry.substring(colon + 1), where + " (id '" + id + "')"));
        }
    }

    private static SecretKey decodeKey(String base64, String where) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            // The decoder's message quotes the offending character, so it is deliberately dropped.
            throw new IllegalArgumentException(where + " is not valid base64");
        }
        try {
            if (raw.length != KEY_BYTES) {
                throw new IllegalArgumentException(
                        where + " must decode to " + KEY_BYTES + " bytes, not " + raw.length);
            }
            return new SecretKeySpec(raw, "AES");
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    private static Optional<String> nonBlank(Optional<String> value) {
        return value == null ? Optional.empty() : value.filter(v -> !v.isBlank());
    }
}

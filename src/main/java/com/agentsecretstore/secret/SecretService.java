package com.agentsecretstore.secret;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.AssConfig;
import com.agentsecretstore.common.FieldError;
import com.agentsecretstore.common.Page;
import com.agentsecretstore.common.Transactions;
import com.agentsecretstore.crypto.Barrier.Sealed;
import com.agentsecretstore.crypto.Barrier;
import com.agentsecretstore.policy.Tier;
import com.agentsecretstore.principal.Caller;
import com.agentsecretstore.secret.SecretApi.PutRequest;
import com.agentsecretstore.secret.SecretApi.SecretView;
import com.agentsecretstore.secret.SecretApi.VersionView;
import com.agentsecretstore.secret.SecretApi.VersionsView;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;

/**
 * Secret metadata and sealed versions ({@code secret} and {@code secret_version} through
 * {@link SecretTable}). Writing is for admins; reading a value is not offered here
 * to anyone: {@link #open} is the decrypt path for the token feature, which authorizes first.
 */
@ApplicationScoped
public class SecretService {

    private static final String ADMINS_ONLY = "Only admins may manage secrets.";

    static final int MAX_METADATA_ENTRIES = 64;
    private static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {
    };

    private final Barrier barrier;
    private final Clock clock;
    private final AuditLog audit;
    private final AssConfig config;
    private final ObjectMapper json;
    private final SecretTable table;

    public SecretService(Barrier barrier, Clock clock, AuditLog audit, AssConfig config, ObjectMapper json, SecretTable table) {
        this.table = table;
        this.barrier = barrier;
        this.clock = clock;
        this.audit = audit;
        this.config = config;
        this.json = json;
    }

    /** Writes a new version. The version number is allocated under a row lock, so concurrent writers queue. */
    public Uni<SecretView> put(Caller caller, String rawPath, PutRequest request) {
        return Transactions.run(() -> {
            caller.requireAdmin(ADMINS_ONLY);
            SecretPath path = SecretPath.parse(rawPath, "path");
            byte[] value = validate(request);
            Tier tier = Tier.fromWire(request.tier());
            String metadata = request.metadata() == null ? null : write(request.metadata());
            Instant now = clock.instant();
            return table.createIfAbsent(path, tier == null ? Tier.STANDARD : tier, metadata == null ? "{}" : metadata, now, caller.id())
                    .chain(() -> table.find(path.value(), true))
                    .flatMap(secret -> {
                        secret.currentVersion += 1;
                        if (tier != null) {
                            secret.tier = tier;
                        }
                        if (metadata != null) {
                            secret.metadata = metadata;
                        }
                        secret.updatedAt = now;
                        secret.updatedBy = caller.id();
                        Sealed sealed = barrier.seal(path.value(), secret.currentVersion, value);
                        java.util.Arrays.fill(value, (byte) 0);
                        SecretVersion v = new SecretVersion();
                        v.path = path.value();
                        v.version = secret.currentVersion;
                        v.tier = secret.tier;
                        v.masterKeyId = sealed.masterKeyId();
                        v.wrappedKey = sealed.wrappedKey();
                        v.ciphertext = sealed.ciphertext();
                        v.createdAt = now;
                        v.createdBy = caller.id();
                        Map<String, Object> details = new LinkedHashMap<>();
                        details.put("version", v.version);
                        details.put("tier", secret.tier.wire());
                        // A version is readable only at the strictest tier it ever had, so raising a secret
                        // protects its history and lowering it later does not expose that history again.
                        return table.raiseVersions(path.value(), secret.tier)
                                .chain(() -> table.addVersion(v))
                                .call(() -> audit.append(AuditEvent.success(AuditAction.SECRET_WRITE, caller)
                                        .onPath(path.namespace(), path.value()).with(details)))
                                .map(ignored -> view(secret));
                    });
    
        });
    }

    public Uni<Page<SecretView>> list(Caller caller, String prefix, String limit, String cursor) {
        return Transactions.read(() -> {
            caller.requireAdmin(ADMINS_ONLY);
            int n = Page.limit(limit);
            String after = Page.decodeCursor(cursor);
            if (prefix != null && prefix.length() > SecretPath.MAX_SEGMENTS * 129) {
                throw ApiException.invalid("prefix", "is too long");
            }
            String like = escapeLike(prefix == null ? "" : prefix) + "%";
            return table.page(like, after == null ? "" : after, n)
                    .map(rows -> Page.of(rows, n, s -> s.path, this::view));
    
        });
    }

    public Uni<VersionsView> versions(Caller caller, String rawPath) {
        return Transactions.read(() -> {
            caller.requireAdmin(ADMINS_ONLY);
            SecretPath path = SecretPath.parse(rawPath, "path");
            return load(path).flatMap(secret -> table.versions(path.value())
                    .map(versions -> new VersionsView(secret.path, secret.currentVersion, versions.stream()
                            .map(v -> new VersionView(v.version, v.createdAt, v.createdBy, v.masterKeyId)).toList())));
    
        });
    }

    /** Deletes the secret and every sealed version; the audit trail stays. */
    public Uni<Void> delete(Caller caller, String rawPath) {
        return Transactions.run(() -> {
            caller.requireAdmin(ADMINS_ONLY);
            SecretPath path = SecretPath.parse(rawPath, "path");
            return table.find(path.value(), true).flatMap(secret -> {
                if (secret == null) {
                    throw ApiException.notFound("No such secret.");
                }
                int versions = secret.currentVersion;
                return table.delete(secret)
                        .chain(() -> audit.append(AuditEvent.success(AuditAction.SECRET_DELETE, caller)
                                .onPath(path.namespace(), path.value()).with(Map.of("versions", versions))));
            });
    
        });
    }

    /**
     * Decrypts a version the caller has read itself. Callers must have authorized the read; this
     * only refuses what does not decrypt.
     */
    public Revealed open(String path, int version, Tier tier, Sealed sealed) {
        byte[] plain = barrier.open(path, version, sealed);
        try {
            return new Revealed(path, version, tier, new String(plain, StandardCharsets.UTF_8));
        } finally {
            java.util.Arrays.fill(plain, (byte) 0);
        }
    }

    /** A decrypted value. Its {@code toString} never shows it. */
    public record Revealed(String path, int version, Tier tier, String value) {
        @Override
        public String toString() {
            return "Revealed[" + path + " v" + version + "]";
        }
    }

    private byte[] validate(PutRequest request) {
        List<FieldError> errors = new ArrayList<>();
        byte[] value = null;
        if (request.value() == null) {
            errors.add(new FieldError("value", "is required"));
        } else if (request.value().isEmpty()) {
            errors.add(new FieldError("value", "must not be empty"));
        } else {
            value = request.value().getBytes(StandardCharsets.UTF_8);
            if (value.length > config.secrets().maxValueBytes()) {
                errors.add(new FieldError("value", "must be at most " + config.secrets().maxValueBytes() + " bytes"));
            }
        }
        if (request.tier() != null && Tier.fromWire(request.tier()) == null) {
            errors.add(new FieldError("tier", "must be one of standard, sensitive, critical"));
        }
        if (request.metadata() != null) {
            if (request.metadata().size() > MAX_METADATA_ENTRIES) {
                errors.add(new FieldError("metadata", "must have at most " + MAX_METADATA_ENTRIES + " entries"));
            }
            request.metadata().forEach((k, v) -> {
                if (!METADATA_KEY.matcher(k).matches()) {
                    errors.add(new FieldError("metadata", "keys must be 1-64 letters, digits, '.', '_' or '-'"));
                } else if (v == null) {
                    errors.add(new FieldError("metadata." + k, "must be a string"));
                } else if (v.length() > 1024) {
                    errors.add(new FieldError("metadata." + k, "must be at most 1024 characters"));
                }
            });
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors.stream().distinct().toList());
        }
        return value;
    }

    private Uni<Secret> load(SecretPath path) {
        return table.find(path.value(), false).map(s -> {
            if (s == null) {
                throw ApiException.notFound("No such secret.");
            }
            return s;
        });
    }

    SecretView view(Secret s) {
        return new SecretView(s.path, s.namespace, s.tier.wire(), read(s.metadata), s.currentVersion, s.createdAt, s.updatedAt,
                s.createdBy, s.updatedBy);
    }

    private String write(Map<String, String> metadata) {
        try {
            return json.writeValueAsString(new java.util.TreeMap<>(metadata));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("metadata not serializable", e);
        }
    }

    private Map<String, String> read(String metadata) {
        try {
            return json.readValue(metadata == null ? "{}" : metadata, STRING_MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored metadata is not JSON", e);
        }
    }

    /** Escapes LIKE's wildcards, for a literal prefix match ({@code escape '\'}). */
    public static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

}

package com.agentsecretstore.principal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.approval.ApprovalCommands;
import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.FieldError;
import com.agentsecretstore.common.Ids;
import com.agentsecretstore.common.Page;
import com.agentsecretstore.common.Transactions;
import com.agentsecretstore.crypto.OpaqueTokens;
import com.agentsecretstore.principal.PrincipalApi.CreateRequest;
import com.agentsecretstore.principal.PrincipalApi.CreatedKey;
import com.agentsecretstore.principal.PrincipalApi.PrincipalView;
import com.agentsecretstore.principal.PrincipalApi.UpdateRequest;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * Principals, their API keys and their service-account bindings. Every operation checks its caller
 * first; every change is audited in its own transaction (a session one: the tables' statements here
 * are the session methods of {@link PrincipalTable}, {@link ApiKeyTable} and {@link ServiceAccountTable}).
 */
@ApplicationScoped
public class PrincipalService {

    private static final String ADMINS_ONLY = "Only admins may manage principals.";
    private static final String ONLY_AGENTS_BIND = "only agents have Kubernetes service accounts";

    public static final String KEY_PREFIX = "ass_";
    /** Enough for overlapping rotation, few enough to notice a leak-and-hoard pattern. */
    static final int MAX_ACTIVE_KEYS = 10;

    private final Clock clock;
    private final AuditLog audit;
    private final ApprovalCommands approvals;

    public PrincipalService(Clock clock, AuditLog audit, ApprovalCommands approvals) {
        this.clock = clock;
        this.audit = audit;
        this.approvals = approvals;
    }

    public Uni<PrincipalView> create(Caller caller, CreateRequest request) {
        return Transactions.run(() -> {
            caller.requireAdmin(ADMINS_ONLY);
            Role role = Role.fromWire(request.role());
            List<FieldError> errors = new ArrayList<>();
            if (role != Role.AGENT && request.trustTier() != null) {
                errors.add(new FieldError("trust_tier", "only agents have a trust tier"));
            }
            if (role != Role.AGENT && request.moltbotdenId() != null) {
                errors.add(new FieldError("moltbotden_id", "only agents have a MoltbotDen id"));
            }
            List<String> accounts = request.kubernetesServiceAccounts() == null ? List.of()
                    : request.kubernetesServiceAccounts().stream().distinct().sorted().toList();
            if (role != Role.AGENT && !accounts.isEmpty()) {
                errors.add(new FieldError("kubernetes_service_accounts", ONLY_AGENTS_BIND));
            }
            if (!errors.isEmpty()) {
                throw ApiException.invalid(errors);
            }
            return PrincipalTable.nameTaken(request.name()).flatMap(taken -> {
                if (taken) {
                    throw ApiException.conflict("A principal with this name already exists.");
                }
                Instant now = clock.instant();
                Principal p = new Principal();
                p.id = Ids.next(role.idPrefix());
                p.name = request.name();
                p.role = role;
                p.namespaces = request.namespaces() == null ? new String[0]
                        : request.namespaces().stream().distinct().toArray(String[]::new);
                p.email = request.email();
                p.trustTier = request.trustTier();
                p.moltbotdenId = request.moltbotdenId();
                p.createdAt = now;
                p.updatedAt = now;
                String plain = OpaqueTokens.generate(KEY_PREFIX);
                ApiKey key = newKey(p.id, plain, now);
                Map<String, Object> audited = details("name", p.name, "role", role.wire(), "key_id", key.id);
                if (!accounts.isEmpty()) {
                    audited.put("kubernetes_service_accounts", accounts);
                }
                return PrincipalTable.insert(p)
                        .call(() -> ApiKeyTable.insert(key))
                        .call(() -> bind(p.id, List.of(), accounts, now))
                        .call(() -> audit.append(AuditEvent.success(AuditAction.PRINCIPAL_CREATE, caller).onTarget(p.id).with(audited)))
                        .call(() -> Panache.getSession().flatMap(s -> s.flush()))
                        .chain(() -> accountsOf(p.id))
                        .map(bound -> PrincipalView.of(p, List.of(key), plain, bound));
            });
    
        });
    }

    public Uni<Page<PrincipalView>> list(Caller caller, String limit, String cursor) {
        return Transactions.read(() -> {
            caller.requireAdmin(ADMINS_ONLY);
            int n = Page.limit(limit);
            String after = Page.decodeCursor(cursor);
            return PrincipalTable.page(after, n).flatMap(principals -> {
                List<String> ids = principals.stream().map(p -> p.id).toList();
                Uni<List<ApiKey>> keyRows = ids.isEmpty() ? Uni.createFrom().item(List.of())
                        : ApiKeyTable.ofPrincipals(ids);
                Uni<List<KubernetesServiceAccount>> accountRows = ids.isEmpty() ? Uni.createFrom().item(List.of())
                        : ServiceAccountTable.ofPrincipals(ids);
                return keyRows.flatMap(keys -> accountRows.map(accounts -> Page.of(principals, n,
                        p -> p.id, p -> PrincipalView.of(p, keys.stream().filter(k -> k.principalId.equals(p.id)).toList(), null,
                                accounts.stream().filter(a -> a.principalId.equals(p.id)).toList()))));
            });
    
        });
    }

    public Uni<PrincipalView> get(Caller caller, String id) {
        return Transactions.read(() -> {
            requireAdminOrSelf(caller, id);
            return load(id).flatMap(p -> keysOf(id).flatMap(keys -> accountsOf(id).map(accounts -> PrincipalView.of(p, keys, null, accounts))));
    
        });
    }

    public Uni<PrincipalView> update(Caller caller, String id, UpdateRequest request) {
        return Transactions.run(() -> {
            caller.requireAdmin(ADMINS_ONLY);
            if (request.email() != null && !request.email().isEmpty() && !request.email().matches("[^@\\s]+@[^@\\s]+")) {
                throw ApiException.invalid("email", "must be a well-formed email address");
            }
            return PrincipalTable.lockAdmins().chain(() -> load(id)).flatMap(p -> {
                if (request.trustTier() != null && !request.trustTier().isEmpty() && p.role != Role.AGENT) {
                    throw ApiException.invalid("trust_tier", "only agents have a trust tier");
                }
                if (request.moltbotdenId() != null && !request.moltbotdenId().isEmpty() && p.role != Role.AGENT) {
                    throw ApiException.invalid("moltbotden_id", "only agents have a MoltbotDen id");
                }
                if (request.kubernetesServiceAccounts() != null && !request.kubernetesServiceAccounts().isEmpty()
                        && p.role != Role.AGENT) {
                    throw ApiException.invalid("kubernetes_service_accounts", ONLY_AGENTS_BIND);
                }
                Uni<Void> guard = Uni.createFrom().voidItem();
                if (Boolean.TRUE.equals(request.disabled()) && !p.disabled && p.role == Role.ADMIN) {
                    guard = requireAnotherEnabledAdmin(p.id, "Disabling the last enabled admin would lock everyone out.");
                }
                return guard.chain(() -> {
                    Map<String, Object> changed = new LinkedHashMap<>();
                    List<String> removed = List.of();
                    if (request.namespaces() != null) {
                        removed = java.util.Arrays.stream(p.namespaces).filter(ns -> !request.namespaces().contains(ns)).toList();
                        p.namespaces = request.namespaces().stream().distinct().toArray(String[]::new);
                        changed.put("namespaces", List.of(p.namespaces));
                    }
                    if (request.email() != null) {
                        p.email = request.email().isEmpty() ? null : request.email();
                        changed.put("email", p.email == null ? "cleared" : "set");
                    }
                    if (request.trustTier() != null) {
                        p.trustTier = request.trustTier().isEmpty() ? null : request.trustTier();
                        changed.put("trust_tier", p.trustTier == null ? "cleared" : p.trustTier);
                    }
                    if (request.moltbotdenId() != null) {
                        p.moltbotdenId = request.moltbotdenId().isEmpty() ? null : request.moltbotdenId();
                        changed.put("moltbotden_id", p.moltbotdenId == null ? "cleared" : p.moltbotdenId);
                    }
                    if (request.disabled() != null) {
                        p.disabled = request.disabled();
                        changed.put("disabled", p.disabled);
                    }
                    p.updatedAt = clock.instant();
                    List<String> accounts = request.kubernetesServiceAccounts() == null ? null
                            : request.kubernetesServiceAccounts().stream().distinct().sorted().toList();
                    if (accounts != null) {
                        changed.put("kubernetes_service_accounts", accounts);
                    }
                    Uni<Void> rebound = accounts == null ? Uni.createFrom().voidItem()
                            : accountsOf(p.id).flatMap(had -> bind(p.id, had, accounts, p.updatedAt));
                    // Leaving a namespace ends what was under way there (reads and collection check membership too).
                    List<String> left = removed;
                    Uni<Integer> cancelled = left.isEmpty() || p.role == Role.ADMIN ? Uni.createFrom().item(0)
                            : approvals.cancelForRemovedNamespaces(caller, p.id, left);
                    return rebound
                            .chain(() -> audit.append(AuditEvent.success(AuditAction.PRINCIPAL_UPDATE, caller).onTarget(p.id).with(changed)))
                            .chain(() -> cancelled)
                            .chain(() -> Panache.getSession().flatMap(s -> s.flush()))
                            .chain(() -> keysOf(id))
                            .flatMap(keys -> accountsOf(id).map(bound -> PrincipalView.of(p, keys, null, bound)));
                });
            });
    
        });
    }

    public Uni<CreatedKey> addKey(Caller caller, String id) {
        return Transactions.run(() -> {
            requireAdminOrSelf(caller, id);
            return load(id).flatMap(p -> ApiKeyTable.activeCount(id).flatMap(active -> {
                if (active >= MAX_ACTIVE_KEYS) {
                    throw ApiException.conflict("This principal already has " + MAX_ACTIVE_KEYS
                            + " active keys; revoke one first.");
                }
                Instant now = clock.instant();
                String plain = OpaqueTokens.generate(KEY_PREFIX);
                ApiKey key = newKey(id, plain, now);
                return ApiKeyTable.insert(key)
                        .call(() -> audit.append(AuditEvent.success(AuditAction.PRINCIPAL_KEY_CREATE, caller).onTarget(id)
                                .with(details("key_id", key.id))))
                        .map(ignored -> new CreatedKey(key.id, key.prefix, key.createdAt, plain));
            }));
    
        });
    }

    public Uni<Void> revokeKey(Caller caller, String id, String keyId) {
        return Transactions.run(() -> {
            requireAdminOrSelf(caller, id);
            return PrincipalTable.lockAdmins().chain(() -> load(id)).flatMap(p -> ApiKeyTable.of(id, keyId)
                    .flatMap(key -> {
                        if (key == null) {
                            throw ApiException.notFound("No such key for this principal.");
                        }
                        if (key.revokedAt != null) {
                            return Uni.createFrom().voidItem();
                        }
                        Uni<Void> guard = Uni.createFrom().voidItem();
                        if (p.role == Role.ADMIN && !p.disabled) {
                            guard = ApiKeyTable.activeCount(id).flatMap(active -> active > 1
                                    ? Uni.createFrom().voidItem()
                                    : requireAnotherEnabledAdmin(id, "Revoking the last key of the last enabled admin would lock everyone out."));
                        }
                        return guard.chain(() -> {
                            key.revokedAt = clock.instant();
                            return audit.append(AuditEvent.success(AuditAction.PRINCIPAL_KEY_REVOKE, caller).onTarget(id)
                                    .with(details("key_id", keyId)));
                        });
                    }));
    
        });
    }

    /** Creates the first admin when there is none. Returns true when it did. */
    public Uni<Boolean> bootstrapAdmin(String plainKey) {
        return Transactions.run(() -> {
            return PrincipalTable.lockBootstrap()
                    .chain(PrincipalTable::enabledAdmins)
                    .flatMap(admins -> {
                        if (admins > 0) {
                            return Uni.createFrom().item(false);
                        }
                        Instant now = clock.instant();
                        Principal p = new Principal();
                        p.id = Ids.next(Role.ADMIN.idPrefix());
                        p.name = "admin";
                        p.role = Role.ADMIN;
                        p.namespaces = new String[0];
                        p.createdAt = now;
                        p.updatedAt = now;
                        ApiKey key = newKey(p.id, plainKey, now);
                        Caller system = Caller.system("bootstrap");
                        return PrincipalTable.nameTaken(p.name)
                                .invoke(taken -> {
                                    if (taken) {
                                        p.name = "admin-" + p.id.substring(4, 12).toLowerCase();
                                    }
                                })
                                .chain(() -> PrincipalTable.insert(p))
                                .chain(() -> ApiKeyTable.insert(key))
                                .chain(() -> audit.append(AuditEvent.success(AuditAction.PRINCIPAL_BOOTSTRAP, system).onTarget(p.id)
                                        .with(details("key_id", key.id))))
                                .replaceWith(true);
                    });
    
        });
    }

    private ApiKey newKey(String principalId, String plain, Instant now) {
        ApiKey key = new ApiKey();
        key.id = Ids.next("key");
        key.principalId = principalId;
        key.prefix = OpaqueTokens.displayPrefix(plain);
        key.hash = OpaqueTokens.hash(plain);
        key.createdAt = now;
        return key;
    }

    private Uni<Principal> load(String id) {
        return PrincipalTable.byId(id).map(p -> {
            if (p == null) {
                throw ApiException.notFound("No such principal.");
            }
            return p;
        });
    }

    private Uni<List<KubernetesServiceAccount>> accountsOf(String id) {
        return ServiceAccountTable.ofPrincipal(id);
    }

    /**
     * Makes {@code wanted} the agent's service-account bindings, given those it {@code had}. A
     * service account bound to another principal is a conflict (409), checked here for a clear
     * answer and held by the table's primary key against a concurrent binder.
     */
    private Uni<Void> bind(String principalId, List<KubernetesServiceAccount> had, List<String> wanted, Instant now) {
        List<String> kept = had.stream().map(a -> a.account).toList();
        List<String> added = wanted.stream().filter(a -> !kept.contains(a)).toList();
        List<KubernetesServiceAccount> dropped = had.stream().filter(a -> !wanted.contains(a.account)).toList();
        Uni<Void> check = added.isEmpty() ? Uni.createFrom().voidItem()
                : ServiceAccountTable.bound(added).map(taken -> {
                    if (!taken.isEmpty()) {
                        throw ApiException.conflict("The Kubernetes service account " + taken.get(0).account
                                + " is already bound to another principal.");
                    }
                    return null;
                }).replaceWithVoid();
        return check.chain(() -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (KubernetesServiceAccount a : dropped) {
                chain = chain.chain(() -> ServiceAccountTable.delete(a));
            }
            for (String account : added) {
                chain = chain.chain(() -> ServiceAccountTable.insert(account, principalId, now));
            }
            return chain;
        });
    }

    private Uni<List<ApiKey>> keysOf(String id) {
        return ApiKeyTable.ofPrincipal(id);
    }

    private Uni<Void> requireAnotherEnabledAdmin(String exceptId, String message) {
        return PrincipalTable.otherUsableAdmins(exceptId)
                .map(others -> {
                    if (others == 0) {
                        throw ApiException.conflict(message);
                    }
                    return null;
                })
                .replaceWithVoid();
    }


    private static void requireAdminOrSelf(Caller caller, String id) {
        if (!caller.isAdmin() && !caller.id().equals(id)) {
            throw ApiException.forbidden("Only admins may manage other principals.");
        }
    }

    private static Map<String, Object> details(Object... pairs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return m;
    }
}

package com.agentsecretstore.policy.moltbotden;

import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.audit.AuditAction;
import com.agentsecretstore.audit.AuditEvent;
import com.agentsecretstore.audit.AuditLog;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.Transactions;
import com.agentsecretstore.policy.Setting;
import com.agentsecretstore.policy.SettingTable;
import com.agentsecretstore.policy.moltbotden.MoltbotdenApi.LookupView;
import com.agentsecretstore.policy.moltbotden.MoltbotdenApi.SettingsBody;
import com.agentsecretstore.policy.moltbotden.MoltbotdenApi.SettingsView;
import com.agentsecretstore.policy.moltbotden.MoltbotdenApi.TestBody;
import com.agentsecretstore.policy.moltbotden.MoltbotdenApi.TestResult;
import com.agentsecretstore.principal.Caller;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;

/**
 * Settings → Integrations → MoltbotDen: the run-time switch and URL ({@code setting} through
 * {@link SettingTable}), and a connection test. Admins only.
 */
@ApplicationScoped
public class MoltbotdenService {

    private static final String ADMINS_ONLY = "Only admins may change policies and settings.";
    /** Asked by "test connection" when no agent is named: no registry knows it, so 404 proves the way there. */
    static final String PROBE_ID = "agent-secret-store-connection-test";

    private final TrustLookup lookup;
    private final MoltbotdenConfig config;
    private final AuditLog audit;
    private final Clock clock;
    private final ObjectMapper json;
    private final SettingTable table;

    public MoltbotdenService(TrustLookup lookup, MoltbotdenConfig config, AuditLog audit, Clock clock, ObjectMapper json,
            SettingTable table) {
        this.table = table;
        this.lookup = lookup;
        this.config = config;
        this.audit = audit;
        this.clock = clock;
        this.json = json;
    }

    public Uni<SettingsView> get(Caller caller) {
        return Transactions.read(() -> {
            caller.requireAdmin(ADMINS_ONLY);
            return table.find(StoredSettings.NAME, false).map(this::view);
    
        });
    }

    public Uni<SettingsView> put(Caller caller, SettingsBody body) {
        return Transactions.run(() -> {
            caller.requireAdmin(ADMINS_ONLY);
            if (body.enabled() == null) {
                throw ApiException.invalid("enabled", "is required");
            }
            String url = body.baseUrl() == null || body.baseUrl().isBlank() ? null : body.baseUrl().strip();
            if (url != null && !validUrl(url)) {
                throw ApiException.invalid("base_url", "must be an http(s) URL without user info, query or fragment, at most 512 characters");
            }
            String value;
            try {
                value = json.writeValueAsString(new StoredSettings(body.enabled(), url));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            return table.find(StoredSettings.NAME, true).flatMap(existing -> {
                Setting s = existing != null ? existing : new Setting();
                s.name = StoredSettings.NAME;
                s.value = value;
                s.updatedAt = clock.instant();
                s.updatedBy = caller.id();
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("enabled", body.enabled());
                details.put("base_url", url == null ? "environment" : url);
                Uni<Setting> saved = existing == null ? table.insert(s).replaceWith(s) : Uni.createFrom().item(s);
                return saved.call(() -> audit.append(AuditEvent.success(AuditAction.SETTINGS_UPDATE, caller)
                        .onTarget(StoredSettings.NAME).with(details)))
                        .invoke(lookup::forget)
                        .map(this::view);
            });
    
        });
    }

    /** Asks the registry now (past the cache) about one agent, or about an id it cannot know. */
    public Uni<TestResult> test(Caller caller, TestBody body) {
        return Transactions.read(() -> {
            caller.requireAdmin(ADMINS_ONLY);
            String id = body == null || body.moltbotdenId() == null || body.moltbotdenId().isBlank() ? PROBE_ID
                    : body.moltbotdenId().strip();
            if (id.length() > 128) {
                throw ApiException.invalid("moltbotden_id", "must be at most 128 characters");
            }
            return table.find(StoredSettings.NAME, false).flatMap(s -> {
                TrustLookup.Effective settings = lookup.effective(stored(s));
                if (settings.url() == null) {
                    return Uni.createFrom().item(new TestResult(false, LookupView.of(clock.instant(), id, null,
                            RegistryAnswer.failed(null, "no registry URL configured", 0))));
                }
                return lookup.probe(settings, id).map(a -> new TestResult(a.answered(),
                        LookupView.of(clock.instant(), id, settings.url(), a)));
            });
    
        });
    }

    private SettingsView view(Setting s) {
        StoredSettings stored = stored(s);
        TrustLookup.Effective e = lookup.effective(stored);
        LookupView last = lookup.last().map(l -> LookupView.of(l.at(), l.moltbotdenId(), l.url(), l.answer())).orElse(null);
        return new SettingsView(e.enabled(), stored == null ? null : stored.baseUrl(), e.url(),
                config.apiKey().filter(k -> !k.isBlank()).isPresent(), e.apiKey().isPresent(), config.cacheTtl().toSeconds(),
                config.timeout().toMillis(), s == null ? null : s.updatedAt, s == null ? null : s.updatedBy, last);
    }

    private StoredSettings stored(Setting s) {
        if (s == null) {
            return null;
        }
        try {
            return json.readValue(s.value, StoredSettings.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored MoltbotDen settings are not JSON", e);
        }
    }

    static boolean validUrl(String url) {
        if (url.length() > 512) {
            return false;
        }
        try {
            URI uri = URI.create(url);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getRawUserInfo() == null && uri.getRawQuery() == null && uri.getRawFragment() == null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}

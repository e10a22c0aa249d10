package com.agentsecretstore.principal;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import com.agentsecretstore.common.AssConfig;
import com.agentsecretstore.crypto.OpaqueTokens;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;

/**
 * First start: when no enabled admin exists, creates one. Its key is ASS_BOOTSTRAP_ADMIN_KEY when
 * set; otherwise a key is generated and printed once, the only time it is ever shown.
 */
@Singleton
public class BootstrapAdmin {

    private final PrincipalService principals;
    private final AssConfig config;

    public BootstrapAdmin(PrincipalService principals, AssConfig config) {
        this.principals = principals;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) throws Throwable {
        String configured = config.bootstrapAdminKey().filter(k -> !k.isBlank()).orElse(null);
        if (configured != null && !validKey(configured)) {
            throw new IllegalStateException(
                    "ASS_BOOTSTRAP_ADMIN_KEY must be 'ass_' followed by at least 32 letters or digits");
        }
        String key = configured != null ? configured : OpaqueTokens.generate(PrincipalService.KEY_PREFIX);
        // Start-up runs on the main thread, outside any request: waiting here blocks no event loop.
        boolean created = VertxContextSupport.subscribeAndAwait(() -> principals.bootstrapAdmin(key));
        if (!created) {
            return;
        }
        if (configured != null) {
            Log.info("Created the bootstrap admin with the key from ASS_BOOTSTRAP_ADMIN_KEY");
        } else {
            // The one deliberate exception to "no keys in logs": there is no other way to hand over
            // the first key, and it is printed exactly once, when the admin is created.
            Log.warnf("%n==================================================================%n"
                    + " Bootstrap admin created. Its API key is shown only this once:%n%n"
                    + "   %s%n%n"
                    + " export ASS_ADMIN_KEY=%s%n"
                    + "==================================================================", key, key);
        }
    }

    static boolean validKey(String key) {
        return key.matches("ass_[A-Za-z0-9]{32,252}");
    }
}

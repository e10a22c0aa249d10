package com.agentsecretstore.crypto;

import java.security.SecureRandom;
import java.util.Optional;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import com.agentsecretstore.common.AssConfig;

import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;

/**
 * Builds the one {@link Barrier} from configuration. Outside dev mode a missing master key stops the
 * service from starting: a secret store that silently invents its root key would lose every value
 * on restart.
 */
public class BarrierProducer {

    @Produces
    @Singleton
    Barrier barrier(AssConfig config) {
        Optional<MasterKeyring> configured = MasterKeyring.parse(config.masterKey(), config.masterKeys(),
                config.activeMasterKey());
        MasterKeyring keyring = configured.orElseGet(() -> {
            if (LaunchMode.current() != LaunchMode.DEVELOPMENT) {
                throw new IllegalStateException(
                        "No master key configured: set ASS_MASTER_KEY (base64 of 32 bytes) or ASS_MASTER_KEYS with ASS_ACTIVE_MASTER_KEY");
            }
            Log.warn("\n"
                    + "**********************************************************************\n"
                    + "*  DEV MODE: no master key configured, generated a throw-away one.   *\n"
                    + "*  Values written now cannot be decrypted after this process ends.  *\n"
                    + "*  Never run like this in production: set ASS_MASTER_KEY.           *\n"
                    + "**********************************************************************");
            return MasterKeyring.generate();
        });
        Log.infof("Master keyring ready: key ids %s, active %s", keyring.ids(), keyring.activeId());
        return new Barrier(keyring, new SecureRandom());
    }

    /** Resolves the barrier eagerly so that a bad or missing key fails start-up, not the first write. */
    void checkAtStartup(@Observes StartupEvent event, Barrier barrier) {
        barrier.activeKeyId();
    }
}

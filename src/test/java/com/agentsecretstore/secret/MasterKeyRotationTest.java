package com.agentsecretstore.secret;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.agentsecretstore.crypto.Barrier;
import com.agentsecretstore.crypto.MasterKeyring;
import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Rotation: the test profile's keyring holds test0 and test1 (active). Values sealed under test0
 * (as an older deployment would have left them) are re-wrapped to test1 without their ciphertext
 * changing, after which test0 can be dropped from the configuration.
 */
@QuarkusTest
class MasterKeyRotationTest {

    @Test
    void rewrapMovesEveryDataKeyToTheActiveKeyWithoutReencrypting() {
        Barrier old = barrierWith("test0");
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            String path = "rotation/" + Api.unique("k");
            String value = Api.sensitiveValue("rot" + i);
            values.put(path, value);
            seal(old, path, value);
        }
        Map<String, byte[]> ciphertexts = new LinkedHashMap<>();
        Map<String, byte[]> wrapped = new LinkedHashMap<>();
        values.keySet().forEach(p -> {
            var row = Db.query("select ciphertext, wrapped_key from secret_version where path = ?", p).get(0);
            ciphertexts.put(p, (byte[]) row.get("ciphertext"));
            wrapped.put(p, (byte[]) row.get("wrapped_key"));
        });
        Api.admin().get("/v1/system/master-keys").then().statusCode(200)
                .body("active_key_id", equalTo("test1"))
                .body("versions_by_key.test0", greaterThanOrEqualTo(5));

        Api.admin().post("/v1/system/master-keys/rewrap").then().statusCode(200)
                .body("rewrapped", greaterThanOrEqualTo(5))
                .body("versions_by_key", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("test0")));

        Barrier onlyNew = barrierWith("test1");
        values.forEach((path, value) -> {
            var row = Db.query("select * from secret_version where path = ?", path).get(0);
            assertEquals("test1", row.get("master_key_id"));
            assertArrayEquals(ciphertexts.get(path), (byte[]) row.get("ciphertext"), "value was re-encrypted");
            assertFalse(Arrays.equals(wrapped.get(path), (byte[]) row.get("wrapped_key")), "data key not re-wrapped");
            byte[] plain = onlyNew.open(path, 1, new Barrier.Sealed("test1", (byte[]) row.get("wrapped_key"),
                    (byte[]) row.get("ciphertext")));
            assertEquals(value, new String(plain, StandardCharsets.UTF_8));
        });
        Api.admin().get("/v1/system/master-keys").then().body("missing_key_ids", org.hamcrest.Matchers.empty());
    }

    @Test
    void statusNamesValuesUnderAKeyThatIsNotConfigured() {
        String path = "rotation/" + Api.unique("lost");
        seal(barrierWith("test0"), path, Api.sensitiveValue("lost"));
        Db.update("update secret_version set master_key_id = 'retired' where path = ?", path);
        try {
            Api.admin().get("/v1/system/master-keys").then().statusCode(200)
                    .body("missing_key_ids", hasItem("retired"));
            Api.admin().post("/v1/system/master-keys/rewrap").then().statusCode(409);
        } finally {
            Db.update("delete from secret where path = ?", path);
        }
    }

    /** A barrier holding only one of the test profile's keys. */
    static Barrier barrierWith(String id) {
        String spec = ConfigProvider.getConfig().getValue("ass.master-keys", String.class);
        String entry = Arrays.stream(spec.split(",")).filter(e -> e.startsWith(id + ":")).findFirst().orElseThrow();
        MasterKeyring ring = MasterKeyring.parse(Optional.empty(), Optional.of(entry), Optional.of(id)).orElseThrow();
        return new Barrier(ring, new SecureRandom());
    }

    /** Writes a secret the way an older deployment, whose active key was the barrier's, would have. */
    static void seal(Barrier barrier, String path, String value) {
        Barrier.Sealed sealed = barrier.seal(path, 1, value.getBytes(StandardCharsets.UTF_8));
        Timestamp now = Timestamp.from(Instant.now());
        Db.update("insert into secret (path, namespace, tier, metadata, current_version, created_at, updated_at, "
                + "created_by, updated_by) values (?, 'rotation', 'standard', '{}', 1, ?, ?, 'test', 'test')", path, now, now);
        Db.update("insert into secret_version (path, version, master_key_id, wrapped_key, ciphertext, created_at, created_by) "
                + "values (?, 1, ?, ?, ?, ?, 'test')", path, sealed.masterKeyId(), sealed.wrappedKey(), sealed.ciphertext(), now);
    }
}

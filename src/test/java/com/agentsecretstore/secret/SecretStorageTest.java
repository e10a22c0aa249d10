package com.agentsecretstore.secret;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.agentsecretstore.crypto.Barrier.Sealed;
import com.agentsecretstore.crypto.BarrierException;
import com.agentsecretstore.policy.Tier;
import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;

import io.quarkus.test.junit.QuarkusTest;

/** What is stored for a secret, and that the decrypt path refuses anything that was tampered with. */
@QuarkusTest
class SecretStorageTest {

    @Inject
    SecretService secrets;

    @Test
    void storedBytesNeverContainThePlaintext() {
        String value = Api.sensitiveValue("plain");
        Api.putSecret("storage/plain", value, "sensitive").then().statusCode(201);

        byte[] plain = value.getBytes(StandardCharsets.UTF_8);
        for (Map<String, Object> row : Db.query("select * from secret_version where path = 'storage/plain'")) {
            for (Object column : row.values()) {
                if (column instanceof byte[] bytes) {
                    assertFalse(contains(bytes, plain), "plaintext bytes stored");
                    assertFalse(new String(bytes, StandardCharsets.ISO_8859_1).contains(value.substring(7, 20)));
                } else {
                    assertFalse(String.valueOf(column).contains(value.substring(7, 20)), "plaintext stored in a column");
                }
            }
        }
        for (Map<String, Object> row : Db.query("select * from secret where path = 'storage/plain'")) {
            row.values().forEach(c -> assertFalse(String.valueOf(c).contains(value.substring(7, 20))));
        }
    }

    @Test
    void revealDecryptsEveryVersion() throws Throwable {
        String v1 = Api.sensitiveValue("v1");
        String v2 = Api.sensitiveValue("v2");
        Api.putSecret("storage/multi", v1, null).then().statusCode(201).body("current_version", equalTo(1));
        Api.putSecret("storage/multi", v2, null).then().statusCode(200).body("current_version", equalTo(2));

        assertEquals(v2, reveal("storage/multi", null).value());
        assertEquals(v1, reveal("storage/multi", 1).value());
        Api.admin().get("/v1/secrets/storage/multi/versions").then().statusCode(200)
                .body("versions", hasSize(2)).body("versions[0].version", equalTo(2));
    }

    @Test
    void flippingAnyStoredByteMakesDecryptionFailLoudly() throws Throwable {
        Api.putSecret("storage/tamper", Api.sensitiveValue("tamper"), null).then().statusCode(201);
        byte[] original = (byte[]) Db.query("select ciphertext from secret_version where path = 'storage/tamper'").get(0).get("ciphertext");
        byte[] wrapped = (byte[]) Db.query("select wrapped_key from secret_version where path = 'storage/tamper'").get(0).get("wrapped_key");
        for (int i : new int[] { 0, 1, 13, original.length / 2, original.length - 1 }) {
            byte[] bad = original.clone();
            bad[i] ^= 0x01;
            Db.update("update secret_version set ciphertext = ? where path = 'storage/tamper'", bad);
            assertThrows(BarrierException.class, () -> reveal("storage/tamper", null), "ciphertext byte " + i);
        }
        Db.update("update secret_version set ciphertext = ? where path = 'storage/tamper'", original);
        byte[] badKey = wrapped.clone();
        badKey[wrapped.length - 1] ^= 0x01;
        Db.update("update secret_version set wrapped_key = ? where path = 'storage/tamper'", badKey);
        assertThrows(BarrierException.class, () -> reveal("storage/tamper", null), "wrapped key byte");
        Db.update("update secret_version set wrapped_key = ? where path = 'storage/tamper'", wrapped);
        reveal("storage/tamper", null);
    }

    @Test
    void aValueMovedToAnotherPathDoesNotDecrypt() throws Throwable {
        Api.putSecret("storage/from", Api.sensitiveValue("from"), null).then().statusCode(201);
        Api.putSecret("storage/to", Api.sensitiveValue("to"), null).then().statusCode(201);
        Db.update("update secret_version t set ciphertext = f.ciphertext, wrapped_key = f.wrapped_key, "
                + "master_key_id = f.master_key_id from secret_version f where f.path = 'storage/from' and t.path = 'storage/to'");
        assertThrows(BarrierException.class, () -> reveal("storage/to", null));
    }

    @Test
    void aValueMovedToAnotherVersionDoesNotDecrypt() throws Throwable {
        Api.putSecret("storage/older", Api.sensitiveValue("old"), null).then().statusCode(201);
        Api.putSecret("storage/older", Api.sensitiveValue("new"), null).then().statusCode(200);
        Db.update("update secret_version t set ciphertext = f.ciphertext, wrapped_key = f.wrapped_key "
                + "from secret_version f where f.path = 'storage/older' and f.version = 1 "
                + "and t.path = 'storage/older' and t.version = 2");
        assertThrows(BarrierException.class, () -> reveal("storage/older", 2));
    }

    @Test
    void concurrentWritersGetDistinctVersions() {
        List<CompletableFuture<Integer>> writes = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String value = Api.sensitiveValue("race" + i);
            writes.add(CompletableFuture.supplyAsync(() -> Api.putSecret("storage/race", value, null)
                    .then().statusCode(org.hamcrest.Matchers.oneOf(200, 201)).extract().<Integer>path("current_version")));
        }
        Set<Integer> versions = new TreeSet<>();
        writes.forEach(w -> versions.add(w.join()));
        assertEquals(12, versions.size());
        assertEquals(12, Db.count("select count(*) from secret_version where path = 'storage/race'"));
    }

    @Test
    void deleteRemovesValuesButKeepsTheAuditTrail() {
        Api.putSecret("storage/gone", Api.sensitiveValue("gone"), null).then().statusCode(201);
        Api.admin().delete("/v1/secrets/storage/gone").then().statusCode(204);
        Api.admin().delete("/v1/secrets/storage/gone").then().statusCode(404);
        Api.admin().get("/v1/secrets/storage/gone/versions").then().statusCode(404);
        assertEquals(0, Db.count("select count(*) from secret_version where path = 'storage/gone'"));
        assertEquals(1, Db.count("select count(*) from audit_entry where path = 'storage/gone' and action = 'secret.write'"));
        assertEquals(1, Db.count("select count(*) from audit_entry where path = 'storage/gone' and action = 'secret.delete'"));
    }

    @Test
    void listShowsMetadataOnlyAndPages() {
        for (int i = 0; i < 3; i++) {
            Api.admin().body(Map.of("value", Api.sensitiveValue("list" + i), "metadata", Map.of("owner", "team-" + i)))
                    .put("/v1/secrets/listing/item-" + i).then().statusCode(201);
        }
        var first = Api.admin().get("/v1/secrets?prefix=listing/&limit=2");
        first.then().statusCode(200).body("items", hasSize(2)).body("items[0].path", equalTo("listing/item-0"))
                .body("items[0].metadata.owner", equalTo("team-0"))
                .body("items[0]", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("value")));
        String cursor = first.path("next_cursor");
        Api.admin().get("/v1/secrets?prefix=listing/&limit=2&cursor=" + cursor).then().statusCode(200)
                .body("items", hasSize(1)).body("items[0].path", equalTo("listing/item-2"))
                .body("next_cursor", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void prefixIsLiteralNotAPattern() {
        Api.putSecret("literal/a_b", Api.sensitiveValue("ab"), null).then().statusCode(201);
        Api.putSecret("literal/axb", Api.sensitiveValue("axb"), null).then().statusCode(201);
        Api.admin().get("/v1/secrets?prefix=literal/a_").then().statusCode(200).body("items", hasSize(1));
    }

    /** Decrypts the stored version (the current one when null) as the read path does, from the row itself. */
    private SecretService.Revealed reveal(String path, Integer version) {
        Map<String, Object> row = Db.query("select v.version, v.master_key_id, v.wrapped_key, v.ciphertext, s.tier "
                + "from secret s join secret_version v on v.path = s.path and v.version = coalesce(cast(? as int), s.current_version) "
                + "where s.path = ?", version, path).get(0);
        return secrets.open(path, (Integer) row.get("version"), Tier.fromWire((String) row.get("tier")),
                new Sealed((String) row.get("master_key_id"), (byte[]) row.get("wrapped_key"), (byte[]) row.get("ciphertext")));
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        return HexFormat.of().formatHex(haystack).contains(HexFormat.of().formatHex(needle));
    }
}

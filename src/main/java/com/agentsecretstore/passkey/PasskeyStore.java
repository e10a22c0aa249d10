package com.agentsecretstore.passkey;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * The SQL of {@code passkey_credential} and {@code passkey_challenge}, within the session or
 * transaction the calling service opened.
 */
@ApplicationScoped
public class PasskeyStore {

    /** What a challenge is for. */
    public enum Purpose {
        REGISTER("register"), STEP_UP("step_up");

        final String wire;

        Purpose(String wire) {
            this.wire = wire;
        }
    }

    /**
     * Stores a challenge (its hash) for the principal; drops that principal's expired ones on the
     * way, so the table holds only what is still usable.
     */
    public Uni<Void> saveChallenge(byte[] hash, String principalId, Purpose purpose, String requestId, Instant expiresAt,
            Instant now) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery(
                "delete from passkey_challenge where principal_id = :p and expires_at <= :now")
                .setParameter("p", principalId).setParameter("now", now).executeUpdate()
                .chain(() -> s.createNativeQuery("insert into passkey_challenge (challenge_hash, principal_id, purpose, "
                        + "request_id, expires_at) values (:h, :p, :purpose, :r, :exp)")
                        .setParameter("h", hash).setParameter("p", principalId).setParameter("purpose", purpose.wire)
                        .setParameter("r", requestId).setParameter("exp", expiresAt).executeUpdate()))
                .replaceWithVoid();
    }

    /**
     * Consumes the challenge if, and only if, it was issued to this principal for this purpose (and
     * request) and has not expired: one DELETE, so of two concurrent uses exactly one wins. A
     * challenge presented by anyone else, or late, is left alone and the answer is false.
     */
    public Uni<Boolean> consumeChallenge(byte[] hash, String principalId, Purpose purpose, String requestId, Instant now) {
        String sql = "delete from passkey_challenge where challenge_hash = :h and principal_id = :p and purpose = :purpose"
                + " and expires_at > :now and " + (requestId == null ? "request_id is null" : "request_id = :r");
        return Panache.getSession().flatMap(s -> {
            var q = s.createNativeQuery(sql).setParameter("h", hash).setParameter("p", principalId)
                    .setParameter("purpose", purpose.wire).setParameter("now", now);
            if (requestId != null) {
                q.setParameter("r", requestId);
            }
            return q.executeUpdate();
        }).map(n -> n == 1);
    }

    public Uni<List<PasskeyCredential>> credentials(String principalId) {
        return PasskeyCredential.list("principalId = ?1 order by id", principalId);
    }

    public Uni<Long> count(String principalId) {
        return PasskeyCredential.count("principalId", principalId);
    }

    /** The principal's passkey with this WebAuthn credential id, or null. */
    public Uni<PasskeyCredential> credential(String principalId, byte[] credentialId) {
        return PasskeyCredential.<PasskeyCredential>find("principalId = ?1 and credentialId = ?2", principalId, credentialId)
                .firstResult();
    }

    public Uni<Boolean> credentialIdTaken(byte[] credentialId) {
        return PasskeyCredential.count("credentialId", credentialId).map(n -> n > 0);
    }

    public Uni<Void> insert(PasskeyCredential c) {
        return c.persist().replaceWithVoid();
    }

    /**
     * Moves the counter from {@code seen} to {@code next}, only if no other use moved it meanwhile;
     * false means a concurrent use of the same passkey came first.
     */
    public Uni<Boolean> advance(PasskeyCredential c, long seen, long next, Instant now) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery("update passkey_credential set sign_count = :next, "
                + "last_used_at = :now where id = :id and sign_count = :seen")
                .setParameter("next", next).setParameter("now", now).setParameter("id", c.id).setParameter("seen", seen)
                .executeUpdate()).map(n -> n == 1);
    }

    /** Deletes the principal's passkey; false when it has none of that id. */
    public Uni<Boolean> delete(String principalId, String id) {
        return PasskeyCredential.delete("id = ?1 and principalId = ?2", id, principalId).map(n -> n > 0);
    }
}

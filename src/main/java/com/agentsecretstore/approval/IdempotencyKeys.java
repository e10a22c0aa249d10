package com.agentsecretstore.approval;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import com.agentsecretstore.approval.TokenAnswer.Kind;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.ProblemType;
import com.agentsecretstore.token.TokenApi.TokenResponse;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The {@code Idempotency-Key} of token requests: owns table {@code idempotency_key} (every
 * statement on it, plain SQL) and says what a replay answers. A key belongs to one principal and
 * lives {@link #KEEP}. The first request with a key claims it (one insert, so parallel retries
 * cannot both run), and its answer is kept without any token value; a replay with the same body
 * gets that answer, with another body a 422.
 *
 * <p>A token value is never kept, so the replay of an immediate grant cannot return it; minting a
 * second token for the same key would hand out twice what was asked once. That replay is a 409
 * {@code idempotent-replay-unavailable} naming the token, which its holder may revoke before asking
 * again with a new key. A pending request's answer holds no secret and is replayed as it was.
 */
@ApplicationScoped
public class IdempotencyKeys {

    static final Duration KEEP = Duration.ofHours(24);
    /** Visible ASCII, as an HTTP header carries it unescaped; long enough for a UUID with a prefix. */
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");

    // A key past its expiry is taken over by the next claim, so pruning is housekeeping, not correctness.
    private static final String CLAIM = "insert into idempotency_key (principal_id, key, body_sha256, created_at, expires_at) "
            + "values ($1, $2, $3, $4, $5) on conflict (principal_id, key) do update set body_sha256 = excluded.body_sha256, "
            + "outcome = null, response = null, created_at = excluded.created_at, expires_at = excluded.expires_at "
            + "where idempotency_key.expires_at <= excluded.created_at returning 1";
    private static final String FIND = "select body_sha256, outcome, response from idempotency_key "
            + "where principal_id = $1 and key = $2";
    private static final String COMPLETE = "update idempotency_key set outcome = $3, response = $4 "
            + "where principal_id = $1 and key = $2";
    private static final String RELEASE = "delete from idempotency_key where principal_id = $1 and key = $2 and outcome is null";
    private static final String PRUNE = "delete from idempotency_key where expires_at <= $1";

    private final Pool pool;
    private final ObjectMapper json;
    private final Clock clock;

    public IdempotencyKeys(Pool pool, ObjectMapper json, Clock clock) {
        this.pool = pool;
        this.json = json;
        this.clock = clock;
    }

    /** The key as sent, or a 422 naming the header. */
    public static String check(String key) {
        if (!KEY.matcher(key).matches()) {
            throw ApiException.invalid("Idempotency-Key", "must be 1 to 255 visible ASCII characters");
        }
        return key;
    }

    /** A key already used: what its first request sent and answered (outcome null: still being served). */
    record Stored(byte[] bodySha256, Kind outcome, String response) {
        static Stored from(Row row) {
            return new Stored(row.getBuffer("body_sha256").getBytes(), Kind.fromWire(row.getString("outcome")),
                    row.getString("response"));
        }
    }

    /** Claims the key for this request; null when claimed, else what is stored under it. */
    Uni<Stored> claim(String principalId, String key, byte[] bodySha256) {
        Instant now = clock.instant();
        return pool.preparedQuery(CLAIM).execute(Tuple.of(principalId, key, Buffer.buffer(bodySha256),
                now.atOffset(ZoneOffset.UTC), now.plus(KEEP).atOffset(ZoneOffset.UTC)))
                .flatMap(claimed -> claimed.rowCount() > 0 ? Uni.createFrom().nullItem()
                        : pool.preparedQuery(FIND).execute(Tuple.of(principalId, key)).map(rows -> {
                            RowIterator<Row> it = rows.iterator();
                            if (!it.hasNext()) {
                                // The first request failed and let go of the key between our two statements.
                                return new Stored(bodySha256, null, null);
                            }
                            return Stored.from(it.next());
                        }));
    }

    /** Keeps the answer of the request that claimed the key, without its token value. */
    Uni<Void> complete(String principalId, String key, TokenAnswer answer) {
        String body;
        try {
            body = json.writeValueAsString(answer.body().withoutValue());
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        return pool.preparedQuery(COMPLETE)
                .execute(Tuple.of(principalId, key, answer.kind().wire(), body)).replaceWithVoid();
    }

    /** Lets go of a key whose request failed: nothing was done, so a retry may do it. */
    Uni<Void> release(String principalId, String key) {
        return pool.preparedQuery(RELEASE).execute(Tuple.of(principalId, key)).replaceWithVoid();
    }

    /** The answer to a replay of a used key, or the problem that replaces it. */
    TokenAnswer replay(Stored stored, byte[] bodySha256) {
        if (!Arrays.equals(stored.bodySha256(), bodySha256)) {
            throw new ApiException(ProblemType.IDEMPOTENCY_KEY_REUSED,
                    "This Idempotency-Key was used with another request body; use a new key for a new request.", null, null);
        }
        if (stored.outcome() == null) {
            throw new ApiException(ProblemType.IDEMPOTENCY_KEY_IN_USE,
                    "The first request with this Idempotency-Key is still being served; retry shortly.", null, null);
        }
        TokenResponse first;
        try {
            first = json.readValue(stored.response(), TokenResponse.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A stored idempotent answer is unreadable", e);
        }
        if (stored.outcome() == Kind.ISSUED) {
            throw new ApiException(ProblemType.IDEMPOTENT_REPLAY_UNAVAILABLE,
                    "The first request with this Idempotency-Key was granted a token, whose value is never kept. Revoke "
                            + "the token if its value was lost, and ask again with a new key.",
                    null, Map.of("token_id", first.tokenId()));
        }
        return new TokenAnswer(stored.outcome(), first);
    }

    /** Deletes expired keys on every replica; deleting the same rows twice is harmless. */
    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> pruneJob() {
        return prune().onFailure().invoke(e -> Log.warn("Pruning idempotency keys failed; it runs again later", e))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Deletes the keys past their 24 h; returns how many. */
    public Uni<Integer> prune() {
        return pool.preparedQuery(PRUNE).execute(Tuple.of(clock.instant().atOffset(ZoneOffset.UTC))).map(rows -> rows.rowCount());
    }
}

package com.agentsecretstore.notify;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.agentsecretstore.support.Api;
import com.agentsecretstore.support.Db;
import com.agentsecretstore.support.Flow;
import com.agentsecretstore.support.GreenMailResource;
import com.agentsecretstore.support.WebhookReceiver;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Issue 11.2: an agent deleting its own webhooks in parallel, with requests its client abandons
 * half-way, must not stall anyone else's requests and approvals, and must leave no transaction open
 * for long; a webhook held by a stuck transaction delays only its owner's events.
 */
@QuarkusTest
@QuarkusTestResource(GreenMailResource.class)
class WebhookDeleteStormTest {

    /**
     * How long a bystander waits for one answer. The reviewer's client gave up at 8 s; a stalled
     * service never answers at all, so a generous bound tells the two apart on a loaded machine too.
     */
    static final int CLIENT_TIMEOUT_MS = 30_000;

    @Inject
    Pool pool;

    static int port() {
        return ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
    }

    /** This service's own sessions: application_name is set per schema in the test profile. */
    static String applicationName() {
        return "ass-" + ConfigProvider.getConfig().getValue("ass.db.schema", String.class);
    }

    static long idleInTransaction() {
        return Db.count("select count(*) from pg_stat_activity where application_name = ? "
                + "and state like 'idle in transaction%' and state_change < now() - interval '1 second'", applicationName());
    }

    /** How long the longest of this service's open transactions has been waiting for its next statement, in seconds. */
    static double longestIdleInTransaction() {
        Object seconds = Db.query("select coalesce(max(extract(epoch from now() - state_change)), 0) as seconds "
                + "from pg_stat_activity where application_name = ? and state like 'idle in transaction%'", applicationName())
                .get(0).get("seconds");
        return ((Number) seconds).doubleValue();
    }

    /** Sends DELETE and hangs up at a random moment, usually before the answer: the server sees its client go. */
    static void abandonedDelete(String key, String id) {
        try (Socket s = new Socket("127.0.0.1", port())) {
            OutputStream out = s.getOutputStream();
            out.write(("DELETE /v1/webhooks/" + id + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(ThreadLocalRandom.current().nextInt(0, 20));
        } catch (IOException e) {
            // The server may have answered and closed first.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static RestAssuredConfig patient(int millis) {
        return RestAssuredConfig.config().httpClient(HttpClientConfig.httpClientConfig()
                .setParam("http.socket.timeout", millis).setParam("http.connection.timeout", millis));
    }

    /** Another agent's request approved by its approver, each call within the client's timeout. */
    static void requestAndApprove(Api.Created agent, Api.Created approver, String ns) {
        requestAndApprove(agent, approver, ns, CLIENT_TIMEOUT_MS);
    }

    static void requestAndApprove(Api.Created agent, Api.Created approver, String ns, int timeoutMillis) {
        String id = Api.as(agent.key()).config(patient(timeoutMillis)).body(Map.of("scope", "secrets:read:" + ns + "/sens/*",
                "ttl_seconds", 300, "description", "storm", "run_id", Api.unique("run"))).post("/v1/tokens").then().statusCode(202)
                .extract().path("approval_request_id");
        Api.as(approver.key()).config(patient(timeoutMillis)).body(Map.of("comment", "ok"))
                .post("/v1/approvals/" + id + "/approve").then().statusCode(200);
    }

    static List<String> register(Api.Created owner, WebhookReceiver receiver, int n) {
        List<String> hooks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            hooks.add(Api.as(owner.key()).body(Map.of("url", receiver.url() + "?n=" + i, "events", EventType.ALL))
                    .post("/v1/webhooks").then().statusCode(201).extract().path("id"));
        }
        return hooks;
    }

    @Test
    void abandonedParallelDeletesStallNoOneElseAndLeaveNoTransactionOpen() throws Exception {
        String ns = Flow.namespaceWithTiers("wh-storm", 0);
        Api.Created stormer = Api.principal("agent", ns);
        Api.Created other = Api.principal("agent", ns);
        Api.Created approver = Api.principal("approver", ns);
        try (WebhookReceiver receiver = new WebhookReceiver().up()) {
            List<String> hooks = register(stormer, receiver, 20);
            // Deliveries to delete along with the webhooks (on delete cascade).
            Flow.pending(stormer.key(), "secrets:read:" + ns + "/sens/*");

            AtomicBoolean storming = new AtomicBoolean(true);
            // A transaction whose client went away used to stop between its last statement and COMMIT
            // and sit there until the server's idle_in_transaction_session_timeout (30 s) ended it.
            AtomicBoolean sampling = new AtomicBoolean(true);
            AtomicReference<Double> longestIdle = new AtomicReference<>(0.0);
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    longestIdle.accumulateAndGet(longestIdleInTransaction(), Math::max);
                    LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
                }
            }, "idle-in-transaction-sampler");
            sampler.setDaemon(true);
            sampler.start();
            ExecutorService threads = Executors.newFixedThreadPool(5);
            try {
                Future<Integer> bystander = threads.submit(() -> {
                    int done = 0;
                    while (storming.get() || done == 0) {
                        requestAndApprove(other, approver, ns);
                        done++;
                    }
                    return done;
                });
                List<Future<?>> deletes = new ArrayList<>();
                for (String id : hooks) {
                    deletes.add(threads.submit(() -> abandonedDelete(stormer.key(), id)));
                }
                for (Future<?> f : deletes) {
                    f.get(60, TimeUnit.SECONDS);
                }
                // The stormer's own request fans out to whatever is left of its webhooks: it may have to
                // wait for them (and fail at lock_timeout), but only it.
                Api.as(stormer.key()).config(patient(60_000)).body(Map.of("scope", "secrets:read:" + ns + "/sens/*",
                        "ttl_seconds", 300, "run_id", Api.unique("run"))).post("/v1/tokens");
                storming.set(false);
                assertTrue(bystander.get(120, TimeUnit.SECONDS) > 0);
            } finally {
                storming.set(false);
                threads.shutdownNow();
            }

            // Nothing stays open past idle_in_transaction_session_timeout (30 s), and the stormer works again.
            await().atMost(Duration.ofSeconds(60)).until(() -> idleInTransaction() == 0);
            sampling.set(false);
            sampler.join();
            // Generous for a loaded machine (a healthy transaction waits only for its next statement),
            // and well below the server's timeout, which is what used to end the stuck ones.
            assertTrue(longestIdle.get() < 15, "a transaction sat idle for " + longestIdle.get() + " s");
            await().atMost(Duration.ofSeconds(60)).until(() -> Api.as(stormer.key()).config(patient(60_000))
                    .body(Map.of("scope", "secrets:read:" + ns + "/sens/*", "ttl_seconds", 300, "run_id", Api.unique("run"))).post("/v1/tokens")
                    .statusCode() == 202);
            // Each webhook is either deleted, with its audit entry, or still there.
            assertEquals(hooks.size(), Db.count("select count(*) from webhook where created_by = ?", stormer.id())
                    + Db.count("select count(*) from audit_entry where action = 'webhook.delete' and actor_id = ?", stormer.id()));
            requestAndApprove(other, approver, ns);
        }
    }

    /**
     * A webhook row held by a transaction that never ends (what the abandoned deletes left behind):
     * its owner's own event waits for it, but no one else's request or approval does.
     */
    @Test
    void aWebhookHeldByAStuckTransactionDelaysNoOneElsesApprovals() throws Exception {
        String ns = Flow.namespaceWithTiers("wh-stuck", 0);
        Api.Created owner = Api.principal("agent", ns);
        Api.Created other = Api.principal("agent", ns);
        Api.Created approver = Api.principal("approver", ns);
        try (WebhookReceiver receiver = new WebhookReceiver().up()) {
            String hook = register(owner, receiver, 1).get(0);
            try (Connection stuck = Db.connect()) {
                stuck.setAutoCommit(false);
                try (PreparedStatement delete = stuck.prepareStatement("delete from webhook where id = ?")) {
                    delete.setString(1, hook);
                    assertEquals(1, delete.executeUpdate());
                }
                CompletableFuture<Integer> own = CompletableFuture.supplyAsync(() -> Api.as(owner.key()).config(patient(60_000))
                        .body(Map.of("scope", "secrets:read:" + ns + "/sens/*", "ttl_seconds", 300, "run_id", Api.unique("run"))).post("/v1/tokens")
                        .statusCode());
                await().atMost(Duration.ofSeconds(20)).until(() -> Db.count("select count(*) from pg_stat_activity "
                        + "where application_name = ? and wait_event_type = 'Lock'", applicationName()) >= 1);

                // Within the reviewer's 8 s, below lock_timeout (10 s): the stuck webhook must not be
                // what releases them.
                requestAndApprove(other, approver, ns, 8000);
                requestAndApprove(other, approver, ns, 8000);

                stuck.rollback();
                int status = own.get(60, TimeUnit.SECONDS);
                assertTrue(status == 202 || status == 500, "the owner's request answered " + status);
            }
        }
    }

    /** The safety nets are set on the service's own connections. */
    @Test
    void serviceConnectionsHaveALockTimeoutAndAnIdleInTransactionTimeout() {
        String lock = pool.query("show lock_timeout").execute().await().atMost(Duration.ofSeconds(30))
                .iterator().next().getString(0);
        String idle = pool.query("show idle_in_transaction_session_timeout").execute().await().atMost(Duration.ofSeconds(30))
                .iterator().next().getString(0);
        assertEquals("10s", lock);
        assertEquals("30s", idle);
    }
}

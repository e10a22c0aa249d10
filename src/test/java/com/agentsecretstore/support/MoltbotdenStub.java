package com.agentsecretstore.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A MoltbotDen registry on a free loopback port for the whole suite (JDK HttpServer): answers
 * {@code GET /v1/agents/{id}} as each test tells it to, 404 for ids it was not told about, and
 * counts the requests and remembers the Authorization header per id. The service's environment
 * URL and API key point at it.
 */
public class MoltbotdenStub implements QuarkusTestResourceLifecycleManager {

    public static final String API_KEY = "mdk_TestMoltbotdenKey0000000000000000";

    /** How to answer one id: a status and body, after a delay; {@code hang} never answers. */
    public record Reply(int status, String body, long delayMillis, boolean hang) {
        public static Reply tier(String id, String tier) {
            return new Reply(200, "{\"id\":\"" + id + "\",\"trust_tier\":\"" + tier + "\"}", 0, false);
        }

        public static Reply status(int status) {
            return new Reply(status, "{\"error\":\"boom\"}", 0, false);
        }

        public static Reply body(String body) {
            return new Reply(200, body, 0, false);
        }

        public Reply after(long millis) {
            return new Reply(status, body, millis, hang);
        }

        public static Reply hanging() {
            return new Reply(200, "", 0, true);
        }
    }

    private static HttpServer server;
    private static ExecutorService pool;
    private static volatile CountDownLatch stopping = new CountDownLatch(1);
    private static final Map<String, Reply> REPLIES = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> HITS = new ConcurrentHashMap<>();
    private static final Map<String, String> AUTHORIZATION = new ConcurrentHashMap<>();

    public static String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public static int port() {
        return server.getAddress().getPort();
    }

    public static void answer(String id, Reply reply) {
        REPLIES.put(id, reply);
    }

    public static int hits(String id) {
        AtomicInteger n = HITS.get(id);
        return n == null ? 0 : n.get();
    }

    /** The Authorization header of the last request about this id ("" when it had none). */
    public static String authorization(String id) {
        return AUTHORIZATION.get(id);
    }

    @Override
    public Map<String, String> start() {
        stopping = new CountDownLatch(1);
        try {
            // Every local address (IPv4 and IPv6): a test reaches it as "localhost", another origin than 127.0.0.1.
            server = HttpServer.create(new InetSocketAddress(0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "moltbotden-stub");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/v1/agents/", MoltbotdenStub::handle);
        server.start();
        return Map.of("ass.moltbotden.url", url(), "ass.moltbotden.api-key", API_KEY);
    }

    private static void handle(HttpExchange exchange) throws IOException {
        String id = exchange.getRequestURI().getPath().substring("/v1/agents/".length());
        HITS.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        AUTHORIZATION.put(id, auth == null ? "" : auth);
        Reply reply = REPLIES.getOrDefault(id, new Reply(404, "{\"error\":\"not found\"}", 0, false));
        try {
            if (reply.hang()) {
                stopping.await(60, TimeUnit.SECONDS);
            } else if (reply.delayMillis() > 0) {
                stopping.await(reply.delayMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        try (OutputStream out = exchange.getResponseBody()) {
            exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
            out.write(body);
        } catch (IOException e) {
            // The client gave up (a timeout test): nothing to tell it.
        }
    }

    @Override
    public void stop() {
        stopping.countDown();
        if (server != null) {
            server.stop(0);
        }
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}

package com.agentsecretstore.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP receiver on loopback for webhook tests. It can be down (nothing listening), answer
 * 500, hang longer than the sender's timeout, trickle its answer a byte at a time, stream a huge
 * body (generated as it goes, never held), or accept; it records every request it answered 2xx.
 */
public final class WebhookReceiver implements AutoCloseable {

    public enum Mode {
        OK, FAIL_500, HANG, GONE_410,
        /** 200 and headers at once, then one body byte every 500 ms for a minute. */
        TRICKLE,
        /** 200 with a 256 MiB body, written as fast as the sender reads it. */
        HUGE
    }

    static final long HUGE_BYTES = 256L << 20;

    public record Received(String id, String timestamp, String signature, String body, long receivedAtNanos) {
    }

    public final int port;
    /**
     * A path of its own: a port freed by an earlier receiver can come back to this one while the
     * webhooks of earlier tests still point at it, and their deliveries must not count as this
     * receiver's (they find no such path).
     */
    private final String path = "/hook/" + java.util.UUID.randomUUID();
    public final List<Received> accepted = new CopyOnWriteArrayList<>();
    public final List<String> attempts = new CopyOnWriteArrayList<>();
    /** Body bytes the sender took from this receiver (TRICKLE and HUGE). */
    public final AtomicLong bytesSent = new AtomicLong();
    private volatile Mode mode = Mode.OK;
    private volatile HttpServer server;

    public WebhookReceiver() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port + path;
    }

    public WebhookReceiver mode(Mode m) {
        mode = m;
        return this;
    }

    public WebhookReceiver up() throws IOException {
        if (server != null) {
            return this;
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext(path, exchange -> {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String id = exchange.getRequestHeaders().getFirst("webhook-id");
            attempts.add(id);
            Mode m = mode;
            if (m == Mode.HANG) {
                try {
                    Thread.sleep(6000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
                return;
            }
            if (m == Mode.TRICKLE || m == Mode.HUGE) {
                stream(exchange, m);
                return;
            }
            if (m == Mode.FAIL_500 || m == Mode.GONE_410) {
                exchange.sendResponseHeaders(m == Mode.GONE_410 ? 410 : 500, -1);
                exchange.close();
                return;
            }
            accepted.add(new Received(id, exchange.getRequestHeaders().getFirst("webhook-timestamp"),
                    exchange.getRequestHeaders().getFirst("webhook-signature"), body, System.nanoTime()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        return this;
    }

    private void stream(com.sun.net.httpserver.HttpExchange exchange, Mode m) {
        try (java.io.OutputStream out = exchange.getResponseBody()) {
            if (m == Mode.TRICKLE) {
                exchange.sendResponseHeaders(200, 0);
                for (int i = 0; i < 120 && server != null; i++) {
                    out.write('x');
                    out.flush();
                    bytesSent.incrementAndGet();
                    Thread.sleep(500);
                }
            } else {
                exchange.sendResponseHeaders(200, HUGE_BYTES);
                byte[] chunk = new byte[64 * 1024];
                for (long left = HUGE_BYTES; left > 0 && server != null; left -= chunk.length) {
                    out.write(chunk);
                    bytesSent.addAndGet(chunk.length);
                }
            }
        } catch (IOException e) {
            // The sender hung up: what it wanted to read, it has read.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    public void down() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    @Override
    public void close() {
        down();
    }
}

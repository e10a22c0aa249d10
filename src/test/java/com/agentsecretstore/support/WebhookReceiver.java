package com.agentsecretstore.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP receiver on loopback for webhook tests. It can be down (nothing listening), answer
 * 500, hang longer than the sender's timeout, or accept; it records every request it answered 2xx.
 */
public final class WebhookReceiver implements AutoCloseable {

    public enum Mode { OK, FAIL_500, HANG, GONE_410 }

    public record Received(String id, String timestamp, String signature, String body, long receivedAtNanos) {
    }

    public final int port;
    public final List<Received> accepted = new CopyOnWriteArrayList<>();
    public final List<String> attempts = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.OK;
    private HttpServer server;

    public WebhookReceiver() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/hook";
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
        server.createContext("/hook", exchange -> {
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

package com.agentsecretstore.support;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A minimal server-sent events client over java.net.http, recording each event with its arrival time. */
public final class SseClient implements AutoCloseable {

    public record Event(String id, String name, String data, long receivedAtNanos) {
    }

    public final List<Event> events = new CopyOnWriteArrayList<>();
    public volatile int status;
    /** True once the server ended the response (or the test closed it). */
    public volatile boolean ended;
    private final CompletableFuture<?> reading;
    private volatile java.io.InputStream body;

    public SseClient(String url, String key, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + key).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        reading = HttpClient.newHttpClient().sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream())
                .thenAccept(response -> {
                    status = response.statusCode();
                    body = response.body();
                    read(response.body());
                });
    }

    private void read(java.io.InputStream in) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String id = null;
            String name = null;
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        events.add(new Event(id, name, data.toString(), System.nanoTime()));
                    }
                    id = null;
                    name = null;
                    data.setLength(0);
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    if (data.length() > 0) {
                        data.append('\n');
                    }
                    data.append(line.substring(5).trim());
                }
            }
        } catch (java.io.IOException closed) {
            // the test closed the stream
        } finally {
            ended = true;
        }
    }

    public boolean connected() {
        return status == 200;
    }

    @Override
    public void close() {
        try {
            if (body != null) {
                body.close();
            }
        } catch (java.io.IOException ignored) {
            // closing anyway
        }
        reading.cancel(true);
    }
}

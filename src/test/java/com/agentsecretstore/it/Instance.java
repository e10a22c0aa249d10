package com.agentsecretstore.it;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * One replica of the packaged service ({@code target/quarkus-app/quarkus-run.jar}) as a separate
 * process, so that tests can run several on one database and kill them.
 */
final class Instance {

    static final String JAR = "target/quarkus-app/quarkus-run.jar";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    final int port;
    private final Map<String, String> env;
    private Process process;

    Instance(String name, int port, Map<String, String> env) {
        this.name = name;
        this.port = port;
        this.env = env;
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    Instance start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(javaBinary(), "-Xmx256m", "-jar", JAR);
        pb.environment().putAll(env);
        pb.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
        File log = new File("target/it-" + name + ".log");
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log));
        process = pb.start();
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited during start-up; see " + log);
            }
            return ready();
        });
        return this;
    }

    boolean running() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: no shutdown hooks, no graceful stop, as when a node dies. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor();
        }
    }

    /** SIGTERM, as an orchestrator stops a pod; returns at once (see {@link #awaitExit}). */
    void terminate() {
        process.destroy();
    }

    /** Waits for the process to end; false if it is still running after {@code max}. */
    boolean awaitExit(Duration max) throws InterruptedException {
        return process.waitFor(max.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** The readiness probe's status code, or -1 when nothing answers. */
    int readiness() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private boolean ready() {
        try {
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String javaBinary() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }
}

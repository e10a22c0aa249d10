package com.agentsecretstore.support;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real Keycloak with the test realm ({@code src/test/keycloak}), and the service configured to
 * accept its tokens. Reuses a Keycloak that already answers (CI starts one before the build, people
 * may keep one running); otherwise starts one with {@code start.sh} and stops it afterwards.
 */
public class KeycloakResource implements QuarkusTestResourceLifecycleManager {

    private boolean startedHere;

    @Override
    public Map<String, String> start() {
        if (!Keycloak.answers()) {
            run("start.sh", 600);
            startedHere = true;
        }
        return Map.of(
                "ass.oidc.enabled", "true",
                "quarkus.oidc.auth-server-url", Keycloak.ISSUER,
                "quarkus.oidc.client-id", Keycloak.CLIENT_ID,
                "quarkus.oidc.credentials.secret", Keycloak.CLIENT_SECRET);
    }

    @Override
    public void stop() {
        if (startedHere) {
            run("stop.sh", 120);
        }
    }

    private static void run(String script, int timeoutSeconds) {
        File log = new File("target/keycloak-" + script.replace(".sh", "") + ".log");
        try {
            Process p = new ProcessBuilder("bash", "src/test/keycloak/" + script)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(script + " failed; see " + log);
            }
        } catch (IOException e) {
            throw new IllegalStateException(script + " could not run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(script + " interrupted", e);
        }
    }

    static boolean reachable(String url) {
        try {
            HttpResponse<Void> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                    .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

package com.agentsecretstore.support;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few things a browser does in the authorization code flow, without a browser: keeps cookies
 * (by name, all on 127.0.0.1 like a browser's, the service's and Keycloak's alike), follows
 * redirects one by one, and fills in Keycloak's own login form. Every cookie value it sees is
 * remembered as sensitive for {@code LogLeakTest}.
 */
public final class CodeFlowBrowser {

    private static final Pattern FORM_ACTION = Pattern.compile("<form[^>]*id=\"kc-form-login\"[^>]*action=\"([^\"]+)\"");

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, String> cookies = new LinkedHashMap<>();
    /** Every Set-Cookie header received, as sent. */
    public final List<String> setCookies = new ArrayList<>();

    /** A response and the URL it answered. */
    public record Page(URI url, HttpResponse<String> response) {

        public int status() {
            return response.statusCode();
        }

        public String body() {
            return response.body();
        }
    }

    public Map<String, String> cookies() {
        return cookies;
    }

    public String cookieHeader() {
        StringBuilder b = new StringBuilder();
        cookies.forEach((k, v) -> b.append(b.length() == 0 ? "" : "; ").append(k).append('=').append(v));
        return b.toString();
    }

    /** GETs the URL and follows redirects until a page that is not one. */
    public Page open(String url) {
        Page page = send(HttpRequest.newBuilder(URI.create(url)).GET());
        for (int i = 0; i < 15 && page.status() / 100 == 3; i++) {
            page = send(HttpRequest.newBuilder(page.url().resolve(page.response().headers().firstValue("Location").orElseThrow())).GET());
        }
        return page;
    }

    /** On Keycloak's login page: submits the person's credentials (password {@code <name>-password}), follows redirects. */
    public Page signInAtKeycloak(Page loginPage, String username) {
        Matcher m = FORM_ACTION.matcher(loginPage.body());
        if (!m.find()) {
            throw new AssertionError("not Keycloak's login page: " + loginPage.url() + " " + loginPage.status());
        }
        URI action = loginPage.url().resolve(m.group(1).replace("&amp;", "&"));
        String form = "username=" + enc(username) + "&password=" + enc(username + "-password") + "&credentialId=";
        Page page = send(HttpRequest.newBuilder(action).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
        for (int i = 0; i < 15 && page.status() / 100 == 3; i++) {
            page = send(HttpRequest.newBuilder(page.url().resolve(page.response().headers().firstValue("Location").orElseThrow())).GET());
        }
        return page;
    }

    /** One request with the jar's cookies; no redirect followed. */
    public Page send(HttpRequest.Builder request) {
        if (!cookies.isEmpty()) {
            request.header("Cookie", cookieHeader());
        }
        HttpRequest built = request.timeout(Duration.ofSeconds(30)).build();
        try {
            HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
            for (String header : response.headers().allValues("Set-Cookie")) {
                setCookies.add(header);
                String pair = header.split(";", 2)[0];
                int eq = pair.indexOf('=');
                String name = pair.substring(0, eq).trim();
                String value = pair.substring(eq + 1).trim();
                boolean expired = value.isEmpty() || header.toLowerCase().contains("max-age=0")
                        || header.contains("1970");
                if (expired) {
                    cookies.remove(name);
                } else {
                    cookies.put(name, value);
                    if (value.length() > 16) {
                        Api.SENSITIVE.add(value);
                    }
                }
            }
            return new Page(built.uri(), response);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}

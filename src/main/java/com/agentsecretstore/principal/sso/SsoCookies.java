package com.agentsecretstore.principal.sso;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

import io.vertx.core.http.Cookie;

/**
 * The dashboard's cookies. The session itself is quarkus-oidc's encrypted {@code q_session_dashboard}
 * cookie (HttpOnly, SameSite=Lax, Secure outside dev). Beside it, a CSRF token that the dashboard's
 * script reads and echoes in {@value #CSRF_HEADER} on every state-changing call (double submit): a
 * cross-site page can make the browser send cookies, but it can neither read this one nor set the
 * header. When Secure, the token cookie carries the {@code __Host-} prefix, so that no sibling
 * subdomain can plant one.
 */
public final class SsoCookies {

    /** quarkus-oidc names session cookies {@code q_session[_tenant][_chunk_n]}. */
    static final String SESSION_PREFIX = "q_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    static final String CSRF_SECURE = "__Host-ass_csrf";
    static final String CSRF_PLAIN = "ass_csrf";

    private static final SecureRandom RANDOM = new SecureRandom();

    private SsoCookies() {
    }

    static boolean hasSession(Set<Cookie> cookies) {
        for (Cookie c : cookies) {
            if (c.getName().startsWith(SESSION_PREFIX)) {
                return true;
            }
        }
        return false;
    }

    static String csrfName(boolean secure) {
        return secure ? CSRF_SECURE : CSRF_PLAIN;
    }

    static String newCsrfToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The token cookie, readable by the page's script (that is its point), sent to this site only. */
    static String csrfCookie(String value, boolean secure) {
        return csrfName(secure) + "=" + value + "; Path=/; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    static String expiredCsrfCookie(boolean secure) {
        return csrfName(secure) + "=; Path=/; Max-Age=0; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    /** Whether the header echoes the cookie; constant time, and never true for missing values. */
    static boolean matches(String cookie, String header) {
        if (cookie == null || header == null || cookie.isEmpty() || header.isEmpty()) {
            return false;
        }
        return MessageDigest.isEqual(cookie.getBytes(StandardCharsets.UTF_8), header.getBytes(StandardCharsets.UTF_8));
    }
}

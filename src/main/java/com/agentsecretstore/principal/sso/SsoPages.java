package com.agentsecretstore.principal.sso;

import jakarta.ws.rs.core.Response;

/**
 * The few plain pages a person may meet on the sign-in path instead of the dashboard: each says what
 * happened and what to do, with the dashboard's security headers. No script, no input echoed.
 */
final class SsoPages {

    private static final String CSP = "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; "
            + "frame-ancestors 'none'";

    private SsoPages() {
    }

    static Response noRole() {
        return page(403, "You have no access to this service",
                "You signed in at your identity provider, but your account is in neither the approver nor the admin "
                        + "group of Agent Secret Store, so it may not be used here. Ask an administrator to add you "
                        + "to the right group, then sign in again.");
    }

    static Response providerDown() {
        return page(503, "Single sign-on is unavailable",
                "The identity provider cannot be reached right now. Try again in a few minutes; an administrator "
                        + "can still sign in with an API key.");
    }

    static Response failed() {
        return page(401, "Sign-in did not complete",
                "The identity provider's answer could not be accepted (it may have expired, or the sign-in was "
                        + "started in another tab). Start again from the sign-in page.");
    }

    private static Response page(int status, String title, String text) {
        String html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>" + title + " — Agent Secret Store</title>"
                + "<link rel=\"stylesheet\" href=\"/dashboard/css/app.css\"></head>"
                + "<body><main id=\"main\" class=\"signin\"><h1>" + title + "</h1><p>" + text + "</p>"
                + "<p><a href=\"" + SsoResource.SIGN_IN_PAGE + "\">Back to sign-in</a></p></main></body></html>\n";
        return Response.status(status).type("text/html; charset=utf-8").entity(html)
                .header("Content-Security-Policy", CSP).header("X-Content-Type-Options", "nosniff")
                .header("X-Frame-Options", "DENY").header("Referrer-Policy", "no-referrer")
                .header("Cache-Control", "no-store").build();
    }
}

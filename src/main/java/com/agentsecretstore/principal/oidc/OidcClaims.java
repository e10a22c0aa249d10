package com.agentsecretstore.principal.oidc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.eclipse.microprofile.jwt.JsonWebToken;

import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * What the service takes from a verified token: who (issuer, subject), their groups, and a name and
 * email for a new principal. Never the token itself.
 */
public record OidcClaims(String issuer, String subject, List<String> groups, String username, String email) {

    /** The identity attribute under which a signed-in person's claims are kept for the request. */
    public static final String ATTRIBUTE = "ass.oidc.claims";

    public static OidcClaims of(JsonWebToken jwt, String groupsClaim) {
        String username = string(jwt.getClaim("preferred_username"));
        String email = string(jwt.getClaim("email"));
        return new OidcClaims(jwt.getIssuer(), jwt.getSubject(), strings(jwt.getClaim(groupsClaim)), username,
                email != null && email.length() <= 254 && email.matches("[^@\\s]+@[^@\\s]+") ? email : null);
    }

    private static String string(Object claim) {
        if (claim instanceof JsonString s) {
            return s.getString();
        }
        return claim instanceof String s ? s : null;
    }

    /** A claim holding one group or a list of them, as a JSON array or a Java collection. */
    static List<String> strings(Object claim) {
        List<String> out = new ArrayList<>();
        if (claim instanceof Collection<?> values) {
            for (Object v : values) {
                String s = v instanceof JsonValue jv && !(jv instanceof JsonString) ? null : string(v);
                if (s != null) {
                    out.add(s);
                }
            }
        } else {
            String s = string(claim);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }
}

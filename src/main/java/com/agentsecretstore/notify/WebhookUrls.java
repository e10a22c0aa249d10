package com.agentsecretstore.notify;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * Decides whether a webhook URL may be called. By default only public addresses: a receiver on a
 * private, loopback, link-local or otherwise internal address would let anyone who can register a
 * webhook make the service probe its own network (SSRF). ASS_WEBHOOKS_ALLOW_PRIVATE lifts that for
 * tests and on-premises receivers. Checked at registration and again at each delivery (DNS may
 * change in between).
 */
public final class WebhookUrls {

    private WebhookUrls() {
    }

    /** Why the URL is refused, or null when it is acceptable. Resolves the host name. */
    public static String problem(String url, boolean allowPrivate) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return "must be an absolute http(s) URL";
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            return "must be an http or https URL";
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            return "must name a host";
        }
        if (uri.getUserInfo() != null) {
            return "must not carry credentials";
        }
        if (uri.getFragment() != null) {
            return "must not have a fragment";
        }
        if (url.length() > 2048) {
            return "must be at most 2048 characters";
        }
        if (allowPrivate) {
            return null;
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(uri.getHost())) {
                if (internal(address)) {
                    return "resolves to a private, loopback or link-local address (set ASS_WEBHOOKS_ALLOW_PRIVATE=true to allow)";
                }
            }
        } catch (UnknownHostException e) {
            return "host does not resolve";
        }
        return null;
    }

    static boolean internal(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (b.length == 4) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            // 100.64.0.0/10 carrier-grade NAT, 0.0.0.0/8, 192.0.0.0/24, 198.18.0.0/15 benchmarking
            return (first == 100 && second >= 64 && second < 128) || first == 0
                    || (first == 192 && second == 0 && (b[2] & 0xff) == 0) || (first == 198 && (second == 18 || second == 19));
        }
        // IPv6 unique local fc00::/7
        return (b[0] & 0xfe) == 0xfc;
    }
}

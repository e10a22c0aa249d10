package com.agentsecretstore.notify;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * Decides whether a webhook URL may be called, and where to. By default only public addresses: a
 * receiver on a private, loopback, link-local or otherwise internal address would let anyone who can
 * register a webhook make the service probe its own network (SSRF). ASS_WEBHOOKS_ALLOW_PRIVATE lifts
 * that for tests and on-premises receivers.
 *
 * <p>The host is resolved once per check, and a sender connects to the {@link Target#address()} that
 * was checked: resolving again at connect time would let a DNS answer that changes in between (DNS
 * rebinding) send the request somewhere that was never checked. IPv6 forms that carry an IPv4
 * address (compatible, mapped, translated, NAT64, 6to4, Teredo) are judged by the address they carry.
 */
public final class WebhookUrls {

    private WebhookUrls() {
    }

    /** Where a checked URL is sent: {@code address} to connect to; {@code host} for the Host header and TLS. */
    public record Target(String host, int port, boolean tls, String pathAndQuery, InetAddress address) {
    }

    /** The outcome of a check: a target, or why the URL is refused. */
    public record Checked(Target target, String problem) {
        static Checked refused(String problem) {
            return new Checked(null, problem);
        }
    }

    /** Why the URL is refused, or null when it is acceptable. Resolves the host name (blocking). */
    public static String problem(String url, boolean allowPrivate) {
        return check(url, allowPrivate).problem();
    }

    /** Checks the URL and resolves its host once (blocking: call it off the event loop). */
    public static Checked check(String url, boolean allowPrivate) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return Checked.refused("must be an absolute http(s) URL");
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            return Checked.refused("must be an http or https URL");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            return Checked.refused("must name a host");
        }
        if (uri.getUserInfo() != null) {
            return Checked.refused("must not carry credentials");
        }
        if (uri.getFragment() != null) {
            return Checked.refused("must not have a fragment");
        }
        if (url.length() > 2048) {
            return Checked.refused("must be at most 2048 characters");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(uri.getHost());
        } catch (UnknownHostException e) {
            return Checked.refused("host does not resolve");
        }
        if (!allowPrivate) {
            for (InetAddress address : addresses) {
                if (internal(address)) {
                    return Checked.refused("resolves to a private, loopback, link-local or reserved address "
                            + "(set ASS_WEBHOOKS_ALLOW_PRIVATE=true to allow)");
                }
            }
        }
        boolean tls = uri.getScheme().equals("https");
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String pathAndQuery = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        return new Checked(new Target(host, uri.getPort() == -1 ? (tls ? 443 : 80) : uri.getPort(), tls, pathAndQuery,
                addresses[0]), null);
    }

    /** True unless the address is public unicast, judging IPv6 forms that embed IPv4 by what they embed. */
    static boolean internal(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        return a instanceof Inet4Address ? internalV4(b) : internalV6((Inet6Address) a, b);
    }

    private static boolean internalV4(byte[] b) {
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        int third = b[2] & 0xff;
        return first == 0 || first == 10 || first == 127 // this network, private, loopback
                || (first == 100 && second >= 64 && second < 128) // carrier-grade NAT 100.64.0.0/10
                || (first == 169 && second == 254) || (first == 172 && second >= 16 && second < 32)
                || (first == 192 && second == 168)
                || (first == 192 && second == 0 && (third == 0 || third == 2)) // IETF protocol assignments, TEST-NET-1
                || (first == 198 && (second == 18 || second == 19)) // benchmarking
                || (first == 198 && second == 51 && third == 100) || (first == 203 && second == 0 && third == 113)
                || first >= 224; // multicast 224/4, reserved 240/4, broadcast 255.255.255.255
    }

    private static boolean internalV6(Inet6Address a, byte[] b) {
        int word0 = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
        int word1 = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        if ((b[0] & 0xfe) == 0xfc || (b[0] & 0xff) == 0xff) {
            return true; // unique local fc00::/7, multicast ff00::/8
        }
        if (word0 == 0x2001 && word1 == 0x0db8) {
            return true; // documentation 2001:db8::/32
        }
        if (zero(b, 0, 8)) {
            // ::/96 IPv4-compatible (:: and ::1 among them), ::ffff:0:0/96 mapped, ::ffff:0:0:0/96 translated
            int w4 = ((b[8] & 0xff) << 8) | (b[9] & 0xff);
            int w5 = ((b[10] & 0xff) << 8) | (b[11] & 0xff);
            if ((w4 == 0 && w5 == 0) || (w4 == 0 && w5 == 0xffff) || (w4 == 0xffff && w5 == 0)) {
                return internalV4(slice(b, 12));
            }
            return true; // nothing else in ::/64 is public unicast
        }
        if (word0 == 0x0100 && zero(b, 2, 8)) {
            return true; // discard-only 100::/64
        }
        if (word0 == 0x0064 && word1 == 0xff9b) {
            int word2 = ((b[4] & 0xff) << 8) | (b[5] & 0xff);
            if (word2 == 0x0001) {
                return true; // local-use NAT64 64:ff9b:1::/48 translates to networks we cannot judge
            }
            // well-known NAT64 64:ff9b::/96 carries the IPv4 address in its last 32 bits
            return !zero(b, 4, 12) || internalV4(slice(b, 12));
        }
        if (word0 == 0x2002) {
            return internalV4(new byte[] { b[2], b[3], b[4], b[5] }); // 6to4 2002::/16
        }
        if (word0 == 0x2001 && word1 == 0x0000) {
            // Teredo 2001::/32: server at bits 32-63, client (inverted) at bits 96-127
            byte[] client = slice(b, 12);
            for (int i = 0; i < 4; i++) {
                client[i] = (byte) ~client[i];
            }
            return internalV4(new byte[] { b[4], b[5], b[6], b[7] }) || internalV4(client);
        }
        return false;
    }

    private static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] slice(byte[] b, int from) {
        return new byte[] { b[from], b[from + 1], b[from + 2], b[from + 3] };
    }
}

package com.agentsecretstore.notify;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SSRF: internal targets are refused unless explicitly allowed. (Literal addresses: no DNS needed.) */
class WebhookUrlsTest {

    @ParameterizedTest
    @ValueSource(strings = { "http://127.0.0.1/hook", "http://localhost:8080/x", "http://10.1.2.3/x", "http://172.16.0.1/x",
            "http://192.168.1.1/x", "http://169.254.169.254/latest/meta-data", "http://[::1]/x", "http://0.0.0.0/x",
            "http://100.64.0.1/x", "http://[fd00::1]/x" })
    void internalTargetsAreRefusedByDefault(String url) {
        assertNotNull(WebhookUrls.problem(url, false));
    }

    /** Issue 11.15: IPv6 forms that carry a non-public IPv4 address, and IPv4 reserved and broadcast. */
    @ParameterizedTest
    @ValueSource(strings = { "http://[::127.0.0.1]/x", "http://[::ffff:0:7f00:1]/x", "http://[::ffff:127.0.0.1]/x",
            "http://[::ffff:a00:1]/x", "http://[64:ff9b::127.0.0.1]/x", "http://[64:ff9b::a9fe:a9fe]/x",
            "http://[64:ff9b:1::808:808]/x", "http://[2002:7f00:1::]/x", "http://[2002:a9fe:a9fe::1]/x",
            "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/x", "http://[2001:0:7f00:1:8000:63bf:3f57:fdf2]/x",
            "http://240.0.0.1/x", "http://255.255.255.255/x", "http://[2001:db8::1]/x", "http://[100::1]/x",
            "http://[ff02::1]/x", "http://[::]/x", "http://192.0.2.1/x", "http://224.0.0.1/x" })
    void addressesThatEmbedOrAreReservedAreRefused(String url) {
        assertNotNull(WebhookUrls.problem(url, false), url);
    }

    /** The same prefixes carrying a public IPv4 address are public. */
    @ParameterizedTest
    @ValueSource(strings = { "http://[64:ff9b::808:808]/x", "http://[2002:808:808::1]/x", "http://[2606:4700::1111]/x",
            "http://[2001:0:4136:e378:8000:63bf:f7f7:f7f7]/x" })
    void publicAddressesBehindIPv6PrefixesAreAccepted(String url) {
        assertNull(WebhookUrls.problem(url, false), url);
    }

    /** The sender connects to the address that was checked, and keeps the name for Host and TLS. */
    @org.junit.jupiter.api.Test
    void theCheckedAddressIsTheOneToConnectTo() {
        WebhookUrls.Checked checked = WebhookUrls.check("https://93.184.216.34:8443/hook?a=1", false);
        assertNull(checked.problem());
        org.junit.jupiter.api.Assertions.assertEquals("93.184.216.34", checked.target().address().getHostAddress());
        org.junit.jupiter.api.Assertions.assertEquals(8443, checked.target().port());
        org.junit.jupiter.api.Assertions.assertEquals("/hook?a=1", checked.target().pathAndQuery());
        org.junit.jupiter.api.Assertions.assertTrue(checked.target().tls());
        WebhookUrls.Target local = WebhookUrls.check("http://localhost:9/x", true).target();
        org.junit.jupiter.api.Assertions.assertEquals("localhost", local.host());
        org.junit.jupiter.api.Assertions.assertTrue(local.address().isLoopbackAddress());
    }

    @ParameterizedTest
    @ValueSource(strings = { "http://127.0.0.1/hook", "http://10.1.2.3/x" })
    void internalTargetsAreAllowedWhenConfigured(String url) {
        assertNull(WebhookUrls.problem(url, true));
    }

    @ParameterizedTest
    @ValueSource(strings = { "https://93.184.216.34/hook", "http://8.8.8.8:8080/x" })
    void publicAddressesAreAccepted(String url) {
        assertNull(WebhookUrls.problem(url, false));
    }

    @ParameterizedTest
    @ValueSource(strings = { "ftp://93.184.216.34/x", "not a url", "https://user:pw@93.184.216.34/x", "/relative",
            "javascript:alert(1)" })
    void malformedOrUnsafeUrlsAreRefused(String url) {
        assertNotNull(WebhookUrls.problem(url, true));
    }
}

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

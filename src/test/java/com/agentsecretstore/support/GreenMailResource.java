package com.agentsecretstore.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real SMTP server (GreenMail) on a free loopback port for the whole suite; the mailer is pointed
 * at it, so two suites on one machine never share a mailbox.
 */
public class GreenMailResource implements QuarkusTestResourceLifecycleManager {

    private static GreenMail greenMail;

    public static GreenMail server() {
        return greenMail;
    }

    @Override
    public Map<String, String> start() {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        greenMail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        greenMail.start();
        return Map.of("quarkus.mailer.port", String.valueOf(port));
    }

    @Override
    public void stop() {
        if (greenMail != null) {
            greenMail.stop();
        }
    }
}

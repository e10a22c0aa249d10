package com.agentsecretstore.principal;

import java.util.Locale;

/**
 * A door into the service other than the REST API. The same rules decide whatever the door; the
 * audit entry names it ({@code via}), so a security team can tell an agent's MCP tool call from its
 * REST call.
 */
public enum Channel {
    /** The Model Context Protocol endpoint, {@code /mcp} (package {@code mcp}). */
    MCP;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}

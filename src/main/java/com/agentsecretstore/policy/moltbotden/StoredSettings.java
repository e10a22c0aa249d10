package com.agentsecretstore.policy.moltbotden;

/**
 * The run-time MoltbotDen setting as stored (JSON in {@code setting}, name
 * {@code integrations.moltbotden}): the on/off switch and a URL that replaces the environment's
 * (null: the environment's). Never the API key.
 */
public record StoredSettings(Boolean enabled, String baseUrl) {

    public static final String NAME = "integrations.moltbotden";
}

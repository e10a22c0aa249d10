package com.agentsecretstore.policy.moltbotden;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The run-time MoltbotDen setting as stored (JSON in {@code setting}, name
 * {@code integrations.moltbotden}): the on/off switch and a URL that replaces the environment's
 * (null: the environment's). Never the API key. Read with the ObjectMapper, not through REST: registered
 * for reflection for the native image.
 */
@RegisterForReflection
public record StoredSettings(Boolean enabled, String baseUrl) {

    public static final String NAME = "integrations.moltbotden";
}

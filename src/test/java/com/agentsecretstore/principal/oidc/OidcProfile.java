package com.agentsecretstore.principal.oidc;

import java.util.List;

import com.agentsecretstore.support.KeycloakResource;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The service with human sign-in on, against the real Keycloak of {@link KeycloakResource}. */
public class OidcProfile implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(KeycloakResource.class));
    }
}

package com.agentsecretstore.policy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Scope.within never says yes for a scope that reaches a path the wider one does not. */
class ScopeWithinTest {

    private static boolean within(String narrow, String wide) {
        return Scope.parse("secrets:read:" + narrow).within(Scope.parse("secrets:read:" + wide));
    }

    @Test
    void subsetsAreRecognised() {
        assertTrue(within("prod/stripe/key", "prod/stripe/key"));
        assertTrue(within("prod/stripe/key", "prod/stripe/*"));
        assertTrue(within("prod/stripe/live-key", "prod/stripe/live-*"));
        assertTrue(within("prod/stripe/a?", "prod/stripe/*"));
        assertTrue(within("prod/stripe/live/key", "prod/stripe/**"));
        assertTrue(within("prod/stripe/**", "prod/**"));
        assertTrue(within("prod/a/b/c", "prod/**/c"));
        assertTrue(within("prod/c", "prod/**/c"));
        assertTrue(within("prod/x/**/c", "prod/**/c"));
    }

    @Test
    void nonSubsetsAreRefused() {
        assertFalse(within("prod/stripe", "prod/stripe/**"));
        assertFalse(within("prod/**", "prod/stripe/**"));
        assertFalse(within("prod/*", "prod/stripe"));
        assertFalse(within("prod/stripe/*", "prod/stripe/live-*"));
        assertFalse(within("staging/stripe/key", "prod/**"));
        assertFalse(within("prod/stripe/**", "prod/**/c"));
        assertFalse(within("prod/a/b", "prod/*"));
    }

    /** Random scopes over a small alphabet: whenever within says yes, every sampled path agrees. */
    @Test
    void withinIsNeverLooserThanMatching() {
        Random random = new Random(16);
        List<String> segments = List.of("a", "b", "*", "**", "a*", "?");
        List<String> literals = List.of("a", "b", "ab", "ba", "c");
        for (int round = 0; round < 3000; round++) {
            String narrow = "ns/" + glob(random, segments);
            String wide = "ns/" + glob(random, segments);
            Scope n = Scope.parse("secrets:read:" + narrow);
            Scope w = Scope.parse("secrets:read:" + wide);
            if (n == null || w == null || !n.within(w)) {
                continue;
            }
            for (int p = 0; p < 200; p++) {
                StringBuilder path = new StringBuilder("ns");
                int depth = 1 + random.nextInt(4);
                for (int i = 0; i < depth; i++) {
                    path.append('/').append(literals.get(random.nextInt(literals.size())));
                }
                if (n.covers(path.toString())) {
                    assertTrue(w.covers(path.toString()), narrow + " within " + wide + " but " + path + " is not covered");
                }
            }
        }
    }

    private static String glob(Random random, List<String> segments) {
        int depth = 1 + random.nextInt(3);
        StringBuilder g = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            g.append(i == 0 ? "" : "/").append(segments.get(random.nextInt(segments.size())));
        }
        return g.toString();
    }
}

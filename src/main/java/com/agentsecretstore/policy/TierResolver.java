package com.agentsecretstore.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Decides what a path, a secret or a token scope requires under one namespace's policy.
 *
 * <p>Overrides are ranked once: most literal characters first, then the stricter tier, then the
 * more demanding approvals and delay, then the order the admin wrote them. The first override in
 * that order that matches a path governs it; when none does, the namespace default does. The
 * later tie-breaks only matter for overrides the API calls tied, and they pick the more demanding
 * one so that a tie never relaxes anything.
 */
public final class TierResolver {

    /**
     * Search nodes allowed when checking whether a scope can reach a path an override governs.
     * Real policies need a few hundred; only adversarial patterns hit this, and they are then
     * treated as reachable (stricter).
     */
    static final int ANALYSIS_BUDGET = 50_000;
    /**
     * Steps one evaluation may take by default ({@link EvaluationBudget}); a few milliseconds of
     * work. Policies within the write-time limits need far less; past it the answer is the
     * strictest the policy can give.
     */
    public static final long DEFAULT_EVALUATION_STEPS = 2_000_000;
    private static final int MAX_LISTED_SOURCES = 3;
    private static final String TOO_COMPLEX = "the policy is too complex to evaluate within its budget, "
        + "so the strictest requirement it can give applies";

    private final NamespacePolicy policy;
    private final List<Rule> ranked;
    private final Glob wholeNamespace;
    private final long evaluationSteps;
    /** For each ranked rule, the higher-ranked globs that may win over it on some path. */
    private final List<List<Glob>> outranking;

    /** @throws InvalidPolicyException if the policy is not valid */
    public TierResolver(NamespacePolicy policy) {
        this(policy, DEFAULT_EVALUATION_STEPS);
    }

    /**
     * @param evaluationSteps the work each evaluation may do ({@link EvaluationBudget}); building
     *     the resolver may take as much again
     * @throws InvalidPolicyException if the policy is not valid
     */
    public TierResolver(NamespacePolicy policy, long evaluationSteps) {
        this.evaluationSteps = evaluationSteps;
        this.policy = policy.requireValid();
        List<Rule> rules = new ArrayList<>();
        List<PathOverride> overrides = policy.pathOverrides();
        for (int i = 0; i < overrides.size(); i++) {
            rules.add(new Rule(overrides.get(i), Glob.compile(overrides.get(i).pattern()), i));
        }
        rules.sort(Comparator.comparingInt((Rule r) -> r.glob.literalCount()).reversed()
            .thenComparing((Rule r) -> r.override.tier(), Comparator.reverseOrder())
            .thenComparing((Rule r) -> r.override.effectiveApprovals(), Comparator.reverseOrder())
            .thenComparing((Rule r) -> r.override.effectiveDelaySeconds(), Comparator.reverseOrder())
            .thenComparingInt((Rule r) -> r.index));
        this.ranked = List.copyOf(rules);
        this.wholeNamespace = Glob.compile(policy.namespace() + "/**");
        this.outranking = outranking(ranked, new EvaluationBudget(evaluationSteps));
    }

    /**
     * Which higher-ranked globs overlap each rule, computed once per policy. When the budget runs
     * out, every higher-ranked glob is listed: one that does not overlap cannot exclude any path
     * of the rule, so listing it only costs the search time (which is budgeted), never correctness.
     */
    private static List<List<Glob>> outranking(List<Rule> ranked, EvaluationBudget budget) {
        List<List<Glob>> result = new ArrayList<>();
        boolean exhausted = false;
        for (int i = 0; i < ranked.size(); i++) {
            List<Glob> above = new ArrayList<>();
            for (int j = 0; j < i; j++) {
                Glob higher = ranked.get(j).glob;
                if (!exhausted) {
                    try {
                        if (!higher.overlaps(ranked.get(i).glob, budget)) {
                            continue;
                        }
                    } catch (EvaluationBudget.Exhausted e) {
                        exhausted = true;
                    }
                }
                above.add(higher);
            }
            result.add(List.copyOf(above));
        }
        return List.copyOf(result);
    }

    public NamespacePolicy policy() {
        return policy;
    }

    /**
     * The policy's requirement for one path: the most specific matching override, else the
     * namespace default.
     *
     * @throws IllegalArgumentException if the path is not inside this policy's namespace
     */
    public Requirement forPath(String path) {
        requireInNamespace(path);
        try {
            return forPath(path, new EvaluationBudget(evaluationSteps));
        } catch (EvaluationBudget.Exhausted e) {
            return strictestOfPolicy(List.of(), "path \"" + path + "\": " + TOO_COMPLEX);
        }
    }

    private Requirement forPath(String path, EvaluationBudget budget) {
        Rule winner = null;
        int matching = 0;
        Rule tiedLoser = null;
        for (Rule r : ranked) {
            if (r.glob.matches(path, budget)) {
                matching++;
                if (winner == null) {
                    winner = r;
                } else if (tiedLoser == null && r.glob.literalCount() == winner.glob.literalCount()) {
                    tiedLoser = r;
                }
            }
        }
        if (winner == null) {
            return defaultRequirement("no override matches \"" + path + "\"");
        }
        StringBuilder why = new StringBuilder(winner.describe()).append(" matched");
        if (tiedLoser != null) {
            why.append(" (tied with \"").append(tiedLoser.glob.pattern())
                .append("\" on literal characters; the stricter requirement wins)");
        } else if (matching > 1) {
            why.append(" (most specific of ").append(matching).append(" matching overrides)");
        }
        return winner.requirement(why.toString());
    }

    /**
     * A secret's effective requirement: the stricter of its own tier and the policy's for its
     * path. When the policy's tier is at least as strict, its numbers apply (an override may ask
     * for more approvals); when the secret's own tier is stricter, that tier's defaults apply.
     */
    public Requirement forSecret(SecretRef secret) {
        return forSecret(secret, forPath(secret.path()));
    }

    private Requirement forSecret(SecretRef secret, Requirement byPolicy) {
        if (secret.tier().compareTo(byPolicy.tier()) <= 0) {
            return byPolicy;
        }
        Requirement own = Requirement.defaults(secret.tier(), "");
        return own.withReason("secret \"" + secret.path() + "\" is stored as " + secret.tier().wire()
            + ", stricter than the policy's " + byPolicy.tier().wire() + " (" + byPolicy.reason() + "): "
            + own.summary());
    }

    /**
     * What a token for {@code scope} requires in this namespace: the strictest requirement among
     * <ol>
     *   <li>every existing secret the scope matches, at its {@link #forSecret effective} tier;</li>
     *   <li>every override that governs at least one path the scope can match — i.e. the scope
     *       overlaps it on some path where no higher-ranked override wins (secrets written later
     *       are covered too);</li>
     *   <li>the namespace default, if the scope can match a path in the namespace no override
     *       covers.</li>
     * </ol>
     * The second and third points are exact, not "the patterns overlap": a scope naming a single
     * path gets the same answer as that path does. Among sources at the strictest tier, the
     * largest approval count and the longest delay apply. A scope that reaches nothing in the
     * namespace requires nothing here (standard, auto-approved).
     *
     * @throws IllegalArgumentException if a matched secret is outside this namespace
     */
    public Requirement forScope(Glob scope, Collection<SecretRef> existingSecrets) {
        try {
            return forScope(scope, existingSecrets, new EvaluationBudget(evaluationSteps));
        } catch (EvaluationBudget.Exhausted e) {
            // Every source counted as reachable: the true answer is the strictest of a subset of these.
            return strictestOfPolicy(existingSecrets, "scope \"" + scope.pattern() + "\": " + TOO_COMPLEX);
        }
    }

    /**
     * The secrets among {@code candidates} that {@code scope} matches, within one evaluation's
     * budget; when it runs out, all of them (a superset only makes the tier stricter).
     */
    public List<SecretRef> reached(Glob scope, Collection<SecretRef> candidates) {
        EvaluationBudget budget = new EvaluationBudget(evaluationSteps);
        try {
            List<SecretRef> reached = new ArrayList<>();
            for (SecretRef secret : candidates) {
                if (scope.matches(secret.path(), budget)) {
                    reached.add(secret);
                }
            }
            return reached;
        } catch (EvaluationBudget.Exhausted e) {
            return List.copyOf(candidates);
        }
    }

    private Requirement forScope(Glob scope, Collection<SecretRef> existingSecrets, EvaluationBudget budget) {
        List<Requirement> sources = new ArrayList<>();
        for (SecretRef secret : existingSecrets) {
            if (scope.matches(secret.path(), budget)) {
                requireInNamespace(secret.path());
                Requirement r = forSecret(secret, forPath(secret.path(), budget));
                sources.add(r.withReason("secret \"" + secret.path() + "\" (" + r.reason() + ")"));
            }
        }
        for (int i = 0; i < ranked.size(); i++) {
            Rule rule = ranked.get(i);
            if (!scope.overlaps(rule.glob, budget)) {
                continue;
            }
            Reachability.Result reach = Reachability.search(List.of(scope, rule.glob), outranking.get(i),
                ANALYSIS_BUDGET, budget);
            if (reach.possible()) {
                sources.add(rule.requirement(rule.describe() + governs(reach)));
            }
        }
        if (scope.overlaps(wholeNamespace, budget)) {
            List<Glob> all = new ArrayList<>();
            for (Rule r : ranked) {
                all.add(r.glob);
            }
            Reachability.Result reach = Reachability.search(List.of(scope, wholeNamespace), all, ANALYSIS_BUDGET, budget);
            if (reach.possible()) {
                sources.add(defaultRequirement("paths no override covers" + governs(reach)));
            }
        }
        if (sources.isEmpty()) {
            return Requirement.defaults(Tier.STANDARD,
                "scope \"" + scope.pattern() + "\" reaches no path in namespace \"" + policy.namespace() + "\"");
        }
        Requirement combined = Requirement.strictestOf(sources);
        return combined.withReason("scope \"" + scope.pattern() + "\" is " + combined.tier().wire() + ", "
            + combined.summary() + ": " + listStrictest(sources, combined.tier()));
    }

    /**
     * The strictest requirement this policy can give at all — every override, the default, and the
     * given secrets at their own tiers — for when an evaluation ran out of budget. It needs no
     * matching, so it costs one pass over the overrides.
     */
    private Requirement strictestOfPolicy(Collection<SecretRef> secrets, String why) {
        List<Requirement> sources = new ArrayList<>();
        sources.add(defaultRequirement("the default"));
        for (Rule r : ranked) {
            sources.add(r.requirement(r.describe()));
        }
        for (SecretRef secret : secrets) {
            sources.add(Requirement.defaults(secret.tier(), "secret \"" + secret.path() + "\""));
        }
        Requirement combined = Requirement.strictestOf(sources);
        return combined.withReason(why + ": " + combined.tier().wire() + ", " + combined.summary());
    }

    private static String governs(Reachability.Result reach) {
        return reach.status() == Reachability.Status.FOUND
            ? " can apply (e.g. \"" + reach.witness() + "\")"
            : " may apply (too complex to rule out)";
    }

    private static String listStrictest(List<Requirement> sources, Tier tier) {
        List<String> parts = new ArrayList<>();
        int count = 0;
        for (Requirement r : sources) {
            if (r.tier() == tier) {
                if (count < MAX_LISTED_SOURCES) {
                    parts.add(r.reason());
                }
                count++;
            }
        }
        String listed = String.join("; ", parts);
        return count > MAX_LISTED_SOURCES ? listed + "; and " + (count - MAX_LISTED_SOURCES) + " more" : listed;
    }

    private Requirement defaultRequirement(String context) {
        Tier tier = policy.defaultTier();
        Requirement r = Requirement.defaults(tier, "");
        return r.withReason(context + "; namespace \"" + policy.namespace() + "\" default tier "
            + tier.wire() + ": " + r.summary());
    }

    private void requireInNamespace(String path) {
        if (path == null || !path.startsWith(policy.namespace() + "/")) {
            throw new IllegalArgumentException("path is outside namespace \"" + policy.namespace() + "\"");
        }
    }

    private static final class Rule {
        final PathOverride override;
        final Glob glob;
        final int index;

        Rule(PathOverride override, Glob glob, int index) {
            this.override = override;
            this.glob = glob;
            this.index = index;
        }

        String describe() {
            return "override \"" + glob.pattern() + "\" (" + glob.literalCount() + " literal characters)";
        }

        Requirement requirement(String context) {
            Requirement r = new Requirement(override.tier(), override.effectiveApprovals(),
                override.effectiveDelaySeconds(), glob.pattern(), "");
            return r.withReason(context + ": " + override.tier().wire() + ", " + r.summary());
        }
    }
}

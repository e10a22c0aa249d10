package com.agentsecretstore.policy;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Finds a path that matches every glob of one list and none of another, or proves there is none.
 *
 * <p>This is what makes a scope's tier exact: an override only governs the paths on which no
 * more specific override wins, so "can this scope reach a path governed by override X" is "is
 * there a path matching the scope and X but none of the overrides ranked above X".
 *
 * <p>The globs that must match are followed one state at a time (their product stays
 * polynomial); the ones that must not match have to be followed as a set of states, and
 * adversarial patterns (e.g. {@code a/*x????????????????????}) can make those sets grow
 * exponentially. So the search stops after {@code budget} nodes and answers
 * {@link Status#UNKNOWN}; callers treat that as "reachable", the safe answer for tiers.
 */
final class Reachability {

    enum Status { FOUND, NONE, UNKNOWN }

    /** Outcome; {@code witness} is a matching path when the status is {@link Status#FOUND}. */
    record Result(Status status, String witness) {
        boolean possible() {
            return status != Status.NONE;
        }
    }

    private Reachability() {
    }

    static Result search(List<Glob> mustMatch, List<Glob> mustNotMatch, int budget) {
        return search(mustMatch, mustNotMatch, budget, EvaluationBudget.unlimited());
    }

    /**
     * {@link #search(List, List, int)}, also spending from {@code steps}: each node expanded costs
     * its states and its avoid-set for every character tried, which is the real work. The node
     * count alone does not bound it, since one node of many long avoid globs is itself expensive.
     *
     * @throws EvaluationBudget.Exhausted when {@code steps} runs out
     */
    static Result search(List<Glob> mustMatch, List<Glob> mustNotMatch, int budget, EvaluationBudget steps) {
        Glob[] match = mustMatch.toArray(new Glob[0]);
        Glob[] avoid = mustNotMatch.toArray(new Glob[0]);
        int[] offsets = new int[avoid.length + 1];
        for (int i = 0; i < avoid.length; i++) {
            offsets[i + 1] = offsets[i] + avoid[i].finalState() + 1;
        }
        char fresh = freshCharacter(match, avoid);

        int[] startStates = new int[match.length];
        BitSet startAvoid = new BitSet();
        for (int i = 0; i < avoid.length; i++) {
            startAvoid.set(offsets[i]);
        }
        closeOver(avoid, offsets, startAvoid);
        Node start = new Node(startStates, startAvoid, true);

        Map<Node, Node> parent = new HashMap<>();
        Map<Node, Integer> via = new HashMap<>();
        parent.put(start, null);
        ArrayDeque<Node> queue = new ArrayDeque<>();
        queue.add(start);
        while (!queue.isEmpty()) {
            Node n = queue.poll();
            if (accepts(n, match, avoid, offsets)) {
                return new Result(Status.FOUND, witness(n, parent, via, fresh));
            }
            if (parent.size() > budget) {
                return new Result(Status.UNKNOWN, null);
            }
            for (int i = 0; i < match.length; i++) {
                if (match[i].skippable(n.states[i])) {
                    int[] states = n.states.clone();
                    states[i] += 2;
                    enqueue(new Node(states, n.avoid, n.segmentEmpty), n, null, parent, via, queue);
                }
            }
            TreeSet<Integer> chars = relevantCharacters(n, match, avoid, offsets);
            steps.spend((long) (chars.size() + 1) * (match.length + n.avoid.cardinality() + (n.avoid.length() >> 6) + 1));
            for (int c : chars) {
                if (c == '/' && n.segmentEmpty) {
                    continue; // paths have no empty segments
                }
                int[] states = new int[match.length];
                boolean alive = true;
                for (int i = 0; i < match.length && alive; i++) {
                    states[i] = match[i].step(n.states[i], c);
                    alive = states[i] >= 0;
                }
                if (!alive) {
                    continue;
                }
                BitSet next = new BitSet();
                for (int s = n.avoid.nextSetBit(0); s >= 0; s = n.avoid.nextSetBit(s + 1)) {
                    int g = owner(offsets, s);
                    int t = avoid[g].step(s - offsets[g], c);
                    if (t >= 0) {
                        next.set(offsets[g] + t);
                    }
                }
                closeOver(avoid, offsets, next);
                enqueue(new Node(states, next, c == '/'), n, c, parent, via, queue);
            }
        }
        return new Result(Status.NONE, null);
    }

    private static void enqueue(Node next, Node from, Integer c, Map<Node, Node> parent,
                                Map<Node, Integer> via, ArrayDeque<Node> queue) {
        if (!parent.containsKey(next)) {
            parent.put(next, from);
            if (c != null) {
                via.put(next, c);
            }
            queue.add(next);
        }
    }

    private static boolean accepts(Node n, Glob[] match, Glob[] avoid, int[] offsets) {
        if (n.segmentEmpty) {
            return false;
        }
        for (int i = 0; i < match.length; i++) {
            if (n.states[i] != match[i].finalState()) {
                return false;
            }
        }
        for (int g = 0; g < avoid.length; g++) {
            if (n.avoid.get(offsets[g] + avoid[g].finalState())) {
                return false;
            }
        }
        return true;
    }

    /** '/', FRESH, and every literal some current state expects; all other characters act like FRESH. */
    private static TreeSet<Integer> relevantCharacters(Node n, Glob[] match, Glob[] avoid, int[] offsets) {
        TreeSet<Integer> chars = new TreeSet<>();
        chars.add((int) '/');
        chars.add(Glob.FRESH);
        for (int i = 0; i < match.length; i++) {
            int lit = match[i].literalAt(n.states[i]);
            if (lit >= 0) {
                chars.add(lit);
            }
        }
        for (int s = n.avoid.nextSetBit(0); s >= 0; s = n.avoid.nextSetBit(s + 1)) {
            int g = owner(offsets, s);
            int lit = avoid[g].literalAt(s - offsets[g]);
            if (lit >= 0) {
                chars.add(lit);
            }
        }
        return chars;
    }

    private static void closeOver(Glob[] avoid, int[] offsets, BitSet states) {
        for (int s = states.nextSetBit(0); s >= 0; s = states.nextSetBit(s + 1)) {
            int g = owner(offsets, s);
            if (avoid[g].skippable(s - offsets[g])) {
                states.set(s + 2);
            }
        }
    }

    private static int owner(int[] offsets, int state) {
        int i = Arrays.binarySearch(offsets, state);
        return i >= 0 ? i : -i - 2;
    }

    private static String witness(Node end, Map<Node, Node> parent, Map<Node, Integer> via, char fresh) {
        StringBuilder sb = new StringBuilder();
        for (Node n = end; parent.get(n) != null; n = parent.get(n)) {
            Integer c = via.get(n);
            if (c != null) {
                sb.append(c == Glob.FRESH ? fresh : (char) c.intValue());
            }
        }
        return sb.reverse().toString();
    }

    /**
     * A character no glob in the search names literally, so it behaves exactly like FRESH.
     * Prefers characters valid in secret paths so that witnesses read naturally.
     */
    private static char freshCharacter(Glob[] match, Glob[] avoid) {
        StringBuilder used = new StringBuilder();
        for (Glob g : match) {
            used.append(g.literalCharacters());
        }
        for (Glob g : avoid) {
            used.append(g.literalCharacters());
        }
        String preferred = "xyzqjkwvABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghilmnoprstu0123456789-_.";
        for (int i = 0; i < preferred.length(); i++) {
            if (used.indexOf(String.valueOf(preferred.charAt(i))) < 0) {
                return preferred.charAt(i);
            }
        }
        for (char c = '\u0100'; ; c++) {
            if (used.indexOf(String.valueOf(c)) < 0) {
                return c;
            }
        }
    }

    private static final class Node {
        final int[] states;
        final BitSet avoid;
        final boolean segmentEmpty;
        private final int hash;

        Node(int[] states, BitSet avoid, boolean segmentEmpty) {
            this.states = states;
            this.avoid = avoid;
            this.segmentEmpty = segmentEmpty;
            this.hash = Objects.hash(Arrays.hashCode(states), avoid, segmentEmpty);
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Node)) {
                return false;
            }
            Node other = (Node) o;
            return segmentEmpty == other.segmentEmpty && Arrays.equals(states, other.states)
                && avoid.equals(other.avoid);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}

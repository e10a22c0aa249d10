package com.agentsecretstore.support;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Seeded random generators for property tests in plain JUnit, and {@link #forAll} to run a property
 * over many generated inputs. A failure names the property's seed, the try and the input, so it
 * replays exactly: every run with the same seed generates the same inputs. {@code -Dagentsecretstore.test.seed=N}
 * runs every property with seed N instead (to explore beyond the fixed seeds).
 *
 * <p>Sizes are drawn uniformly, so small lists and strings (the usual edge cases) come up often.
 */
public final class Gen {

    /** Tries per property unless a property asks for more. */
    public static final int DEFAULT_TRIES = 1000;
    private static final int MAX_FILTER_ATTEMPTS = 10_000;

    private final SplittableRandom random;

    private Gen(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /**
     * Checks {@code property} on {@code tries} inputs from {@code generator}, all drawn from one random
     * stream seeded with {@code seed}. Any failure is rethrown with the seed, the try and the input.
     */
    public static <T> void forAll(long seed, int tries, Function<Gen, T> generator, Consumer<T> property) {
        long effectiveSeed = Long.getLong("agentsecretstore.test.seed", seed);
        Gen gen = new Gen(effectiveSeed);
        for (int i = 1; i <= tries; i++) {
            T input = generator.apply(gen);
            try {
                property.accept(input);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("Property failed (seed " + effectiveSeed + ", try " + i + " of " + tries
                        + ") for input " + input + ": " + e.getMessage(), e);
            }
        }
    }

    /** A whole number in [min, max]. */
    public int between(int min, int max) {
        return random.nextInt(min, max + 1);
    }

    public boolean bool() {
        return random.nextBoolean();
    }

    @SafeVarargs
    public final <T> T oneOf(T... values) {
        return values[random.nextInt(values.length)];
    }

    public <T> T oneOf(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** {@code rare} with probability 1 in {@code odds}, {@code usual} otherwise. */
    public <T> T sometimes(int odds, Supplier<T> rare, Supplier<T> usual) {
        return random.nextInt(odds) == 0 ? rare.get() : usual.get();
    }

    /** {@code minSize}..{@code maxSize} elements from {@code element}. */
    public <T> List<T> list(int minSize, int maxSize, Supplier<T> element) {
        int size = between(minSize, maxSize);
        List<T> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            list.add(element.get());
        }
        return list;
    }

    /** Like {@link #list}, dropping elements whose key an earlier one already had. */
    public <T, K> List<T> uniqueList(int minSize, int maxSize, Supplier<T> element, Function<T, K> key) {
        Set<K> seen = new HashSet<>();
        List<T> list = new ArrayList<>();
        for (T t : list(minSize, maxSize, element)) {
            if (seen.add(key.apply(t))) {
                list.add(t);
            }
        }
        return list;
    }

    /** A string of {@code minLength}..{@code maxLength} characters drawn from {@code chars}. */
    public String string(String chars, int minLength, int maxLength) {
        int length = between(minLength, maxLength);
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(chars.charAt(random.nextInt(chars.length())));
        }
        return s.toString();
    }

    /** The first value from {@code generator} that satisfies {@code accept}. */
    public <T> T filter(Supplier<T> generator, Predicate<T> accept) {
        for (int i = 0; i < MAX_FILTER_ATTEMPTS; i++) {
            T t = generator.get();
            if (accept.test(t)) {
                return t;
            }
        }
        throw new IllegalStateException("The generator's filter rejected " + MAX_FILTER_ATTEMPTS + " values in a row");
    }
}

package com.agentsecretstore.approval;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

import com.agentsecretstore.policy.Tier;
import com.agentsecretstore.policy.TrustTier;
import com.agentsecretstore.policy.moltbotden.TrustSource;

/**
 * Maps a code enum of the approval entities to the lowercase text its column holds, so the
 * entities carry enums while the schema keeps its text. Each field names its converter with
 * {@code @Convert}; none applies itself.
 */
public abstract class WireConverter<E extends Enum<E>> implements AttributeConverter<E, String> {

    private final Map<String, E> byWire = new HashMap<>();
    private final Function<E, String> wire;

    protected WireConverter(Class<E> type, Function<E, String> wire) {
        this.wire = wire;
        for (E code : type.getEnumConstants()) {
            byWire.put(wire.apply(code), code);
        }
    }

    @Override
    public String convertToDatabaseColumn(E code) {
        return code == null ? null : wire.apply(code);
    }

    @Override
    public E convertToEntityAttribute(String text) {
        if (text == null) {
            return null;
        }
        E code = byWire.get(text);
        if (code == null) {
            // A value this build does not know: failing beats treating the row as something it is not.
            throw new IllegalStateException("Unknown code in the database: " + text);
        }
        return code;
    }

    @Converter
    public static final class Status extends WireConverter<ApprovalStatus> {
        public Status() {
            super(ApprovalStatus.class, ApprovalStatus::wire);
        }
    }

    @Converter
    public static final class Kind extends WireConverter<DecisionKind> {
        public Kind() {
            super(DecisionKind.class, DecisionKind::wire);
        }
    }

    @Converter
    public static final class Outcome extends WireConverter<ReceiptOutcome> {
        public Outcome() {
            super(ReceiptOutcome.class, ReceiptOutcome::wire);
        }
    }

    @Converter
    public static final class AccessTier extends WireConverter<Tier> {
        public AccessTier() {
            super(Tier.class, Tier::wire);
        }
    }

    @Converter
    public static final class Trust extends WireConverter<TrustTier> {
        public Trust() {
            super(TrustTier.class, TrustTier::wire);
        }
    }

    @Converter
    public static final class Source extends WireConverter<TrustSource> {
        public Source() {
            super(TrustSource.class, TrustSource::wire);
        }
    }
}

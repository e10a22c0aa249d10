package com.agentsecretstore.common;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

import jakarta.persistence.AttributeConverter;

/**
 * Maps a code enum of an entity to the lowercase text its column holds, so entities carry enums
 * while the schema keeps its text. Each field names its converter with {@code @Convert}; none
 * applies itself. A text this build does not know fails the read.
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
}

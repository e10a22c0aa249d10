package com.agentsecretstore.policy;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** A {@link Tier} column of an entity, stored as its wire text ({@code standard}, ...). */
@Converter(autoApply = false)
public class TierConverter implements AttributeConverter<Tier, String> {

    @Override
    public String convertToDatabaseColumn(Tier tier) {
        return tier == null ? null : tier.wire();
    }

    @Override
    public Tier convertToEntityAttribute(String wire) {
        return Tier.fromWire(wire);
    }
}

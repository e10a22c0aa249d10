package com.agentsecretstore.policy;

import jakarta.persistence.Converter;

import com.agentsecretstore.common.WireConverter;

/** A {@link Tier} column of an entity, stored as its wire text ({@code standard}, ...). */
@Converter(autoApply = false)
public class TierConverter extends WireConverter<Tier> {

    public TierConverter() {
        super(Tier.class, Tier::wire);
    }
}

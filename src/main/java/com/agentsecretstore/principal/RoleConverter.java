package com.agentsecretstore.principal;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** {@code principal.role} as the {@link Role} it names, stored as its lowercase wire text. */
@Converter(autoApply = false)
public class RoleConverter implements AttributeConverter<Role, String> {

    @Override
    public String convertToDatabaseColumn(Role role) {
        return role == null ? null : role.wire();
    }

    @Override
    public Role convertToEntityAttribute(String wire) {
        return Role.fromWire(wire);
    }
}

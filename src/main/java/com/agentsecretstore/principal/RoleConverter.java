package com.agentsecretstore.principal;

import jakarta.persistence.Converter;

import com.agentsecretstore.common.WireConverter;

/** {@code principal.role} as the {@link Role} it names, stored as its lowercase wire text. */
@Converter(autoApply = false)
public class RoleConverter extends WireConverter<Role> {

    public RoleConverter() {
        super(Role.class, Role::wire);
    }
}

package com.agentsecretstore.common;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;

/**
 * Every string of a request body, except fields that opt out with
 * {@code @JsonDeserialize(using = StringDeserializer.class)} (a secret value, which is sealed as
 * bytes): PostgreSQL cannot store U+0000 in {@code text}, so a NUL that got past the edge failed
 * the statement and answered 500. It is refused here instead, as a 422 naming the field.
 */
public final class NoNulStrings extends StdScalarDeserializer<String> {

    public NoNulStrings() {
        super(String.class);
    }

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        String s = StringDeserializer.instance.deserialize(p, ctxt);
        if (s != null && s.indexOf('\0') >= 0) {
            throw new NulCharacterException(p);
        }
        return s;
    }

    /** A string held U+0000; Jackson adds the field's path as the failure unwinds. */
    public static final class NulCharacterException extends JsonMappingException {
        NulCharacterException(JsonParser p) {
            super(p, "A string contains the NUL character.");
        }
    }
}

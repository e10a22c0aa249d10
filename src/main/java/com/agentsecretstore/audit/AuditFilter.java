package com.agentsecretstore.audit;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import com.agentsecretstore.audit.AuditApi.ListQuery;
import com.agentsecretstore.common.ApiException;
import com.agentsecretstore.common.FieldError;
import com.agentsecretstore.common.Page;

/**
 * The validated filters of an audit listing. Every filter is optional; all given ones must hold.
 * {@code action} is exact, or a prefix when it ends in {@code .*} ({@code secret.*}); {@code from}
 * is inclusive and {@code to} exclusive, both RFC 3339 with an offset.
 *
 * @param actionPrefix the literal prefix of an {@code action} ending in {@code .*} (e.g. {@code secret.})
 * @param beforeId the id of the last entry of the previous page: pages run newest first
 */
public record AuditFilter(String actorId, String namespace, String path, String action, String actionPrefix,
        String outcome, Instant from, Instant to, int limit, String beforeId) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,100}");
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    static final Pattern ACTION = Pattern.compile("[a-z0-9_-]+(\\.[a-z0-9_-]+)*");
    private static final int MAX_PATH = 4096;
    private static final Set<String> OUTCOMES = Set.of("success", "denied", "failure");

    /**
     * Validates every filter and reports all bad ones at once, each named as the client sent it. An
     * empty parameter counts as absent.
     */
    public static AuditFilter parse(ListQuery raw) {
        ListQuery q = new ListQuery(given(raw.actor()), given(raw.namespace()), given(raw.path()), given(raw.action()),
                given(raw.outcome()), given(raw.from()), given(raw.to()), given(raw.limit()), given(raw.cursor()));
        List<FieldError> errors = new ArrayList<>();
        if (q.actor() != null && !ID.matcher(q.actor()).matches()) {
            errors.add(new FieldError("actor", "must be a principal id"));
        }
        if (q.namespace() != null && !NAMESPACE.matcher(q.namespace()).matches()) {
            errors.add(new FieldError("namespace", "must be 1-128 letters, digits, '.', '_' or '-'"));
        }
        if (q.path() != null && q.path().length() > MAX_PATH) {
            errors.add(new FieldError("path", "must be at most " + MAX_PATH + " characters"));
        }
        String action = null;
        String actionPrefix = null;
        if (q.action() != null) {
            String a = q.action();
            boolean prefix = a.endsWith(".*");
            String literal = prefix ? a.substring(0, a.length() - 2) : a;
            if (literal.length() > 100 || !ACTION.matcher(literal).matches()) {
                errors.add(new FieldError("action", "must be an action name like secret.read, or a prefix like secret.*"));
            } else if (prefix) {
                actionPrefix = literal + ".";
            } else {
                action = literal;
            }
        }
        if (q.outcome() != null && !OUTCOMES.contains(q.outcome())) {
            errors.add(new FieldError("outcome", "must be one of success, denied, failure"));
        }
        Instant from = instant(q.from(), "from", errors);
        Instant to = instant(q.to(), "to", errors);
        if (from != null && to != null && !to.isAfter(from)) {
            errors.add(new FieldError("to", "must be after from"));
        }
        int limit = Page.DEFAULT_LIMIT;
        String before = null;
        try {
            limit = Page.limit(q.limit());
        } catch (ApiException e) {
            errors.addAll(e.errors());
        }
        try {
            before = Page.decodeCursor(q.cursor());
        } catch (ApiException e) {
            errors.addAll(e.errors());
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return new AuditFilter(q.actor(), q.namespace(), q.path(), action, actionPrefix, q.outcome(), from, to, limit,
                before);
    }

    private static String given(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static Instant instant(String value, String field, List<FieldError> errors) {
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            errors.add(new FieldError(field, "must be an RFC 3339 timestamp such as 2025-01-15T10:30:00Z"));
            return null;
        }
    }
}

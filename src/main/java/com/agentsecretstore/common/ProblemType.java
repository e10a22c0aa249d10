package com.agentsecretstore.common;

/**
 * The kinds of problem the API answers with, each a stable {@code type} URI
 * ({@value #BASE}{@code <slug>}) that clients match on instead of the human-readable text. A kind
 * fixes the HTTP status; the README lists them all with their extension members.
 */
public enum ProblemType {
    /** Malformed request: not JSON, unknown field, wrong type, bad path or query. */
    BAD_REQUEST("bad-request", 400, "Bad Request"),
    /** A valid credential is required ({@code WWW-Authenticate: Bearer}). */
    UNAUTHORIZED("unauthorized", 401, "Unauthorized"),
    FORBIDDEN("forbidden", 403, "Forbidden"),
    NOT_FOUND("not-found", 404, "Not Found"),
    METHOD_NOT_ALLOWED("method-not-allowed", 405, "Method Not Allowed"),
    NOT_ACCEPTABLE("not-acceptable", 406, "Not Acceptable"),
    /** The request conflicts with the resource's current state (a duplicate name, say). */
    CONFLICT("conflict", 409, "Conflict"),
    /** The approval request is final (or, for an approval, already has its approvals); member {@code approval_status}. */
    APPROVAL_CLOSED("approval-closed", 409, "Conflict"),
    /** The approval request is past its expiry; member {@code approval_status}. */
    APPROVAL_EXPIRED("approval-expired", 409, "Conflict"),
    /** This approver already approved the request; an approver counts once. */
    ALREADY_APPROVED("already-approved", 409, "Conflict"),
    /** The approval request has no token to collect; member {@code approval_status}. */
    NO_TOKEN_TO_COLLECT("no-token-to-collect", 409, "Conflict"),
    /** A token with {@code max_uses} has made all its reads; request a new token. */
    TOKEN_EXHAUSTED("token-exhausted", 403, "Forbidden"),
    /**
     * A replay of an {@code Idempotency-Key} whose first answer was a token value, which is never
     * kept; member {@code token_id} names the token (its holder may revoke it).
     */
    IDEMPOTENT_REPLAY_UNAVAILABLE("idempotent-replay-unavailable", 409, "Conflict"),
    /** The first request with this {@code Idempotency-Key} is still being served; retry shortly. */
    IDEMPOTENCY_KEY_IN_USE("idempotency-key-in-use", 409, "Conflict"),
    /** This {@code Idempotency-Key} was used with another body. */
    IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", 422, "Idempotency Key Reused"),
    /**
     * Approving this (critical) request needs a fresh passkey assertion made for it: ask
     * {@code POST /v1/approvals/{id}/step-up} for a challenge. Member {@code approval_status}.
     */
    STEP_UP_REQUIRED("step-up-required", 403, "Step-Up Required"),
    /**
     * The step-up assertion was not accepted; member {@code reason} ({@code challenge_unknown},
     * {@code unknown_passkey}, {@code verification_failed}, {@code counter_regressed}, {@code malformed}).
     * Its challenge is spent either way: ask for a new one.
     */
    STEP_UP_INVALID("step-up-invalid", 403, "Step-Up Invalid"),
    /** The approver has no passkey to step up with; register one first. */
    NO_PASSKEY("no-passkey", 409, "Conflict"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", 415, "Unsupported Media Type"),
    /** Fields are invalid; {@code errors} names them. Member {@code max_wait_seconds} on a bad long-poll timeout. */
    VALIDATION_FAILED("validation-failed", 422, "Validation Failed"),
    /** A passkey registration did not verify; member {@code reason} as for {@link #STEP_UP_INVALID}. */
    PASSKEY_INVALID("passkey-invalid", 422, "Passkey Invalid"),
    /** A per-principal quota is used up (webhooks, say). */
    LIMIT_EXCEEDED("limit-exceeded", 422, "Limit Exceeded"),
    /** Over a rate or concurrency limit; member {@code retry_after_seconds} when known (also {@code Retry-After}). */
    RATE_LIMITED("rate-limited", 429, "Too Many Requests"),
    /** The server failed; nothing internal is said. */
    INTERNAL_ERROR("internal-error", 500, "Internal Server Error"),
    /** A dependency (the identity provider, say) is unreachable; try again later. */
    SERVICE_UNAVAILABLE("service-unavailable", 503, "Service Unavailable"),
    /** Any other HTTP status, which then says it all. */
    HTTP_ERROR("http-error", 0, "Error");

    public static final String BASE = "https://agentsecretstore.dev/problems/";

    private final String slug;
    private final int status;
    private final String title;

    ProblemType(String slug, int status, String title) {
        this.slug = slug;
        this.status = status;
        this.title = title;
    }

    public String uri() {
        return BASE + slug;
    }

    public String slug() {
        return slug;
    }

    /** The HTTP status of this kind; 0 for {@link #HTTP_ERROR}, whose status is the answer's own. */
    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** The generic kind of an HTTP status, for failures that carry no kind of their own. */
    public static ProblemType forStatus(int status) {
        return switch (status) {
            case 400 -> BAD_REQUEST;
            case 401 -> UNAUTHORIZED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 409 -> CONFLICT;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 422 -> VALIDATION_FAILED;
            case 429 -> RATE_LIMITED;
            case 503 -> SERVICE_UNAVAILABLE;
            default -> status >= 500 ? INTERNAL_ERROR : HTTP_ERROR;
        };
    }
}

/** Problem+json answers become typed errors by their `type`, with the status as the fallback. */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AgentSecretStoreError,
  ApprovalDenied,
  ApprovalRequest,
  ApprovalTimeout,
  AuthenticationError,
  Conflict,
  errorFromResponse,
  IdempotentReplayUnavailable,
  NotFound,
  PermissionDenied,
  RateLimited,
  ServerError,
  StepUpRequired,
  TokenExhausted,
  ValidationError,
} from "agentsecretstore";

const problem = (kind: string, status: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: `https://agentsecretstore.dev/problems/${kind}`, title: "T", status, detail: "D", ...extra });

describe("errorFromResponse", () => {
  it("maps each problem kind to its class", () => {
    const cases: [string, number, new (...a: never[]) => AgentSecretStoreError][] = [
      ["bad-request", 400, ValidationError],
      ["validation-failed", 422, ValidationError],
      ["limit-exceeded", 422, ValidationError],
      ["unauthorized", 401, AuthenticationError],
      ["forbidden", 403, PermissionDenied],
      ["not-found", 404, NotFound],
      ["conflict", 409, Conflict],
      ["approval-closed", 409, Conflict],
      ["approval-expired", 409, Conflict],
      ["already-approved", 409, Conflict],
      ["no-token-to-collect", 409, Conflict],
      ["token-exhausted", 403, TokenExhausted],
      ["idempotent-replay-unavailable", 409, IdempotentReplayUnavailable],
      ["idempotency-key-in-use", 409, Conflict],
      ["idempotency-key-reused", 422, ValidationError],
      ["step-up-required", 403, StepUpRequired],
      ["step-up-invalid", 403, StepUpRequired],
      ["no-passkey", 409, Conflict],
      ["passkey-invalid", 422, ValidationError],
      ["rate-limited", 429, RateLimited],
      ["internal-error", 500, ServerError],
      ["service-unavailable", 503, ServerError],
    ];
    for (const [kind, status, Class] of cases) {
      const error = errorFromResponse(status, "", problem(kind, status));
      assert.ok(error instanceof Class, kind);
      assert.equal(error.kind, kind);
      assert.equal(error.status, status);
    }
  });

  it("decides by the type, not by the status", () => {
    assert.ok(errorFromResponse(400, "", problem("forbidden", 400)) instanceof PermissionDenied);
  });

  it("falls back to the status for answers that are not the service's problems, without their body", () => {
    const html = "<html>secret-looking proxy page</html>";
    const error = errorFromResponse(404, "Not Found", html);
    assert.ok(error instanceof NotFound);
    assert.equal(error.kind, undefined);
    assert.equal(error.message, "404 Not Found");
    assert.ok(errorFromResponse(502, "Bad Gateway", "") instanceof ServerError);
    assert.ok(errorFromResponse(418, "", "").constructor === AgentSecretStoreError);
  });

  it("keeps field errors and extension members", () => {
    const error = errorFromResponse(422, "", problem("validation-failed", 422, {
      errors: [{ field: "timeout_seconds", message: "must be at most 900" }],
      max_wait_seconds: 900,
    }));
    assert.deepEqual(error.errors, [{ field: "timeout_seconds", message: "must be at most 900" }]);
    assert.equal(error.extensions.max_wait_seconds, 900);
    assert.match(error.message, /^422 T: D \[timeout_seconds: must be at most 900\]$/);
    assert.equal(error.toJSON().max_wait_seconds, 900);
  });

  it("gives RateLimited its retry-after", () => {
    const error = errorFromResponse(429, "", problem("rate-limited", 429, { retry_after_seconds: 7 }));
    assert.ok(error instanceof RateLimited);
    assert.equal(error.retryAfterSeconds, 7);
  });

  it("makes a step-up refusal a PermissionDenied with its reason", () => {
    const refused = errorFromResponse(403, "", problem("step-up-invalid", 403, { approval_status: "pending", reason: "challenge_unknown" }));
    assert.ok(refused instanceof StepUpRequired && refused instanceof PermissionDenied);
    assert.equal(refused.reason, "challenge_unknown");
    assert.equal(refused.extensions.approval_status, "pending");
    const missing = errorFromResponse(403, "", problem("step-up-required", 403, { approval_status: "pending" }));
    assert.ok(missing instanceof StepUpRequired);
    assert.equal(missing.reason, undefined);
  });

  it("names the token of an idempotent replay that cannot be made", () => {
    const error = errorFromResponse(409, "", problem("idempotent-replay-unavailable", 409, { token_id: "tok_1" }));
    assert.ok(error instanceof IdempotentReplayUnavailable && error instanceof Conflict);
    assert.equal(error.tokenId, "tok_1");
    assert.equal(error.extensions.token_id, "tok_1");
    assert.ok(errorFromResponse(403, "", problem("token-exhausted", 403)) instanceof PermissionDenied);
  });
});

describe("ApprovalRequest", () => {
  it("turns a final status into its error, and a wait that ran out into ApprovalTimeout", () => {
    const denied = new ApprovalRequest({ id: "apr_1", status: "denied", denial: { by_name: "bob", reason: "no" } });
    assert.throws(() => denied.raiseForStatus(), (e: unknown) => e instanceof ApprovalDenied && e.approval === denied && /by bob: no/.test(e.message));
    const waited = new ApprovalRequest({ id: "apr_1", status: "delayed" }, true);
    assert.ok(waited.error() instanceof ApprovalTimeout);
    assert.equal(waited.isFinal, false);
    const approved = new ApprovalRequest({ id: "apr_1", status: "approved", approved: true, expires_at: "2026-11-30T12:00:00.123456789Z" });
    assert.equal(approved.raiseForStatus(), approved);
    assert.equal(approved.expiresAt?.toISOString(), "2026-11-30T12:00:00.123Z");
  });
});

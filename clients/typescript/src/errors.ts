/**
 * Typed errors, and the mapping of RFC 9457 problem+json answers onto them.
 *
 * Every error of this package extends {@link AgentSecretStoreError}, which carries the problem's
 * `status`, `title`, `detail`, `type`, `instance`, field `errors` and extension members. The class
 * follows the problem's `type` URI (its `kind`), never its human-readable text; the HTTP status is
 * the fallback for answers without a known type. No error ever holds a request header or body, so
 * an API key, token or secret value cannot leak through a message, a stack trace or `inspect`.
 */

import type { ApprovalRequest } from "./models.js";

/** Every problem `type` of the service is this base followed by its kind, e.g. `.../not-found`. */
export const PROBLEM_TYPE_BASE = "https://agentsecretstore.dev/problems/";

const STANDARD_MEMBERS = new Set(["type", "title", "status", "detail", "instance", "errors"]);

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** One entry of a problem's `errors[]`: the (snake_case) field and what is wrong with it. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export interface ProblemInit {
  status?: number;
  title?: string;
  type?: string;
  instance?: string;
  errors?: readonly FieldError[];
  extensions?: Readonly<Record<string, unknown>>;
}

/**
 * Base of every error thrown by this package. `status` is the HTTP status (`undefined` for
 * errors that happened before an answer arrived, such as a refused connection or a bad webhook
 * signature).
 */
export class AgentSecretStoreError extends Error {
  readonly status: number | undefined;
  readonly title: string | undefined;
  readonly detail: string | undefined;
  readonly type: string;
  readonly instance: string | undefined;
  readonly errors: readonly FieldError[];
  /** The problem's extension members, e.g. `max_wait_seconds` or `retry_after_seconds`. */
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(detail?: string, init: ProblemInit = {}) {
    super(message(detail, init));
    this.name = new.target.name;
    this.status = init.status;
    this.title = init.title;
    this.detail = detail;
    this.type = init.type ?? "about:blank";
    this.instance = init.instance;
    this.errors = Object.freeze([...(init.errors ?? [])]);
    this.extensions = Object.freeze({ ...(init.extensions ?? {}) });
  }

  /** The problem kind (`not-found`, `approval-expired`, ...) from `type`; undefined if not the service's. */
  get kind(): string | undefined {
    return kindOf(this.type);
  }

  /** The problem document (as the service sent it, or as this client built it). */
  toJSON(): Record<string, unknown> {
    const problem: Record<string, unknown> = { ...this.extensions };
    Object.assign(problem, { type: this.type, title: this.title, status: this.status, detail: this.detail });
    if (this.instance) problem.instance = this.instance;
    if (this.errors.length) problem.errors = this.errors.map((e) => ({ field: e.field, message: e.message }));
    return problem;
  }
}

function message(detail: string | undefined, init: ProblemInit): string {
  const head = [init.status, init.title].filter((p) => p !== undefined && p !== "").join(" ");
  let text = [head, detail].filter((p) => p).join(": ");
  if (init.errors?.length) text += " [" + init.errors.map((e) => `${e.field}: ${e.message}`).join("; ") + "]";
  return text || "Agent Secret Store error";
}

function kindOf(type: string | undefined): string | undefined {
  return type?.startsWith(PROBLEM_TYPE_BASE) ? type.slice(PROBLEM_TYPE_BASE.length) || undefined : undefined;
}

/** The client is misconfigured: no API key or token file, or a base URL it cannot use. */
export class ConfigurationError extends AgentSecretStoreError {}

/** No usable answer: connection refused or reset, TLS failure, an answer that is not JSON. */
export class TransportError extends AgentSecretStoreError {}

/** The service did not answer within the client's timeout. */
export class RequestTimeout extends TransportError {}

/** 400 or 422: the request was malformed or had invalid fields (see `errors`). */
export class ValidationError extends AgentSecretStoreError {}

/** 401: the API key is missing, wrong, revoked or belongs to a disabled principal. */
export class AuthenticationError extends AgentSecretStoreError {}

/** 403: the caller may not do this (wrong role, not a designated approver, own request, refused read). */
export class PermissionDenied extends AgentSecretStoreError {}

/**
 * 403: approving this critical request needs a passkey assertion made for it (`step-up-required`),
 * or the one presented was refused (`step-up-invalid`; `extensions.reason` says why).
 */
export class StepUpRequired extends PermissionDenied {
  /** Why an assertion was refused (`challenge_unknown`, `verification_failed`, ...); undefined when none was sent. */
  get reason(): string | undefined {
    return str(this.extensions.reason);
  }
}

/** 403 of kind `token-exhausted`: the token's `maxUses` reads are used up; request a new one. */
export class TokenExhausted extends PermissionDenied {}

/** 404: no such resource, or one the caller may not see. */
export class NotFound extends AgentSecretStoreError {}

/** 409: the resource is not in a state that allows this (decided request, revoked token, ...). */
export class Conflict extends AgentSecretStoreError {}

/** 5xx: the service failed. Idempotent calls were already retried before this is thrown. */
export class ServerError extends AgentSecretStoreError {}

/** 429 of kind `rate-limited`: over a rate or concurrency limit. */
export class RateLimited extends AgentSecretStoreError {
  /** How long to wait before trying again, when the service said so. */
  get retryAfterSeconds(): number | undefined {
    const value = this.extensions.retry_after_seconds;
    return typeof value === "number" && Number.isInteger(value) ? value : undefined;
  }
}

/**
 * 409: a retry with an `Idempotency-Key` whose first answer was a token value, which the service
 * never keeps. `extensions.token_id` names that token: revoke it and ask with a new key.
 */
export class IdempotentReplayUnavailable extends Conflict {
  /** The token the first answer issued (`tok_…`). */
  get tokenId(): string | undefined {
    return str(this.extensions.token_id);
  }
}

/**
 * An approval request is not (or no longer) approved, so it has no token to collect. `approval`
 * is the request as the service showed it, when known. These extend {@link Conflict} because the
 * service answers a collection attempt on such a request with 409.
 */
export class ApprovalError extends Conflict {
  readonly approval: ApprovalRequest | undefined;

  constructor(detail?: string, approval?: ApprovalRequest, init: ProblemInit = {}) {
    super(detail, { status: 409, title: "Conflict", ...init });
    this.approval = approval;
  }
}

/** The request is still `pending` (or `delayed`: approved, cancel window still open). */
export class ApprovalPending extends ApprovalError {}

/** A wait for approval ran out while the request was still `pending` or `delayed`. */
export class ApprovalTimeout extends ApprovalPending {}

/** An approver denied the request (`approval.denial` says who and why). */
export class ApprovalDenied extends ApprovalError {}

/** Nobody approved the request before its `expiresAt`. */
export class ApprovalExpired extends ApprovalError {}

/** The request was cancelled (`approval.cancellation` says who and why). */
export class ApprovalCancelled extends ApprovalError {}

/** A webhook delivery failed verification: missing headers, bad signature or stale timestamp. */
export class WebhookVerificationError extends AgentSecretStoreError {}

type ErrorClass = new (detail?: string, init?: ProblemInit) => AgentSecretStoreError;

const BY_STATUS: ReadonlyMap<number, ErrorClass> = new Map<number, ErrorClass>([
  [400, ValidationError],
  [401, AuthenticationError],
  [403, PermissionDenied],
  [404, NotFound],
  [409, Conflict],
  [422, ValidationError],
  [429, RateLimited],
]);

/** Problem kinds (the last segment of `type`) and the error each becomes. */
const BY_KIND: ReadonlyMap<string, ErrorClass> = new Map<string, ErrorClass>([
  ["bad-request", ValidationError],
  ["validation-failed", ValidationError],
  ["limit-exceeded", ValidationError],
  ["unauthorized", AuthenticationError],
  ["forbidden", PermissionDenied],
  ["not-found", NotFound],
  ["conflict", Conflict],
  ["approval-closed", Conflict],
  ["approval-expired", Conflict],
  ["already-approved", Conflict],
  ["no-token-to-collect", Conflict],
  ["token-exhausted", TokenExhausted],
  ["idempotent-replay-unavailable", IdempotentReplayUnavailable],
  ["idempotency-key-in-use", Conflict],
  ["idempotency-key-reused", ValidationError],
  ["step-up-required", StepUpRequired],
  ["step-up-invalid", StepUpRequired],
  ["no-passkey", Conflict],
  ["passkey-invalid", ValidationError],
  ["rate-limited", RateLimited],
  ["internal-error", ServerError],
  ["service-unavailable", ServerError],
]);

function errorClass(status: number, kind: string | undefined): ErrorClass {
  const byKind = kind === undefined ? undefined : BY_KIND.get(kind);
  if (byKind) return byKind;
  const byStatus = BY_STATUS.get(status);
  if (byStatus) return byStatus;
  return status >= 500 ? ServerError : AgentSecretStoreError;
}

/**
 * The typed error for an error answer. A problem+json (or any JSON object) body gives title,
 * detail and field errors; anything else (a proxy's HTML page, say) keeps only the status and
 * reason phrase, never the body itself.
 */
export function errorFromResponse(status: number, statusText: string, body: string): AgentSecretStoreError {
  let problem: Record<string, unknown> = {};
  if (body) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
        problem = parsed as Record<string, unknown>;
      }
    } catch {
      // not JSON: status and reason only
    }
  }
  const errors: FieldError[] = [];
  if (Array.isArray(problem.errors)) {
    for (const item of problem.errors) {
      if (item !== null && typeof item === "object") {
        const entry = item as Record<string, unknown>;
        errors.push({ field: String(entry.field ?? ""), message: String(entry.message ?? "") });
      }
    }
  }
  const type = str(problem.type) ?? "about:blank";
  const extensions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(problem)) {
    if (!STANDARD_MEMBERS.has(key)) extensions[key] = value;
  }
  const Class = errorClass(status, kindOf(type));
  return new Class(str(problem.detail), {
    status,
    title: str(problem.title) || statusText || undefined,
    type,
    instance: str(problem.instance),
    errors,
    extensions,
  });
}

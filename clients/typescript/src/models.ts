/**
 * What the API answers, as small read-only objects with camelCase fields.
 *
 * Token and secret values are getters backed by private fields: `util.inspect`, `console.log`,
 * `JSON.stringify`, `toString` and object spread never show them. Read `.value` explicitly when
 * you need it. Timestamps are `Date`s; `raw` keeps the JSON as received.
 */

import { inspect } from "node:util";
import {
  ApprovalCancelled,
  ApprovalDenied,
  ApprovalError,
  ApprovalExpired,
  ApprovalPending,
  ApprovalTimeout,
  TransportError,
} from "./errors.js";

/** Statuses of an approval request. */
export type ApprovalStatus = "pending" | "delayed" | "approved" | "denied" | "cancelled" | "expired";

/** Sensitivity tier of a path (the namespace's policy decides). */
export type Tier = "standard" | "sensitive" | "critical";

/** Statuses after which an approval request never changes again. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(["approved", "denied", "cancelled", "expired"]);

type Json = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

function date(v: unknown): Date | undefined {
  if (typeof v !== "string") return undefined;
  const parsed = new Date(v);
  if (Number.isNaN(parsed.getTime())) throw new TransportError(`the service sent a timestamp that is not RFC 3339`);
  return parsed;
}

const REDACTED = "<redacted>";

/** The answer to {@link AgentVault.requestToken} (and to a token collection). */
export class TokenResponse {
  /** `approved` (`value` holds the `ast_…` token, `tokenId` names it) or `pending` (wait for `approvalRequestId`). */
  readonly status: "approved" | "pending" | string;
  readonly tier: Tier | string | undefined;
  readonly scope: string | undefined;
  readonly expiresAt: Date | undefined;
  readonly tokenId: string | undefined;
  readonly approvalRequestId: string | undefined;
  readonly requiredApprovals: number | undefined;
  /** Reads the token allows (undefined: no limit). */
  readonly maxUses: number | undefined;
  readonly runId: string | undefined;
  /** True when the service answered with the open request of the same ask (HTTP 200, not 201 or 202). */
  readonly repeated: boolean;
  readonly #value: string | undefined;

  constructor(data: Json, repeated = false) {
    this.status = str(data.status) ?? "";
    this.tier = str(data.tier);
    this.scope = str(data.scope);
    this.expiresAt = date(data.expires_at);
    this.tokenId = str(data.token_id);
    this.approvalRequestId = str(data.approval_request_id);
    this.requiredApprovals = int(data.required_approvals);
    this.maxUses = int(data.max_uses);
    this.runId = str(data.run_id);
    this.repeated = repeated;
    this.#value = str(data.value);
  }

  /** The token (`ast_…`), when `status` is `approved`. Never shown by inspect, toString or JSON. */
  get value(): string | undefined {
    return this.#value;
  }

  get approved(): boolean {
    return this.status === "approved";
  }

  toJSON(): Json {
    return { ...(this as object), value: this.#value === undefined ? undefined : REDACTED };
  }

  toString(): string {
    return `TokenResponse(status=${this.status}, tokenId=${this.tokenId ?? "-"}, approvalRequestId=${this.approvalRequestId ?? "-"})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** A secret's value at one version. `value` never appears in inspect, toString or JSON. */
export class Secret {
  readonly path: string;
  readonly version: number;
  readonly tier: Tier | string | undefined;
  readonly #value: string;

  constructor(data: Json) {
    this.path = str(data.path) ?? "";
    this.version = int(data.version) ?? 0;
    this.tier = str(data.tier);
    this.#value = str(data.value) ?? "";
  }

  get value(): string {
    return this.#value;
  }

  toJSON(): Json {
    return { ...(this as object), value: REDACTED };
  }

  toString(): string {
    return `Secret(path=${this.path}, version=${this.version})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** One approval of a request: who, when, and the comment. */
export interface Decision {
  readonly approverId: string | undefined;
  readonly approverName: string | undefined;
  readonly comment: string | undefined;
  readonly approvedAt: Date | undefined;
}

/** How a request was denied or cancelled: by whom, why, when. */
export interface Ending {
  readonly byId: string | undefined;
  readonly byName: string | undefined;
  readonly reason: string | undefined;
  readonly at: Date | undefined;
}

function ending(data: unknown): Ending | undefined {
  if (data === null || typeof data !== "object") return undefined;
  const e = data as Json;
  return { byId: str(e.by_id), byName: str(e.by_name), reason: str(e.reason), at: date(e.at) };
}

function describe(e: Ending | undefined): string {
  if (!e) return "";
  const who = e.byName || e.byId;
  return (who ? ` by ${who}` : "") + (e.reason ? `: ${e.reason}` : "");
}

/**
 * An approval request as the service shows it (`GET /v1/approvals/{id}`). This is also what
 * {@link AgentVault.waitForApproval} returns: `approved` is true only when the token is issued
 * and ready to collect; `status` tells the rest. After a wait that ran out, `isFinal` is false
 * and `timedOut` is true.
 */
export class ApprovalRequest {
  readonly id: string;
  readonly status: ApprovalStatus | string;
  readonly approved: boolean;
  readonly requestedBy: string | undefined;
  readonly requesterId: string | undefined;
  readonly namespace: string | undefined;
  readonly scope: string | undefined;
  readonly secretPaths: readonly string[];
  readonly tier: Tier | string | undefined;
  readonly requiredApprovals: number;
  readonly receivedApprovals: number;
  readonly approvalDelaySeconds: number;
  readonly description: string | undefined;
  readonly ttlSeconds: number | undefined;
  readonly trustTier: string | undefined;
  readonly explanation: string | undefined;
  readonly createdAt: Date | undefined;
  readonly expiresAt: Date | undefined;
  readonly issueAt: Date | undefined;
  readonly decidedAt: Date | undefined;
  readonly tokenId: string | undefined;
  readonly approvals: readonly Decision[];
  readonly denial: Ending | undefined;
  readonly cancellation: Ending | undefined;
  readonly approveUrl: string | undefined;
  /** True when this came from a wait that ran out before the request was decided. */
  readonly timedOut: boolean;
  /** The JSON object as received, including fields newer than this client. */
  readonly raw: Readonly<Json>;

  constructor(data: Json, timedOut = false) {
    this.id = str(data.id) ?? "";
    this.status = str(data.status) ?? "";
    this.approved = typeof data.approved === "boolean" ? data.approved : this.status === "approved";
    this.requestedBy = str(data.requested_by);
    this.requesterId = str(data.requester_id);
    this.namespace = str(data.namespace);
    this.scope = str(data.scope);
    this.secretPaths = Array.isArray(data.secret_paths) ? data.secret_paths.map(String) : [];
    this.tier = str(data.tier);
    this.requiredApprovals = int(data.required_approvals) ?? 0;
    this.receivedApprovals = int(data.received_approvals) ?? 0;
    this.approvalDelaySeconds = int(data.approval_delay_seconds) ?? 0;
    this.description = str(data.description);
    this.ttlSeconds = int(data.ttl_seconds);
    this.trustTier = str(data.trust_tier);
    this.explanation = str(data.explanation);
    this.createdAt = date(data.created_at);
    this.expiresAt = date(data.expires_at);
    this.issueAt = date(data.issue_at);
    this.decidedAt = date(data.decided_at);
    this.tokenId = str(data.token_id);
    this.approvals = (Array.isArray(data.approvals) ? data.approvals : []).map((a: Json) => ({
      approverId: str(a.approver_id),
      approverName: str(a.approver_name),
      comment: str(a.comment),
      approvedAt: date(a.approved_at),
    }));
    this.denial = ending(data.denial);
    this.cancellation = ending(data.cancellation);
    this.approveUrl = str(data.approve_url);
    this.timedOut = timedOut && !FINAL_STATUSES.has(this.status);
    this.raw = Object.freeze({ ...data });
  }

  /** True once the request can no longer change (approved, denied, cancelled, expired). */
  get isFinal(): boolean {
    return FINAL_STATUSES.has(this.status);
  }

  /** Returns this if approved; otherwise throws the matching {@link ApprovalError}. */
  raiseForStatus(): this {
    const error = this.error();
    if (error) throw error;
    return this;
  }

  /** The error that says why this request has no token, or undefined if it is approved. */
  error(): ApprovalError | undefined {
    switch (this.status) {
      case "approved":
        return undefined;
      case "denied":
        return new ApprovalDenied(`Approval request ${this.id} was denied${describe(this.denial)}`, this);
      case "expired":
        return new ApprovalExpired(`Approval request ${this.id} expired without approval`, this);
      case "cancelled":
        return new ApprovalCancelled(`Approval request ${this.id} was cancelled${describe(this.cancellation)}`, this);
      default:
        return this.timedOut
          ? new ApprovalTimeout(`Approval request ${this.id} is still ${this.status} after the wait`, this)
          : new ApprovalPending(`Approval request ${this.id} is ${this.status}`, this);
    }
  }
}

/** One page of {@link AgentVault.listApprovals}; pass `nextCursor` to get the next. */
export interface ApprovalPage {
  readonly items: readonly ApprovalRequest[];
  readonly nextCursor: string | undefined;
}

/** A token's metadata (never its value), as {@link AgentVault.getToken} and {@link AgentVault.revokeToken} return it. */
export class TokenInfo {
  readonly id: string;
  readonly principalId: string | undefined;
  readonly scope: string | undefined;
  readonly tier: Tier | string | undefined;
  readonly issuedAt: Date | undefined;
  readonly expiresAt: Date | undefined;
  readonly revokedAt: Date | undefined;
  readonly approvalRequestId: string | undefined;
  /** Reads the token allows (undefined: no limit). */
  readonly maxUses: number | undefined;
  readonly uses: number;
  /** Reads left (undefined: no limit). */
  readonly remainingUses: number | undefined;

  constructor(data: Json) {
    this.id = str(data.id) ?? "";
    this.principalId = str(data.principal_id);
    this.scope = str(data.scope);
    this.tier = str(data.tier);
    this.issuedAt = date(data.issued_at);
    this.expiresAt = date(data.expires_at);
    this.revokedAt = date(data.revoked_at);
    this.approvalRequestId = str(data.approval_request_id);
    this.maxUses = int(data.max_uses);
    this.uses = int(data.uses) ?? 0;
    this.remainingUses = int(data.remaining_uses);
  }

  get revoked(): boolean {
    return this.revokedAt !== undefined;
  }
}

/** One of the approver's passkeys a step-up may use (base64url credential id). */
export interface CredentialDescriptor {
  readonly type: string;
  readonly id: string;
}

/**
 * What `navigator.credentials.get()` needs to step up for one critical approval
 * ({@link AgentVault.stepUpChallenge}): good once, for this approver and this request, until `expiresAt`.
 */
export class StepUpChallenge {
  /** base64url; the assertion's client data must carry it. */
  readonly challenge: string;
  readonly rpId: string | undefined;
  readonly allowCredentials: readonly CredentialDescriptor[];
  readonly userVerification: string | undefined;
  readonly timeoutMs: number | undefined;
  readonly approvalRequestId: string | undefined;
  readonly expiresAt: Date | undefined;
  readonly raw: Readonly<Json>;

  constructor(data: Json) {
    this.challenge = str(data.challenge) ?? "";
    this.rpId = str(data.rp_id);
    this.allowCredentials = (Array.isArray(data.allow_credentials) ? data.allow_credentials : []).map((c: Json) => ({
      type: str(c.type) ?? "public-key",
      id: str(c.id) ?? "",
    }));
    this.userVerification = str(data.user_verification);
    this.timeoutMs = int(data.timeout_ms);
    this.approvalRequestId = str(data.approval_request_id);
    this.expiresAt = date(data.expires_at);
    this.raw = Object.freeze({ ...data });
  }
}

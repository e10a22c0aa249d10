/** `AgentVault`: the client of the Agent Secret Store API, for agents and approvers. */

import { readFile } from "node:fs/promises";
import { statSync } from "node:fs";
import { inspect } from "node:util";
import { AgentSecretStoreError, ConfigurationError, Conflict, ServerError, TransportError, ValidationError } from "./errors.js";
import { DEFAULT_RETRY, HttpTransport, Logger, retryDelay, RetryPolicy, sleep } from "./http.js";
import { ApprovalPage, ApprovalRequest, ApprovalStatus, Secret, StepUpChallenge, TokenInfo, TokenResponse } from "./models.js";
import { verifyWebhook } from "./webhooks.js";
import { VERSION } from "./version.js";

/** Used when neither `baseUrl` nor `ASS_BASE_URL` is given: the service's default port. */
export const DEFAULT_BASE_URL = "http://localhost:8080";

/**
 * Where a pod's projected service-account token is mounted (k8s/examples/agent-deployment.yaml),
 * read when no API key is given and `ASS_TOKEN_FILE` is not set.
 */
export const DEFAULT_TOKEN_FILE = "/var/run/secrets/agent-secret-store/token";

/** The service's longest single long-poll (`ASS_APPROVALS_MAX_WAIT_SECONDS`, default 900). */
export const SERVER_MAX_WAIT_SECONDS = 900;

/**
 * The longest single long-poll this client asks for. Node's fetch (undici) gives up on an answer
 * whose headers take more than 300 s, and a long-poll sends its headers only when it answers:
 * so waits are split into 240 s long-polls, which the service answers the moment a decision falls.
 */
export const DEFAULT_MAX_WAIT_CHUNK_SECONDS = 240;

export interface AgentVaultOptions {
  /** The principal's API key (default `ASS_AGENT_KEY`), sent only as `Authorization: Bearer`. */
  apiKey?: string;
  /** The service (default `ASS_BASE_URL`, else `http://localhost:8080`); a path prefix is kept. */
  baseUrl?: string;
  /**
   * Without an API key: the Kubernetes service-account token file (default `ASS_TOKEN_FILE`, else
   * `/var/run/secrets/agent-secret-store/token`), read again for every request (the kubelet rotates it).
   */
  tokenFile?: string;
  /** Bound on each HTTP exchange in seconds (a long-poll adds its own wait on top). Default 30. */
  timeoutSeconds?: number;
  /** Retries of idempotent calls; `{ maxRetries: 0 }` turns them off. */
  retry?: Partial<RetryPolicy>;
  /** Longest single long-poll, 1..240 s (see {@link DEFAULT_MAX_WAIT_CHUNK_SECONDS}). */
  maxWaitChunkSeconds?: number;
  userAgent?: string;
  /** Receives method, path, status and retries of each call (never headers or bodies). */
  logger?: Logger;
}

export interface RequestTokenOptions {
  /** `secrets:read:<path glob>`, e.g. `secrets:read:production/stripe/*`. */
  scope: string;
  ttlSeconds?: number;
  description?: string;
  /** Reads the token allows (default: no limit); approvers may lower it. */
  maxUses?: number;
  /**
   * The agent's own id of this run or task. The same ask (scope, description, runId) while the
   * first is still open gets that request back (`repeated`) instead of paging the approvers again.
   */
  runId?: string;
  /**
   * Sent as the `Idempotency-Key` header (1-255 visible ASCII characters, kept 24 h per principal).
   * With it the call is retried on connection errors and 5xx, and the service answers a retry
   * with the first answer; without it the call is never retried.
   */
  idempotencyKey?: string;
}

/**
 * A WebAuthn assertion of the approver's passkey answering {@link AgentVault.stepUpChallenge}:
 * what `navigator.credentials.get()` returns, each binary value as unpadded base64url (as
 * `PublicKeyCredential.toJSON()` gives them). Sent as `step_up` with snake_case names.
 */
export interface StepUpAssertion {
  credentialId: string;
  clientDataJson: string;
  authenticatorData: string;
  signature: string;
  userHandle?: string;
}

export interface ApproveOptions {
  comment?: string;
  /**
   * Narrowing: what the token may do, never beyond the budget in effect (the service answers
   * 422, {@link ValidationError}, otherwise); a later approver may only narrow further.
   */
  ttlSeconds?: number;
  maxUses?: number;
  /** A scope within the one in effect, e.g. one path of the asked glob. */
  scope?: string;
  /** Needed to approve a critical request (without it: {@link StepUpRequired}). */
  stepUp?: StepUpAssertion;
}

export interface GetSecretOptions {
  /** The value of an approved token (or the {@link TokenResponse} holding it). */
  token: string | TokenResponse;
  /** A given version (default: the latest). */
  version?: number;
  signal?: AbortSignal;
}

export interface WaitOptions {
  /** How long to wait in all (default 600 s); the current state comes back when it runs out. */
  timeoutSeconds?: number;
  /** Aborts the wait at once (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

export interface ListApprovalsOptions {
  status?: ApprovalStatus | "all";
  namespace?: string;
  limit?: number;
  cursor?: string;
  signal?: AbortSignal;
}

/** One path segment, percent-encoded so that an id can never change which resource is named. */
function segment(value: string): string {
  if (typeof value !== "string" || !value) throw new TypeError("an id must be a non-empty string");
  return encodeURIComponent(value);
}

function secretPath(path: string): string {
  return path.replace(/^\/+|\/+$/g, "").split("/").map(segment).join("/");
}

function tokenFileAuthorization(path: string): () => Promise<string> {
  return async () => {
    let token: string;
    try {
      token = (await readFile(path, "ascii")).trim();
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      throw new ConfigurationError(`cannot read the service-account token file ${path}: ${typeof code === "string" ? code : "error"}`);
    }
    if (!token || /\s/.test(token)) {
      throw new ConfigurationError(`the service-account token file ${path} does not hold one token`);
    }
    return "Bearer " + token;
  };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Client for agents (and approvers) of an Agent Secret Store.
 *
 * `new AgentVault()` reads `ASS_AGENT_KEY` and `ASS_BASE_URL`; with no key it authenticates with
 * the pod's Kubernetes service-account token file. The credential lives in a private field: it is
 * sent only in the `Authorization` header and never appears in `toString`, `inspect`, JSON,
 * errors or logs. Every call takes its own connection from fetch's pool; nothing needs closing.
 */
export class AgentVault {
  readonly baseUrl: string;
  readonly maxWaitChunkSeconds: number;
  readonly #transport: HttpTransport;
  readonly #credential: "apiKey" | "tokenFile";

  constructor(options: AgentVaultOptions = {}) {
    const env = process.env;
    const key = (options.apiKey ?? env.ASS_AGENT_KEY ?? "").trim();
    let authorization: () => string | Promise<string>;
    if (key) {
      if (/\s/.test(key)) throw new ConfigurationError("The API key contains whitespace");
      const header = "Bearer " + key;
      authorization = () => header;
      this.#credential = "apiKey";
    } else {
      const path = options.tokenFile || env.ASS_TOKEN_FILE || DEFAULT_TOKEN_FILE;
      if (!isFile(path)) {
        throw new ConfigurationError(
          "No API key: pass new AgentVault({ apiKey }) or set ASS_AGENT_KEY, or mount a Kubernetes " +
            `service-account token at ${path} (ASS_TOKEN_FILE)`,
        );
      }
      authorization = tokenFileAuthorization(path);
      this.#credential = "tokenFile";
    }
    const timeoutSeconds = options.timeoutSeconds ?? 30;
    if (!(timeoutSeconds > 0)) throw new ConfigurationError("timeoutSeconds must be positive");
    const chunk = options.maxWaitChunkSeconds ?? DEFAULT_MAX_WAIT_CHUNK_SECONDS;
    if (!(Number.isInteger(chunk) && chunk >= 1 && chunk <= DEFAULT_MAX_WAIT_CHUNK_SECONDS)) {
      throw new ConfigurationError(`maxWaitChunkSeconds must be an integer between 1 and ${DEFAULT_MAX_WAIT_CHUNK_SECONDS}`);
    }
    const retry = { ...DEFAULT_RETRY, ...options.retry };
    if (!(Number.isInteger(retry.maxRetries) && retry.maxRetries >= 0)) {
      throw new ConfigurationError("retry.maxRetries must be a non-negative integer");
    }
    this.maxWaitChunkSeconds = chunk;
    this.#transport = new HttpTransport({
      baseUrl: (options.baseUrl || env.ASS_BASE_URL || DEFAULT_BASE_URL).trim(),
      authorization,
      timeoutSeconds,
      retry,
      userAgent: options.userAgent ?? `agentsecretstore-typescript/${VERSION} node/${process.versions.node}`,
      logger: options.logger,
    });
    this.baseUrl = this.#transport.baseUrl;
  }

  toString(): string {
    return `AgentVault(baseUrl=${this.baseUrl}, ${this.#credential}=<hidden>)`;
  }

  toJSON(): Record<string, string> {
    return { baseUrl: this.baseUrl, [this.#credential]: "<hidden>" };
  }

  [inspect.custom](): string {
    return this.toString();
  }

  // --- Agents -------------------------------------------------------------------------------

  /**
   * Asks for a scoped token. Standard tier: `status === "approved"` and `value` is the token.
   * Sensitive or critical: `status === "pending"` (or `"delayed"` when the same ask was already
   * open, and then `repeated` is true); wait for `approvalRequestId` (or take the webhook), then
   * call {@link getApprovedToken}.
   *
   * Never retried without `idempotencyKey` (a second request would be a second request). With
   * one, a retry gets the first answer, except for a standard grant, whose value the service
   * never keeps: that retry throws {@link IdempotentReplayUnavailable} naming the token (revoke
   * it and ask with a new key).
   */
  async requestToken(options: RequestTokenOptions & { signal?: AbortSignal }): Promise<TokenResponse> {
    const body: Record<string, unknown> = { scope: options.scope };
    if (options.ttlSeconds !== undefined) body.ttl_seconds = options.ttlSeconds;
    if (options.description !== undefined) body.description = options.description;
    if (options.maxUses !== undefined) body.max_uses = options.maxUses;
    if (options.runId !== undefined) body.run_id = options.runId;
    const key = options.idempotencyKey;
    const { status, json } = await this.#call("POST", "/v1/tokens", {
      body,
      headers: key === undefined ? undefined : { "idempotency-key": key },
      idempotent: key !== undefined,
      signal: options.signal,
    });
    return new TokenResponse(json, status === 200); // 201 is a grant, 202 a new request, 200 the open one of this ask
  }

  /** Reads a secret's value (latest version, or `version`) with a token covering `path`. */
  async getSecret(path: string, options: GetSecretOptions): Promise<Secret> {
    const token = typeof options?.token === "string" ? options.token : options?.token?.value;
    if (!token) throw new TypeError("getSecret needs { token }: the value of an approved token");
    const answer = await this.#json("GET", "/v1/secrets/" + secretPath(path), {
      query: { version: options.version },
      headers: { "x-secret-token": token },
      idempotent: true,
      signal: options.signal,
    });
    return new Secret(answer);
  }

  /**
   * Waits until the request is decided, or `timeoutSeconds` (default 600) have passed.
   *
   * Uses the service's long-poll (`/wait`) in chunks of at most `maxWaitChunkSeconds`: the
   * service answers the moment the request becomes final, so there is no polling interval and no
   * busy loop. Connection errors and 5xx in between are retried with backoff until the deadline.
   *
   * **Resolves, never rejects, on a decision**: `result.approved` is true only when the token is
   * ready; a denied, cancelled or expired request comes back with `approved === false` and its
   * `status` (call `result.raiseForStatus()` to turn that into {@link ApprovalDenied} & co.).
   * After the timeout the current state comes back: `status` `pending` or `delayed`,
   * `isFinal === false`, `timedOut === true` (`raiseForStatus()` throws {@link ApprovalTimeout}).
   * Aborting `signal` rejects at once with the signal's reason.
   */
  async waitForApproval(approvalRequestId: string, options: WaitOptions = {}): Promise<ApprovalRequest> {
    const timeoutSeconds = options.timeoutSeconds ?? 600;
    if (!(timeoutSeconds >= 0)) throw new RangeError("timeoutSeconds must be >= 0");
    const signal = options.signal;
    const deadline = performance.now() + timeoutSeconds * 1000;
    const left = () => (deadline - performance.now()) / 1000;
    const path = `/v1/approvals/${segment(approvalRequestId)}/wait`;
    let maxChunk = this.maxWaitChunkSeconds;
    for (let failures = 0; ; ) {
      const chunk = Math.max(0, Math.min(maxChunk, Math.ceil(left())));
      const askedAt = performance.now();
      let answer: Record<string, unknown>;
      try {
        answer = await this.#json("GET", path, {
          query: { timeout_seconds: chunk },
          idempotent: true,
          extraTimeoutSeconds: chunk,
          signal,
        });
      } catch (e) {
        const smaller = e instanceof ValidationError ? serverMaxWait(e) : undefined;
        if (smaller !== undefined && smaller > 0 && smaller < chunk) {
          maxChunk = smaller; // a service configured with a shorter maximum
          continue;
        }
        if ((e instanceof TransportError || e instanceof ServerError) && left() > 0) {
          await sleep(Math.min(left(), retryDelay(this.#transport.retry, failures++)), signal);
          continue;
        }
        throw e;
      }
      failures = 0;
      const view = new ApprovalRequest(answer, left() <= 0);
      if (view.isFinal || left() <= 0) return view;
      if ((performance.now() - askedAt) / 1000 < chunk - 1) {
        // The service let go early without a decision (a shorter server-side limit, a proxy):
        // pause a little so that even then this never turns into a busy loop.
        await sleep(Math.min(1, Math.max(0, left())), signal);
      }
    }
  }

  /**
   * Collects the token of an approved request, with its `tokenId` and `expiresAt`. Each
   * collection mints a fresh value and invalidates the previous one (so a retried call is safe).
   * Throws {@link ApprovalPending}, {@link ApprovalDenied}, {@link ApprovalExpired} or
   * {@link ApprovalCancelled} (all {@link Conflict}) when the request has no token.
   */
  async collectToken(approvalRequestId: string, options: { signal?: AbortSignal } = {}): Promise<TokenResponse> {
    try {
      const answer = await this.#json("GET", `/v1/approvals/${segment(approvalRequestId)}/token`, {
        idempotent: true,
        signal: options.signal,
      });
      return new TokenResponse(answer);
    } catch (e) {
      if (!(e instanceof Conflict)) throw e;
      let view: ApprovalRequest;
      try {
        view = await this.getApproval(approvalRequestId, options);
      } catch (other) {
        if (other instanceof AgentSecretStoreError) throw e;
        throw other;
      }
      // Approved, yet no token (revoked or expired): the service's 409 says which.
      throw view.error() ?? e;
    }
  }

  /** The token value of an approved request (see {@link collectToken} for the errors). */
  async getApprovedToken(approvalRequestId: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    const token = await this.collectToken(approvalRequestId, options);
    if (!token.value) throw new TransportError("The service returned no token value");
    return token.value;
  }

  /** A token's metadata (never its value) with `remainingUses`; for its holder or an admin. */
  async getToken(tokenId: string | TokenResponse, options: { signal?: AbortSignal } = {}): Promise<TokenInfo> {
    const id = typeof tokenId === "string" ? tokenId : tokenId?.tokenId;
    if (!id) throw new TypeError("getToken needs a token id (tok_...)");
    return new TokenInfo(await this.#json("GET", `/v1/tokens/${segment(id)}`, { idempotent: true, signal: options.signal }));
  }

  /** Revokes a token at once. Revoking twice is harmless, so this call is retried. */
  async revokeToken(tokenId: string | TokenResponse, options: { signal?: AbortSignal } = {}): Promise<TokenInfo> {
    const id = typeof tokenId === "string" ? tokenId : tokenId?.tokenId;
    if (!id) throw new TypeError("revokeToken needs a token id (tok_...)");
    return new TokenInfo(
      await this.#json("POST", `/v1/tokens/${segment(id)}/revoke`, { idempotent: true, signal: options.signal }),
    );
  }

  // --- Approvers (and requesters looking at their own requests) ------------------------------

  async getApproval(approvalRequestId: string, options: { signal?: AbortSignal } = {}): Promise<ApprovalRequest> {
    return new ApprovalRequest(
      await this.#json("GET", `/v1/approvals/${segment(approvalRequestId)}`, { idempotent: true, signal: options.signal }),
    );
  }

  /** One page of the requests the caller may see, newest first; filter by status and namespace. */
  async listApprovals(options: ListApprovalsOptions = {}): Promise<ApprovalPage> {
    const { status, namespace, limit, cursor, signal } = options;
    const answer = await this.#json("GET", "/v1/approvals", {
      query: { status, namespace, limit, cursor },
      idempotent: true,
      signal,
    });
    const items = Array.isArray(answer.items) ? answer.items : [];
    return {
      items: items.map((item: Record<string, unknown>) => new ApprovalRequest(item)),
      nextCursor: typeof answer.next_cursor === "string" ? answer.next_cursor : undefined,
    };
  }

  /** Every matching request, following `nextCursor` page after page. */
  async *iterApprovals(options: Omit<ListApprovalsOptions, "cursor"> = {}): AsyncGenerator<ApprovalRequest> {
    let cursor: string | undefined;
    do {
      const page = await this.listApprovals({ ...options, cursor });
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }

  /**
   * Approves (never retried: the service would refuse a second approval by the same person).
   * `ttlSeconds`, `maxUses` and `scope` narrow what the token may do. A critical request also
   * needs `stepUp`, a passkey assertion answering {@link stepUpChallenge} for this request: an
   * API key alone cannot make one, so people approve critical requests in the dashboard.
   */
  approve(approvalRequestId: string, options: ApproveOptions = {}): Promise<ApprovalRequest> {
    const body: Record<string, unknown> = {};
    if (options.comment !== undefined) body.comment = options.comment;
    if (options.ttlSeconds !== undefined) body.ttl_seconds = options.ttlSeconds;
    if (options.maxUses !== undefined) body.max_uses = options.maxUses;
    if (options.scope !== undefined) body.scope = options.scope;
    const a = options.stepUp;
    if (a !== undefined) {
      body.step_up = {
        credential_id: a.credentialId,
        client_data_json: a.clientDataJson,
        authenticator_data: a.authenticatorData,
        signature: a.signature,
        user_handle: a.userHandle,
      };
    }
    return this.#decide(approvalRequestId, "approve", body);
  }

  /**
   * A passkey challenge for approving this critical request, bound to it and to the caller, good
   * once and briefly. Never retried: each call issues a new challenge. {@link Conflict} of kind
   * `no-passkey` when the caller has registered none.
   */
  async stepUpChallenge(approvalRequestId: string, options: { signal?: AbortSignal } = {}): Promise<StepUpChallenge> {
    return new StepUpChallenge(
      await this.#json("POST", `/v1/approvals/${segment(approvalRequestId)}/step-up`, { signal: options.signal }),
    );
  }

  /** Denies; one denial ends the request. A reason is required. */
  deny(approvalRequestId: string, options: { reason: string }): Promise<ApprovalRequest> {
    if (!options?.reason?.trim()) throw new TypeError("deny needs { reason }");
    return this.#decide(approvalRequestId, "deny", { reason: options.reason });
  }

  /** Cancels a pending or delayed request (approvers, the requester, admins). */
  cancel(approvalRequestId: string, options: { reason?: string } = {}): Promise<ApprovalRequest> {
    return this.#decide(approvalRequestId, "cancel", options.reason === undefined ? {} : { reason: options.reason });
  }

  async #decide(approvalRequestId: string, action: string, body: Record<string, unknown>): Promise<ApprovalRequest> {
    return new ApprovalRequest(await this.#json("POST", `/v1/approvals/${segment(approvalRequestId)}/${action}`, { body }));
  }

  async #json(method: string, path: string, options: Parameters<HttpTransport["request"]>[2]): Promise<Record<string, unknown>> {
    return (await this.#call(method, path, options)).json;
  }

  async #call(
    method: string,
    path: string,
    options: Parameters<HttpTransport["request"]>[2],
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const { status, json } = await this.#transport.request(method, path, options);
    if (json === null || typeof json !== "object" || Array.isArray(json)) {
      throw new TransportError(`the service answered ${method} ${path.split("?")[0]} with JSON that is not an object`);
    }
    return { status, json: json as Record<string, unknown> };
  }

  // --- Webhooks ------------------------------------------------------------------------------

  /** {@link verifyWebhook}, for agents that take the non-blocking path. */
  static readonly verifyWebhook = verifyWebhook;

  /** {@link verifyWebhook}, for agents that take the non-blocking path. */
  verifyWebhook(...args: Parameters<typeof verifyWebhook>): ReturnType<typeof verifyWebhook> {
    return verifyWebhook(...args);
  }
}

/** The service's longest long-poll, from the `max_wait_seconds` member of its 422. */
function serverMaxWait(error: ValidationError): number | undefined {
  if (error.kind !== "validation-failed" || !error.errors.some((e) => e.field === "timeout_seconds")) return undefined;
  const value = error.extensions.max_wait_seconds;
  return typeof value === "number" && Number.isInteger(value) ? value : undefined;
}

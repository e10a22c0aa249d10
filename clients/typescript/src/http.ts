/**
 * The HTTP layer: Node's global `fetch` (18+) with a per-call timeout, caller cancellation
 * through an `AbortSignal`, and retries of idempotent calls only.
 *
 * It holds the `Authorization` value (or the function that reads it from the token file) in a
 * private field and never puts a header, a body or a caught error's `cause` into an error or a
 * log line: only the method, the path, the status and what went wrong at the transport level.
 */

import { AgentSecretStoreError, ConfigurationError, errorFromResponse, RequestTimeout, TransportError } from "./errors.js";

/**
 * When and how long to wait before trying an idempotent call again. Only idempotent calls are
 * ever retried (reads, long-polls, token collection, revocation): a token request or an approval
 * sent twice could be counted twice. They are retried on connection errors, timeouts and 5xx
 * answers (except 501 and 505, which will not change), up to `maxRetries` times, after
 * `backoffSeconds * 2^n` (capped at `maxBackoffSeconds`, with "equal jitter": a random half of
 * it), or after the server's `Retry-After` if it says so (also capped).
 */
export interface RetryPolicy {
  readonly maxRetries: number;
  readonly backoffSeconds: number;
  readonly maxBackoffSeconds: number;
  readonly jitter: boolean;
}

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  maxRetries: 3,
  backoffSeconds: 0.25,
  maxBackoffSeconds: 8,
  jitter: true,
});

/** Seconds to sleep before retry `retryNumber` (0 for the first retry). */
export function retryDelay(policy: RetryPolicy, retryNumber: number, retryAfter?: number): number {
  if (retryAfter !== undefined && retryAfter >= 0) return Math.min(policy.maxBackoffSeconds, retryAfter);
  const base = Math.min(policy.maxBackoffSeconds, policy.backoffSeconds * 2 ** retryNumber);
  return policy.jitter ? base / 2 + Math.random() * (base / 2) : base;
}

const retriesStatus = (status: number): boolean => status >= 500 && status !== 501 && status !== 505;

/**
 * Where the SDK reports what it does: method, path, status, retries. Never headers or bodies.
 * Pass `console` or your logger; by default nothing is logged.
 */
export interface Logger {
  debug?(message: string): void;
  warn?(message: string): void;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  idempotent?: boolean;
  /** Seconds added to the timeout (a long-poll's own wait). */
  extraTimeoutSeconds?: number;
  signal?: AbortSignal | undefined;
}

export interface TransportOptions {
  baseUrl: string;
  authorization: () => string | Promise<string>;
  timeoutSeconds: number;
  retry: RetryPolicy;
  userAgent: string;
  logger: Logger | undefined;
}

/** Marks a transport failure worth retrying; callers only ever see the public error it carries. */
class Retriable extends Error {
  constructor(readonly error: TransportError) {
    super(error.message);
  }
}

export class HttpTransport {
  readonly baseUrl: string;
  readonly retry: RetryPolicy;
  readonly #origin: string;
  readonly #host: string;
  readonly #basePath: string;
  readonly #authorization: () => string | Promise<string>;
  readonly #timeoutMs: number;
  readonly #userAgent: string;
  readonly #logger: Logger | undefined;

  constructor(options: TransportOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new ConfigurationError("the base URL must be http(s)://host[:port][/path]");
    }
    if ((url.protocol !== "http:" && url.protocol !== "https:") || !url.hostname) {
      throw new ConfigurationError("the base URL must be http(s)://host[:port][/path]");
    }
    if (url.search || url.hash || url.username || url.password) {
      throw new ConfigurationError("the base URL must not carry a query, a fragment or credentials");
    }
    this.#origin = url.origin;
    this.#host = url.host;
    this.#basePath = url.pathname.replace(/\/+$/, ""); // "" for the root: paths start with "/"
    this.baseUrl = this.#origin + this.#basePath;
    this.#authorization = options.authorization;
    this.#timeoutMs = options.timeoutSeconds * 1000;
    this.retry = options.retry;
    this.#userAgent = options.userAgent;
    this.#logger = options.logger;
  }

  /** Sends one call, retrying it per the policy if `idempotent`; throws on any error answer. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<{ status: number; json: unknown }> {
    const target = this.#basePath + path + queryString(options.query);
    const url = this.#origin + target;
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    for (let retryNumber = 0; ; retryNumber++) {
      const started = performance.now();
      let response: { status: number; statusText: string; retryAfter: string | null; text: string };
      try {
        response = await this.#send(method, url, payload, options);
      } catch (e) {
        if (!(e instanceof Retriable)) throw e;
        if (options.idempotent && retryNumber < this.retry.maxRetries) {
          const pause = retryDelay(this.retry, retryNumber);
          this.#logger?.warn?.(`${method} ${target} failed (${e.message}); retry ${retryNumber + 1} in ${pause.toFixed(2)} s`);
          await sleep(pause, options.signal);
          continue;
        }
        throw e.error;
      }
      this.#logger?.debug?.(`${method} ${target} -> ${response.status} (${Math.round(performance.now() - started)} ms)`);
      if (response.status < 300) return { status: response.status, json: parseJson(response.status, response.text) };
      if (response.status < 400) {
        // Redirects are not followed: the Authorization header must not travel to another URL.
        throw new AgentSecretStoreError("redirected; set the base URL to the service itself", {
          status: response.status,
          title: response.statusText || undefined,
        });
      }
      if (options.idempotent && retriesStatus(response.status) && retryNumber < this.retry.maxRetries) {
        const pause = retryDelay(this.retry, retryNumber, retryAfter(response.retryAfter));
        this.#logger?.warn?.(`${method} ${target} answered ${response.status}; retry ${retryNumber + 1} in ${pause.toFixed(2)} s`);
        await sleep(pause, options.signal);
        continue;
      }
      throw errorFromResponse(response.status, response.statusText, response.text);
    }
  }

  async #send(method: string, url: string, payload: string | undefined, options: RequestOptions) {
    options.signal?.throwIfAborted();
    const headers: Record<string, string> = {
      "user-agent": this.#userAgent,
      accept: "application/json, application/problem+json",
      authorization: await this.#authorization(),
    };
    if (payload !== undefined) headers["content-type"] = "application/json";
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new ConfigurationError(`header ${name} contains a line break`);
      headers[name.toLowerCase()] = value;
    }
    const timeoutMs = this.#timeoutMs + (options.extraTimeoutSeconds ?? 0) * 1000;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const response = await fetch(url, {
        method,
        headers,
        body: payload, // none: fetch sends Content-Length: 0 for a POST, and no Content-Type
        redirect: "manual",
        signal: controller.signal,
      });
      const text = await response.text();
      return {
        status: response.status,
        statusText: response.statusText,
        retryAfter: response.headers.get("retry-after"),
        text,
      };
    } catch (e) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (timedOut) throw new Retriable(new RequestTimeout(`no answer within ${timeoutMs / 1000} s`));
      // fetch's errors carry the request in their cause; only the error code is kept.
      throw new Retriable(new TransportError(`connection to ${this.#host} failed: ${failure(e)}`));
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  toString(): string {
    return `HttpTransport(${this.baseUrl})`;
  }
}

function failure(e: unknown): string {
  const cause = e instanceof Error ? (e.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === "string") return cause.code;
  return e instanceof Error ? e.name : "error";
}

function queryString(query: RequestOptions["query"]): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.append(key, String(value));
  }
  const text = params.toString();
  return text ? "?" + text : "";
}

function parseJson(status: number, text: string): unknown {
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new TransportError(`the service answered ${status} with a body that is not JSON`, { status });
  }
}

function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value.trim());
  return Number.isFinite(seconds) ? Math.max(0, seconds) : undefined; // an HTTP date: our own backoff
}

/** Sleeps `seconds`, or rejects with the signal's reason as soon as it is aborted. */
export function sleep(seconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, seconds * 1000));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Verifying webhook deliveries (Standard Webhooks, https://www.standardwebhooks.com/).
 *
 * A delivery carries `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`:
 * space-separated `v1,<base64 HMAC-SHA256>` entries (several during a secret rotation) over
 * `"{id}.{timestamp}.{body}"`. The key of a `whsec_<base64>` secret is its decoded bytes; any
 * other secret (the reference page's placeholder `whsec_your_signing_secret`, or a plain string)
 * is used as its UTF-8 bytes, whole — the same rule the service signs with.
 */

import { createHmac, timingSafeEqual } from "node:crypto";
import { WebhookVerificationError } from "./errors.js";

/** How far a delivery's timestamp may be from now (either way) before it is refused as a replay. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const PREFIX = "whsec_";
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Request headers in any of the usual shapes: a fetch `Headers`, Node's `IncomingHttpHeaders`
 * (`req.headers`), a plain object or a list of pairs. Names are matched case-insensitively.
 */
export type WebhookHeaders =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | Iterable<readonly [string, string]>;

export interface VerifyOptions {
  /** Seconds a timestamp may be away from `now`; `null` turns the check off (fixed test vectors only). */
  toleranceSeconds?: number | null;
  /** The current time in Unix seconds (default: the clock). */
  now?: number;
}

/** A delivery's payload; `event` is e.g. `approval.requested`, `approval.approved`, `approval.denied`. */
export interface WebhookEvent {
  readonly event: string;
  readonly approval_request_id?: string;
  readonly [member: string]: unknown;
}

/** The HMAC key of a signing secret (bytes are taken as the key itself). */
export function webhookKey(secret: string | Uint8Array): Buffer {
  if (typeof secret !== "string") return Buffer.from(secret);
  if (secret.startsWith(PREFIX)) {
    const encoded = secret.slice(PREFIX.length);
    if (encoded && BASE64.test(encoded) && encoded.replace(/=+$/, "").length % 4 !== 1) {
      const key = Buffer.from(encoded, "base64");
      if (key.length) return key;
    }
  }
  return Buffer.from(secret, "utf8");
}

function bytes(body: string | Uint8Array): Buffer {
  return typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** The `webhook-signature` value (`v1,<base64>`) for a body; for tests and your own senders. */
export function signWebhook(body: string | Uint8Array, msgId: string, timestamp: number, secret: string | Uint8Array): string {
  const hmac = createHmac("sha256", webhookKey(secret));
  hmac.update(`${msgId}.${Math.trunc(timestamp)}.`, "utf8");
  hmac.update(bytes(body));
  return "v1," + hmac.digest("base64");
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const pairs: Iterable<readonly [string, unknown]> =
    Symbol.iterator in headers
      ? (headers as Iterable<readonly [string, string]>)
      : Object.entries(headers as Record<string, unknown>);
  for (const [key, value] of pairs) {
    if (key.toLowerCase() === name) {
      if (Array.isArray(value)) return value.join(" ");
      return typeof value === "string" ? value : undefined;
    }
  }
  return undefined;
}

/**
 * Checks one delivery and returns its parsed JSON payload. `body` must be the raw request body
 * exactly as received (a `string` or the bytes), not re-serialized JSON. Throws
 * {@link WebhookVerificationError} on any failure; the message never holds the secret.
 */
export function verifyWebhook(
  body: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string | Uint8Array,
  options: VerifyOptions = {},
): WebhookEvent {
  const msgId = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!msgId || !timestamp || !signatures) {
    throw new WebhookVerificationError("Missing webhook-id, webhook-timestamp or webhook-signature header");
  }
  if (!/^\s*\d+\s*$/.test(timestamp)) throw new WebhookVerificationError("Invalid webhook-timestamp header");
  const ts = Number(timestamp.trim());
  const tolerance = options.toleranceSeconds === undefined ? DEFAULT_TOLERANCE_SECONDS : options.toleranceSeconds;
  if (tolerance !== null) {
    const now = options.now ?? Date.now() / 1000;
    if (ts < now - tolerance) throw new WebhookVerificationError("Message timestamp too old");
    if (ts > now + tolerance) throw new WebhookVerificationError("Message timestamp too new");
  }
  const expected = Buffer.from(signWebhook(body, msgId, ts, secret).slice(3), "utf8");
  const matched = signatures.split(/\s+/).some((entry) => {
    const comma = entry.indexOf(",");
    if (comma < 0 || entry.slice(0, comma) !== "v1") return false;
    const candidate = Buffer.from(entry.slice(comma + 1), "utf8");
    return candidate.length === expected.length && timingSafeEqual(candidate, expected);
  });
  if (!matched) throw new WebhookVerificationError("No matching signature found");
  let payload: unknown;
  try {
    payload = JSON.parse(bytes(body).toString("utf8"));
  } catch {
    throw new WebhookVerificationError("Signed body is not JSON");
  }
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
    throw new WebhookVerificationError("Signed body is not a JSON object");
  }
  return payload as WebhookEvent;
}

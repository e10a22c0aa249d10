/** The HTTP layer against a scripted local server: retries of idempotent calls only, timeouts, aborts. */

import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import {
  AgentVault,
  ApprovalRequest,
  Conflict,
  IdempotentReplayUnavailable,
  RequestTimeout,
  ServerError,
  StepUpChallenge,
  StepUpRequired,
  TokenExhausted,
  TokenResponse,
  TransportError,
  ValidationError,
} from "agentsecretstore";
import { problem, Seen, StubServer } from "./stub.js";

const KEY = "ass_TransportTestKey000000000000000000000000";
const fast = { maxRetries: 3, backoffSeconds: 0.01, maxBackoffSeconds: 0.05, jitter: false };
const servers: StubServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function stub(answer: ConstructorParameters<typeof StubServer>[0]): Promise<StubServer> {
  const server = await new StubServer(answer).start();
  servers.push(server);
  return server;
}

const view = (status: string) => ({ id: "apr_1", status, approved: status === "approved", required_approvals: 1 });

describe("retries", () => {
  it("retries a GET after a 503 and returns the answer", async () => {
    const server = await stub((_, n) => (n < 3 ? problem(503, "service-unavailable", "Service Unavailable") : [200, view("pending")]));
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url, retry: fast });
    assert.equal((await vault.getApproval("apr_1")).status, "pending");
    assert.equal(server.seen.length, 3);
  });

  it("never retries a token request", async () => {
    const server = await stub(() => problem(503, "service-unavailable", "Service Unavailable"));
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url, retry: fast });
    await assert.rejects(vault.requestToken({ scope: "secrets:read:a/*" }), ServerError);
    assert.equal(server.seen.length, 1);
    assert.deepEqual(JSON.parse(server.seen[0]!.body), { scope: "secrets:read:a/*" });
    assert.equal(server.seen[0]!.headers["idempotency-key"], undefined);
  });

  it("never retries an approval", async () => {
    const server = await stub(() => problem(502, "http-error", "Bad Gateway"));
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url, retry: fast });
    await assert.rejects(vault.approve("apr_1", { comment: "ok" }), ServerError);
    assert.equal(server.seen.length, 1);
  });

  it("retries a revocation, which is idempotent", async () => {
    const server = await stub((_, n) => (n === 1 ? [500, {}] : [200, { id: "tok_1", revoked_at: "2026-11-30T12:00:00Z" }]));
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url, retry: fast });
    assert.ok((await vault.revokeToken("tok_1")).revoked);
    assert.deepEqual(server.seen.map((s) => [s.method, s.url]), [["POST", "/v1/tokens/tok_1/revoke"], ["POST", "/v1/tokens/tok_1/revoke"]]);
  });

  it("gives up after maxRetries and throws the last answer's error", async () => {
    const server = await stub(() => problem(503, "service-unavailable", "Service Unavailable"));
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url, retry: { ...fast, maxRetries: 2 } });
    await assert.rejects(vault.getApproval("apr_1"), ServerError);
    assert.equal(server.seen.length, 3);
  });

  it("retries a refused connection for reads and reports it as a TransportError", async () => {
    const server = await stub(() => [200, {}]);
    const url = server.url;
    await server.close();
    const vault = new AgentVault({ apiKey: KEY, baseUrl: url, retry: fast });
    const error = await vault.getApproval("apr_1").catch((e) => e);
    assert.ok(error instanceof TransportError, String(error));
    assert.match(error.message, /ECONNREFUSED/);
  });
});

describe("timeouts and cancellation", () => {
  it("throws RequestTimeout when no answer comes in time", async () => {
    const server = await stub(() => undefined); // never answers
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url, timeoutSeconds: 0.3, retry: { maxRetries: 0 } });
    await assert.rejects(vault.getApproval("apr_1"), RequestTimeout);
  });

  it("rejects with the signal's reason when aborted, without retrying", async () => {
    const controller = new AbortController();
    const server = await stub(() => void controller.abort()); // aborts once the request is in, never answers
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url, retry: fast });
    await assert.rejects(vault.getApproval("apr_1", { signal: controller.signal }), { name: "AbortError" });
    assert.equal(server.seen.length, 1);
  });

  it("splits a long wait into long-polls of maxWaitChunkSeconds", async () => {
    const server = await stub((seen, n, response) => {
      const seconds = Number(new URL(seen.url, "http://x").searchParams.get("timeout_seconds"));
      setTimeout(() => {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify(view(n < 2 ? "pending" : "approved")));
      }, Math.min(seconds, 1) * 1000);
      return undefined;
    });
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url, maxWaitChunkSeconds: 1 });
    const result = await vault.waitForApproval("apr_1", { timeoutSeconds: 30 });
    assert.ok(result instanceof ApprovalRequest && result.approved);
    assert.deepEqual(server.seen.map((s) => s.url), ["/v1/approvals/apr_1/wait?timeout_seconds=1", "/v1/approvals/apr_1/wait?timeout_seconds=1"]);
  });

  it("asks again with the service's smaller maximum when it refuses the wait", async () => {
    const server = await stub((seen) =>
      seen.url.endsWith("=240")
        ? problem(422, "validation-failed", "Unprocessable", { errors: [{ field: "timeout_seconds", message: "too long" }], max_wait_seconds: 60 })
        : [200, view("denied")],
    );
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url });
    assert.equal((await vault.waitForApproval("apr_1", { timeoutSeconds: 600 })).status, "denied");
    assert.deepEqual(server.seen.map((s) => s.url.split("=")[1]), ["240", "60"]);
  });

  it("does not retry other validation errors of a wait", async () => {
    const server = await stub(() => problem(422, "validation-failed", "Unprocessable", { errors: [{ field: "id", message: "bad" }] }));
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url });
    await assert.rejects(vault.waitForApproval("apr_1", { timeoutSeconds: 5 }), ValidationError);
    assert.equal(server.seen.length, 1);
  });
});

describe("requests", () => {
  it("sends the key, the secret token header and percent-encoded path segments", async () => {
    let seen: Seen | undefined;
    const server = await stub((s) => {
      seen = s;
      return [200, { path: "a b/c", version: 2, value: "v" }];
    });
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url + "/prefix/" });
    await vault.getSecret("/a b/c?d/", { token: "ast_t", version: 2 });
    assert.equal(seen!.url, "/prefix/v1/secrets/a%20b/c%3Fd?version=2");
    assert.equal(seen!.headers.authorization, "Bearer " + KEY);
    assert.equal(seen!.headers["x-secret-token"], "ast_t");
  });

  it("does not follow redirects, so the key never travels elsewhere", async () => {
    const target = await stub(() => [200, view("approved")]);
    const server = await stub(() => [307, {}, { location: target.url + "/v1/approvals/apr_1" }]);
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url });
    await assert.rejects(vault.getApproval("apr_1"), { status: 307 });
    assert.equal(target.seen.length, 0);
  });

  it("sends a POST without a body with no content type", async () => {
    const server = await stub(() => [200, { id: "tok_1" }]);
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url });
    await vault.revokeToken("tok_1");
    assert.equal(server.seen[0]!.headers["content-length"], "0");
    assert.equal(server.seen[0]!.headers["content-type"], undefined);
  });
});

const PENDING = {
  status: "pending", approval_request_id: "apr_1", tier: "sensitive", required_approvals: 1,
  expires_at: "2026-11-30T12:00:00Z", max_uses: 3, run_id: "task-7",
};

describe("budgets, idempotency keys and step-up on the wire", () => {
  it("sends maxUses, runId and the Idempotency-Key, and reads the budget back", async () => {
    const server = await stub(() => [202, PENDING]);
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url, retry: fast });
    const answer = await vault.requestToken({
      scope: "secrets:read:prod/x/*", ttlSeconds: 300, description: "rotate", maxUses: 3, runId: "task-7", idempotencyKey: "k-1",
    });
    assert.deepEqual(JSON.parse(server.seen[0]!.body), {
      scope: "secrets:read:prod/x/*", ttl_seconds: 300, description: "rotate", max_uses: 3, run_id: "task-7",
    });
    assert.equal(server.seen[0]!.headers["idempotency-key"], "k-1");
    assert.deepEqual([answer.maxUses, answer.runId, answer.repeated], [3, "task-7", false]);
  });

  it("retries a token request with an idempotency key, with the same key and body", async () => {
    const server = await stub((_, n) => (n < 3 ? problem(503, "service-unavailable", "Service Unavailable") : [202, PENDING]));
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url, retry: fast });
    const answer = await vault.requestToken({ scope: "secrets:read:prod/x/*", idempotencyKey: "k-2" });
    assert.equal(answer.approvalRequestId, "apr_1");
    assert.deepEqual(server.seen.map((s) => s.headers["idempotency-key"]), ["k-2", "k-2", "k-2"]);
    assert.equal(new Set(server.seen.map((s) => s.body)).size, 1);
  });

  it("marks a repeated ask (200) and not a new request (202) or a grant (201)", async () => {
    const answers: [number, unknown][] = [[200, { ...PENDING, status: "delayed" }], [202, PENDING], [201, { status: "approved", value: "ast_1" }]];
    const server = await stub((_, n) => answers[n - 1]!);
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url });
    const repeated = await vault.requestToken({ scope: "secrets:read:prod/x/*", runId: "task-7" });
    assert.deepEqual([repeated.repeated, repeated.status], [true, "delayed"]);
    assert.equal((await vault.requestToken({ scope: "secrets:read:prod/x/*" })).repeated, false);
    assert.equal((await vault.requestToken({ scope: "secrets:read:prod/x/*" })).repeated, false);
  });

  it("throws IdempotentReplayUnavailable naming the token, once", async () => {
    const server = await stub(() => problem(409, "idempotent-replay-unavailable", "Conflict", { token_id: "tok_1" }));
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url, retry: fast });
    const error = await vault.requestToken({ scope: "secrets:read:prod/x/*", idempotencyKey: "k-3" }).catch((e) => e);
    assert.ok(error instanceof IdempotentReplayUnavailable, String(error));
    assert.equal(error.tokenId, "tok_1");
    assert.equal(server.seen.length, 1);
  });

  it("throws TokenExhausted from a read with a used-up token", async () => {
    const server = await stub(() => problem(403, "token-exhausted", "Forbidden"));
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url });
    await assert.rejects(vault.getSecret("prod/x/key", { token: "ast_abc" }), TokenExhausted);
  });

  it("reads a token's remaining uses", async () => {
    const server = await stub((seen) =>
      seen.url.endsWith("tok_1") ? [200, { id: "tok_1", max_uses: 3, uses: 1, remaining_uses: 2 }] : [200, { id: "tok_2", uses: 5 }],
    );
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url, retry: fast });
    const info = await vault.getToken("tok_1");
    assert.deepEqual([info.maxUses, info.uses, info.remainingUses], [3, 1, 2]);
    const unlimited = await vault.getToken(new TokenResponse({ status: "approved", token_id: "tok_2" }));
    assert.deepEqual([unlimited.maxUses, unlimited.uses, unlimited.remainingUses], [undefined, 5, undefined]);
    assert.deepEqual(server.seen.map((s) => [s.method, s.url]), [["GET", "/v1/tokens/tok_1"], ["GET", "/v1/tokens/tok_2"]]);
  });

  it("sends only the narrowing asked for", async () => {
    const server = await stub(() => [200, view("pending")]);
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url });
    await vault.approve("apr_1", { comment: "once", maxUses: 1 });
    await vault.approve("apr_1", { ttlSeconds: 600, scope: "secrets:read:prod/x/live-key" });
    await vault.approve("apr_1");
    assert.deepEqual(server.seen.map((s) => JSON.parse(s.body)), [
      { comment: "once", max_uses: 1 },
      { ttl_seconds: 600, scope: "secrets:read:prod/x/live-key" },
      {},
    ]);
  });

  it("sends a step-up assertion with snake_case names, and never retries it", async () => {
    const server = await stub(() => problem(503, "service-unavailable", "Service Unavailable"));
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url, retry: fast });
    const stepUp = { credentialId: "cred", clientDataJson: "cdj", authenticatorData: "ad", signature: "sig", userHandle: "uh" };
    await assert.rejects(vault.approve("apr_1", { comment: "ok", stepUp }), ServerError);
    assert.equal(server.seen.length, 1);
    assert.deepEqual(JSON.parse(server.seen[0]!.body), {
      comment: "ok",
      step_up: { credential_id: "cred", client_data_json: "cdj", authenticator_data: "ad", signature: "sig", user_handle: "uh" },
    });
  });

  it("asks for a step-up challenge once per call and reads it", async () => {
    const challenge = {
      challenge: "Y2hhbGxlbmdl", rp_id: "localhost", allow_credentials: [{ type: "public-key", id: "cred" }],
      user_verification: "required", timeout_ms: 120000, approval_request_id: "apr_1", expires_at: "2026-11-30T12:02:00Z",
    };
    const server = await stub((_, n) => (n === 1 ? [200, challenge] : problem(503, "service-unavailable", "Service Unavailable")));
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url, retry: fast });
    const options = await vault.stepUpChallenge("apr_1");
    assert.ok(options instanceof StepUpChallenge);
    assert.deepEqual(
      [options.challenge, options.rpId, options.allowCredentials, options.userVerification, options.timeoutMs, options.approvalRequestId],
      ["Y2hhbGxlbmdl", "localhost", [{ type: "public-key", id: "cred" }], "required", 120000, "apr_1"],
    );
    assert.equal(options.expiresAt?.toISOString(), "2026-11-30T12:02:00.000Z");
    assert.deepEqual([server.seen[0]!.method, server.seen[0]!.url], ["POST", "/v1/approvals/apr_1/step-up"]);
    await assert.rejects(vault.stepUpChallenge("apr_1"), ServerError);
    assert.equal(server.seen.length, 2);
  });

  it("maps a critical approval without a passkey to StepUpRequired, and no-passkey to Conflict", async () => {
    const server = await stub((seen) =>
      seen.url.endsWith("/step-up") ? problem(409, "no-passkey", "Conflict") : problem(403, "step-up-required", "Forbidden", { approval_status: "pending" }),
    );
    const vault = new AgentVault({ apiKey: KEY, baseUrl: server.url });
    await assert.rejects(vault.approve("apr_1"), StepUpRequired);
    await assert.rejects(vault.stepUpChallenge("apr_1"), (e: unknown) => e instanceof Conflict && e.kind === "no-passkey");
  });
});

/**
 * The SDK against the real service (started by harness.ts) and PostgreSQL.
 *
 * `production` carries the reference page's policy (stripe critical with 2 approvals and a 1 s
 * delay, openai sensitive), `ephemeral` is sensitive with requests that expire after 1 s.
 * Approvers act in the background, after the agent has started waiting.
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { after, before, describe, it } from "node:test";
import { inspect } from "node:util";
import {
  AgentSecretStoreError,
  AgentVault,
  ApprovalDenied,
  ApprovalRequest,
  ApprovalExpired,
  ApprovalPending,
  ApprovalTimeout,
  AuthenticationError,
  Conflict,
  IdempotentReplayUnavailable,
  NotFound,
  PermissionDenied,
  RateLimited,
  StepUpRequired,
  TokenExhausted,
  ValidationError,
  verifyWebhook,
  WebhookVerificationError,
} from "agentsecretstore";
import type { ApproveOptions } from "agentsecretstore";
import { CLIENT_ROOT, jarMissing, MAX_WAITS_PER_PRINCIPAL, Principal, RecordingProxy, REFERENCE_POLICY, Service, WebhookReceiver } from "./harness.js";

const STRIPE = "secrets:read:production/stripe/*";
const OPENAI = "secrets:read:production/openai/*";
const skip = jarMissing();
if (skip) console.log(skip);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("AgentVault against the packaged service", { skip }, () => {
  const service = new Service();
  let agent: AgentVault, alice: AgentVault, bob: AgentVault;
  const vault = (who: Principal) => new AgentVault({ apiKey: who.apiKey, baseUrl: service.baseUrl });

  before(async () => {
    await service.start();
    agent = vault(service.seed.agent);
    alice = vault(service.seed.alice);
    bob = vault(service.seed.bob);
  });
  after(() => service.stop());

  async function pending(scope: string, description = "integration test"): Promise<string> {
    // Each call its own run: the same open ask would get the first request back.
    const request = await agent.requestToken({ scope, ttlSeconds: 300, description, runId: randomBytes(6).toString("hex") });
    assert.equal(request.status, "pending");
    assert.match(request.approvalRequestId ?? "", /^apr_/);
    return request.approvalRequestId!;
  }

  /** Approves a critical request as `who` with a fresh step-up of their software passkey. */
  async function approveCritical(who: "alice" | "bob", id: string, options: ApproveOptions = {}): Promise<ApprovalRequest> {
    const approver = who === "alice" ? alice : bob;
    const { challenge } = await approver.stepUpChallenge(id);
    return approver.approve(id, { ...options, stepUp: service.seed.passkeys[who].assertion(challenge) });
  }

  /** Runs the steps one after another in the background, after `ms`. */
  function later<T>(ms: number, ...steps: (() => Promise<T>)[]): Promise<T[]> {
    return (async () => {
      await pause(ms);
      const results: T[] = [];
      for (const step of steps) results.push(await step());
      return results;
    })();
  }

  describe("standard tier", () => {
    it("grants the token at once and reads the secret", async () => {
      const token = await agent.requestToken({
        scope: "secrets:read:production/config/*",
        ttlSeconds: 300,
        description: "Nightly config sync",
      });
      assert.deepEqual([token.status, token.tier, token.approved], ["approved", "standard", true]);
      assert.match(token.value ?? "", /^ast_/);
      assert.match(token.tokenId ?? "", /^tok_/);
      assert.ok(token.expiresAt instanceof Date);
      const secret = await agent.getSecret("production/config/service-url", { token: token.value! });
      assert.equal(secret.value, service.seed.values["production/config/service-url"]);
      assert.deepEqual([secret.path, secret.version], ["production/config/service-url", 1]);
    });

    it("reads nothing with a revoked token, and revoking twice is harmless", async () => {
      const token = await agent.requestToken({ scope: "secrets:read:production/config/*", ttlSeconds: 60 });
      const info = await agent.revokeToken(token.tokenId!);
      assert.equal(info.id, token.tokenId);
      assert.ok(info.revoked);
      await assert.rejects(agent.getSecret("production/config/service-url", { token }), PermissionDenied);
      assert.ok((await agent.revokeToken(token)).revoked);
    });
  });

  describe("sensitive tier", () => {
    it("reads the secret after one approver approves while the agent waits", async () => {
      const request = await agent.requestToken({ scope: OPENAI, ttlSeconds: 300, description: "Embedding run #12" });
      assert.deepEqual([request.status, request.tier, request.requiredApprovals], ["pending", "sensitive", 1]);
      const approver = later(500, () => alice.approve(request.approvalRequestId!, { comment: "fine" }));

      const result = await agent.waitForApproval(request.approvalRequestId!, { timeoutSeconds: 600 });
      await approver;
      assert.ok(result.approved);
      assert.equal(result.status, "approved");
      assert.deepEqual(result.approvals.map((a) => [a.approverName, a.comment]), [["alice", "fine"]]);

      const token = await agent.getApprovedToken(request.approvalRequestId!);
      const secret = await agent.getSecret("production/openai/api-key", { token });
      assert.equal(secret.value, service.seed.values["production/openai/api-key"]);
    });
  });

  describe("critical tier", () => {
    it("needs two approvers, then the delay, then issues the token", async () => {
      const request = await agent.requestToken({ scope: STRIPE, ttlSeconds: 300, description: "Payment processing run #4821" });
      assert.deepEqual([request.status, request.tier, request.requiredApprovals], ["pending", "critical", 2]);
      const id = request.approvalRequestId!;
      const approvers = later(
        300,
        () => approveCritical("alice", id, { comment: "Approved for scheduled payment batch" }),
        () => approveCritical("bob", id, { comment: "ok" }),
      );

      const result = await agent.waitForApproval(id, { timeoutSeconds: 600 });
      const [first, second] = await approvers;
      assert.deepEqual([first!.status, first!.receivedApprovals], ["pending", 1]);
      assert.equal(second!.status, "delayed");
      assert.ok(second!.issueAt instanceof Date);
      assert.ok(result.approved);
      assert.deepEqual([result.status, result.receivedApprovals], ["approved", 2]);
      assert.deepEqual(new Set(result.approvals.map((a) => a.approverName)), new Set(["alice", "bob"]));

      const token = await agent.getApprovedToken(id);
      const secret = await agent.getSecret("production/stripe/api-key", { token });
      assert.equal(secret.value, service.seed.values["production/stripe/api-key"]);
    });

    it("is not approved by one approval: the wait times out and says so", async () => {
      const id = await pending(STRIPE);
      await approveCritical("alice", id);
      const result = await agent.waitForApproval(id, { timeoutSeconds: 1 });
      assert.deepEqual([result.status, result.approved, result.isFinal, result.timedOut], ["pending", false, false, true]);
      assert.equal(result.receivedApprovals, 1);
      assert.throws(() => result.raiseForStatus(), ApprovalTimeout);
      await assert.rejects(agent.getApprovedToken(id), ApprovalPending);
      await alice.cancel(id, { reason: "test over" });
    });
  });

  describe("outcomes", () => {
    it("returns a denial from the wait and throws it from getApprovedToken", async () => {
      const id = await pending(OPENAI);
      const denier = later(300, () => bob.deny(id, { reason: "Unexpected access pattern — investigating" }));
      const result = await agent.waitForApproval(id, { timeoutSeconds: 600 });
      await denier;
      assert.deepEqual([result.status, result.approved], ["denied", false]);
      assert.deepEqual([result.denial?.byName, result.denial?.reason], ["bob", "Unexpected access pattern — investigating"]);
      const error = await rejection(agent.getApprovedToken(id));
      assert.ok(error instanceof ApprovalDenied);
      assert.ok(error instanceof Conflict);
      assert.equal(error.approval?.denial?.reason, "Unexpected access pattern — investigating");
      assert.throws(() => result.raiseForStatus(), ApprovalDenied);
    });

    it("expires a request nobody approves", async () => {
      const request = await agent.requestToken({ scope: "secrets:read:ephemeral/db/*", ttlSeconds: 60 });
      const result = await agent.waitForApproval(request.approvalRequestId!, { timeoutSeconds: 120 });
      assert.deepEqual([result.status, result.approved], ["expired", false]);
      await assert.rejects(agent.getApprovedToken(request.approvalRequestId!), ApprovalExpired);
    });

    it("stops waiting at once when the signal is aborted", async () => {
      const id = await pending(OPENAI, "abort check");
      const controller = new AbortController();
      const waiting = agent.waitForApproval(id, { timeoutSeconds: 600, signal: controller.signal });
      setTimeout(() => controller.abort(), 300);
      await assert.rejects(waiting, { name: "AbortError" });
      assert.equal((await agent.getApproval(id)).status, "pending");
      await agent.cancel(id);
    });
  });

  describe("passkey step-up of critical approvals", () => {
    it("refuses a critical approval with only an API key: StepUpRequired, nothing counted", async () => {
      const id = await pending(STRIPE);
      const error = await rejection(alice.approve(id, { comment: "key only" }));
      assert.ok(error instanceof StepUpRequired && error instanceof PermissionDenied);
      assert.deepEqual([error.status, error.kind, error.reason], [403, "step-up-required", undefined]);
      assert.equal((await alice.getApproval(id)).receivedApprovals, 0);
      await alice.cancel(id, { reason: "test over" });
    });

    it("counts an approval with a step-up made for it, and refuses one answering no challenge", async () => {
      const id = await pending(STRIPE);
      const challenge = await alice.stepUpChallenge(id);
      assert.equal(challenge.approvalRequestId, id);
      assert.deepEqual(challenge.allowCredentials.map((c) => c.id), [service.seed.passkeys.alice.credentialId.toString("base64url")]);
      assert.ok(challenge.expiresAt instanceof Date);
      const forged = await rejection(bob.approve(id, { stepUp: service.seed.passkeys.bob.assertion("bm90LWlzc3VlZA") }));
      assert.ok(forged instanceof StepUpRequired);
      assert.deepEqual([forged.kind, forged.reason], ["step-up-invalid", "challenge_unknown"]);
      const stepUp = service.seed.passkeys.alice.assertion(challenge.challenge);
      assert.equal((await alice.approve(id, { comment: "with passkey", stepUp })).receivedApprovals, 1);
      await alice.cancel(id, { reason: "test over" });
    });
  });

  describe("budgets and repeated asks", () => {
    it("narrows the token to what the approver allowed: scope, lifetime and reads", async () => {
      const request = await agent.requestToken({ scope: OPENAI, ttlSeconds: 300, maxUses: 5, runId: randomBytes(6).toString("hex") });
      assert.equal(request.maxUses, 5);
      const id = request.approvalRequestId!;
      const wider = await rejection(alice.approve(id, { maxUses: 10 }));
      assert.ok(wider instanceof ValidationError);
      assert.equal(wider.errors[0]?.field, "max_uses");
      const narrow = "secrets:read:production/openai/api-key";
      const view = await alice.approve(id, { comment: "once", ttlSeconds: 60, maxUses: 1, scope: narrow });
      assert.deepEqual([view.status, view.scope, view.ttlSeconds], ["approved", narrow, 60]);

      const token = await agent.collectToken(id);
      assert.equal(token.scope, narrow);
      const info = await agent.getToken(token);
      assert.deepEqual([info.scope, info.maxUses, info.uses, info.remainingUses], [narrow, 1, 0, 1]);
      assert.equal(info.expiresAt!.getTime() - info.issuedAt!.getTime(), 60_000);
      const secret = await agent.getSecret("production/openai/api-key", { token });
      assert.equal(secret.value, service.seed.values["production/openai/api-key"]);
      assert.equal((await agent.getToken(token.tokenId!)).remainingUses, 0);
      await assert.rejects(agent.getSecret("production/openai/api-key", { token }), TokenExhausted);
    });

    it("gives a repeated ask the open request back, marked repeated", async () => {
      const ask = { scope: OPENAI, description: "repeat", runId: randomBytes(6).toString("hex") };
      const first = await agent.requestToken(ask);
      const again = await agent.requestToken(ask);
      assert.deepEqual([first.repeated, again.repeated], [false, true]);
      assert.equal(again.approvalRequestId, first.approvalRequestId);
      assert.equal(again.runId, ask.runId);
      await agent.cancel(first.approvalRequestId!);
    });

    it("answers a retry with the same Idempotency-Key with the first answer, never a second token", async () => {
      const key = "k-" + randomBytes(8).toString("hex");
      const ask = { scope: OPENAI, description: "idempotent", runId: randomBytes(6).toString("hex"), idempotencyKey: key };
      const first = await agent.requestToken(ask);
      const replay = await agent.requestToken(ask);
      assert.equal(replay.approvalRequestId, first.approvalRequestId);
      assert.equal(replay.status, "pending");
      await agent.cancel(first.approvalRequestId!);

      const grantKey = "k-" + randomBytes(8).toString("hex");
      const granted = await agent.requestToken({ scope: "secrets:read:production/config/*", ttlSeconds: 60, idempotencyKey: grantKey });
      assert.ok(granted.approved);
      const error = await rejection(agent.requestToken({ scope: "secrets:read:production/config/*", ttlSeconds: 60, idempotencyKey: grantKey }));
      assert.ok(error instanceof IdempotentReplayUnavailable && error instanceof Conflict);
      assert.equal(error.tokenId, granted.tokenId);
      const reused = await rejection(agent.requestToken({ scope: "secrets:read:production/config/*", ttlSeconds: 30, idempotencyKey: grantKey }));
      assert.ok(reused instanceof ValidationError);
      assert.equal(reused.kind, "idempotency-key-reused");
      await agent.revokeToken(granted);
    });
  });

  describe("errors from problem types", () => {
    it("maps an unknown request to NotFound", async () => {
      const error = await rejection(agent.getApproval("apr_01ARZ3NDEKTSV4RRFFQ69G5FAV"));
      assert.ok(error instanceof NotFound);
      assert.deepEqual([error.status, error.kind], [404, "not-found"]);
    });

    it("maps an agent's approval to PermissionDenied", async () => {
      const id = await pending(OPENAI);
      const error = await rejection(agent.approve(id));
      assert.ok(error instanceof PermissionDenied);
      assert.equal(error.kind, "forbidden");
      await agent.cancel(id);
    });

    it("maps a second approval by the same approver to Conflict of kind already-approved", async () => {
      const id = await pending(STRIPE);
      await approveCritical("alice", id);
      const error = await rejection(approveCritical("alice", id));
      assert.ok(error instanceof Conflict);
      assert.equal(error.kind, "already-approved");
      await alice.cancel(id, { reason: "test over" });
    });

    it("names the invalid field of a ValidationError", async () => {
      const error = await rejection(agent.requestToken({ scope: "read everything", ttlSeconds: 60 }));
      assert.ok(error instanceof ValidationError);
      assert.equal(error.errors[0]?.field, "scope");
    });

    it("maps a wrong key to AuthenticationError without showing the key", async () => {
      const key = "ass_" + "x".repeat(43);
      const error = await rejection(new AgentVault({ apiKey: key, baseUrl: service.baseUrl }).listApprovals());
      assert.ok(error instanceof AuthenticationError);
      assertNoneIn([key], error);
    });

    it("maps one long-poll too many to RateLimited", async () => {
      const waiter = await service.principal("waiter-" + randomBytes(4).toString("hex"), "agent", ["production"]);
      const vault = new AgentVault({ apiKey: waiter.apiKey, baseUrl: service.baseUrl });
      const ids: string[] = [];
      for (let i = 0; i <= MAX_WAITS_PER_PRINCIPAL; i++) {
        ids.push((await vault.requestToken({ scope: OPENAI, description: "rate limit", runId: `wait-${i}` })).approvalRequestId!);
      }
      const controller = new AbortController();
      // One more long-poll than the limit, all at once: whichever reaches the service last is
      // refused at once while the others stay open (which one depends on timing, that it happens
      // does not).
      const waits = ids.map((id) => vault.waitForApproval(id, { signal: controller.signal }).then(() => undefined, (e) => e));
      try {
        const first = await Promise.race(waits);
        assert.ok(first instanceof RateLimited, String(first));
        assert.deepEqual([first.status, first.kind], [429, "rate-limited"]);
      } finally {
        for (const id of ids) await vault.cancel(id);
        controller.abort();
        await Promise.all(waits);
      }
    });

    it("lists pending requests page by page", async () => {
      const ids = [await pending(OPENAI, "listing"), await pending(OPENAI, "listing")];
      const page = await alice.listApprovals({ status: "pending", namespace: "production", limit: 1 });
      assert.equal(page.items.length, 1);
      assert.ok(page.nextCursor);
      const seen = new Set<string>();
      for await (const r of alice.iterApprovals({ status: "pending", namespace: "production", limit: 1 })) seen.add(r.id);
      for (const id of ids) {
        assert.ok(seen.has(id));
        await agent.cancel(id);
      }
    });
  });

  describe("redaction", () => {
    it("keeps keys, tokens and values out of messages, inspect, JSON and logs", async () => {
      const lines: string[] = [];
      const logger = { debug: (m: string) => lines.push(m), warn: (m: string) => lines.push(m) };
      const logged = new AgentVault({ apiKey: service.seed.agent.apiKey, baseUrl: service.baseUrl, logger });
      const token = await logged.requestToken({ scope: "secrets:read:production/config/*", ttlSeconds: 60 });
      const secret = await logged.getSecret("production/config/service-url", { token });
      await logged.revokeToken(token);
      const refused = await rejection(logged.getSecret("production/config/service-url", { token }));
      assert.ok(refused instanceof PermissionDenied);
      const unknownToken = "ast_" + randomBytes(24).toString("hex");
      const unknown = await rejection(logged.getSecret("production/config/service-url", { token: unknownToken }));

      const forbidden = [service.seed.agent.apiKey, token.value!, secret.value, unknownToken];
      assert.ok(lines.length >= 4, "the logger saw the calls");
      assertNoneIn(forbidden, refused, unknown, logged, token, secret, lines.join("\n"));
      assert.match(inspect(logged), /apiKey=<hidden>/);
      assert.match(JSON.stringify(token), /"value":"<redacted>"/);
      // ...yet the values are there for whoever asks for them.
      assert.equal(secret.value, service.seed.values["production/config/service-url"]);
    });
  });

  describe("webhooks", () => {
    it("verifies a real delivery of the service, and refuses a tampered one", async () => {
      const receiver = await new WebhookReceiver().start();
      const secret = "whsec_" + randomBytes(32).toString("base64");
      const hook = await service.admin("POST", "/v1/webhooks", {
        url: receiver.url,
        events: ["approval.requested", "approval.approved", "approval.denied"],
        secret,
      });
      try {
        const id = await pending(OPENAI, "webhook check");
        const delivery = (event: string) =>
          receiver.waitFor((d) => d.body.includes(id) && d.body.includes(`"${event}"`));
        const requested = await delivery("approval.requested");
        const payload = verifyWebhook(requested.body, requested.headers, secret);
        assert.equal(payload.event, "approval.requested");
        assert.equal(payload.approval_request_id, id);
        assert.equal(payload.requested_by, "agent-orchestrator");
        assert.deepEqual([payload.scope, payload.tier], [OPENAI, "sensitive"]);
        assert.deepEqual(payload.secret_paths, ["production/openai/api-key"]);
        // The same check through the client, with the body as a string and fetch-style headers.
        const headers = new Headers(Object.entries(requested.headers).map(([k, v]) => [k, String(v)]));
        assert.equal(agent.verifyWebhook(requested.body.toString("utf8"), headers, secret).event, "approval.requested");

        const tampered = Buffer.from(requested.body.toString("utf8").replace("sensitive", "standard"));
        assert.throws(() => verifyWebhook(tampered, requested.headers, secret), WebhookVerificationError);
        const other = "whsec_" + randomBytes(32).toString("base64");
        const error = catching(() => verifyWebhook(requested.body, requested.headers, other));
        assert.ok(error instanceof WebhookVerificationError);
        assertNoneIn([secret, other, secret.slice(6)], error);

        await alice.approve(id);
        const approved = await delivery("approval.approved");
        assert.equal(verifyWebhook(approved.body, approved.headers, secret).event, "approval.approved");
      } finally {
        await service.call("DELETE", `/v1/webhooks/${hook.id}`);
        await receiver.close();
      }
    });
  });

  describe("the README's example (examples/approval-flow.ts)", () => {
    const runExample = (env: Record<string, string>) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLIENT_ROOT + "build/examples/approval-flow.js"], {
          env: { ...process.env, ...env },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c) => (stdout += c));
        child.stderr.on("data", (c) => (stderr += c));
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      });

    it("prints the secret on the auto-approved branch", async () => {
      await service.setPolicy("production", { default_tier: "standard" });
      try {
        const result = await runExample({ ASS_AGENT_KEY: service.seed.exampleAgent.apiKey, ASS_BASE_URL: service.baseUrl });
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout.trim(), service.seed.values["production/stripe/api-key"]);
      } finally {
        await service.setPolicy("production", REFERENCE_POLICY);
      }
    });

    it("runs with the pod's service-account token file instead of a key", async () => {
      const agentPath = `/v1/principals/${service.seed.exampleAgent.id}`;
      await service.admin("PATCH", agentPath, { kubernetes_service_accounts: ["payments/reference-example"] });
      await service.setPolicy("production", { default_tier: "standard" });
      const dir = mkdtempSync(tmpdir() + "/ass-sa-");
      try {
        writeFileSync(dir + "/token", service.issuer.token("payments", "reference-example"));
        const env = { ASS_AGENT_KEY: "", ASS_TOKEN_FILE: dir + "/token", ASS_BASE_URL: service.baseUrl };
        const result = await runExample(env);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout.trim(), service.seed.values["production/stripe/api-key"]);
        // A token of a service account bound to nobody is refused, and the error does not show it.
        const stranger = service.issuer.token("payments", "someone-else");
        writeFileSync(dir + "/token", stranger);
        const refused = await rejection(new AgentVault({ apiKey: "", tokenFile: dir + "/token", baseUrl: service.baseUrl })
          .requestToken({ scope: STRIPE }));
        assert.ok(refused instanceof AuthenticationError);
        assertNoneIn([stranger, stranger.split(".")[2]!], refused);
      } finally {
        rmSync(dir, { recursive: true, force: true });
        await service.setPolicy("production", REFERENCE_POLICY);
        await service.admin("PATCH", agentPath, { kubernetes_service_accounts: [] });
      }
    });

    it("waits for two approvals and the delay on the critical branch, then reads the secret", async () => {
      const proxy = await new RecordingProxy(service.port).start();
      const running = runExample({ ASS_AGENT_KEY: service.seed.exampleAgent.apiKey, ASS_BASE_URL: proxy.url });
      // Alice and Bob, in the background: approve the example's request as soon as it shows.
      let id: string | undefined;
      for (let i = 0; i < 600 && !id; i++) {
        const page = await alice.listApprovals({ status: "pending", namespace: "production" });
        id = page.items.find((r) => r.requestedBy === service.seed.exampleAgent.name)?.id;
        if (!id) await pause(100);
      }
      assert.ok(id, "the example's approval request never appeared");
      await approveCritical("alice", id, { comment: "Approved for scheduled payment batch" });
      await approveCritical("bob", id, { comment: "ok" });
      const result = await running;
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stdout.split("\n");
      assert.equal(lines[0], `Approval required. Request ID: ${id}`);
      assert.equal(lines[1], "Notified approvers via webhook. Waiting...");
      assert.equal((await alice.getApproval(id)).status, "approved");
      assert.ok(!result.stdout.includes(service.seed.values["production/stripe/api-key"]!));
      await proxy.close();
      // What the program did: one long-poll (no polling loop), the collection, the read.
      assert.deepEqual(proxy.calls.map(([method, path, status]) => [method, path.split("?")[0], status]), [
        ["POST", "/v1/tokens", 202],
        ["GET", `/v1/approvals/${id}/wait`, 200],
        ["GET", `/v1/approvals/${id}/token`, 200],
        ["GET", "/v1/secrets/production/stripe/api-key", 200],
      ]);
      assert.match(proxy.calls[1]![1], /timeout_seconds=240$/);
    });
  });
});

async function rejection(promise: Promise<unknown>): Promise<AgentSecretStoreError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof AgentSecretStoreError, `expected an AgentSecretStoreError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected a rejection");
}

function catching(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  assert.fail("expected an error");
}

/** None of `secrets` shows in any rendering of `things`: message, stack, toString, inspect, JSON. */
export function assertNoneIn(secrets: readonly string[], ...things: unknown[]): void {
  for (const thing of things) {
    const renderings = [String(thing), inspect(thing, { depth: 10, showHidden: true, getters: false }), JSON.stringify(thing) ?? ""];
    if (thing instanceof Error) renderings.push(thing.message, thing.stack ?? "");
    for (const secret of secrets) {
      for (const text of renderings) assert.ok(!text.includes(secret), `a credential shows in ${text.slice(0, 200)}`);
    }
  }
}

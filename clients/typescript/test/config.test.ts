/** Configuration from the environment, the Kubernetes token file, and redaction of the key. */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { after, afterEach, beforeEach, describe, it } from "node:test";
import { inspect } from "node:util";
import {
  AgentVault,
  ConfigurationError,
  DEFAULT_BASE_URL,
  DEFAULT_TOKEN_FILE,
  Secret,
  TokenResponse,
} from "agentsecretstore";
import { StubServer } from "./stub.js";

const KEY = "ass_SuperSecretKeyValue0000000000000000000000";
const TOKEN_1 = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJvbmUifQ.c2lnbmF0dXJlLW9uZQ";
const TOKEN_2 = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ0d28ifQ.c2lnbmF0dXJlLXR3bw";
const NAMES = ["ASS_AGENT_KEY", "ASS_BASE_URL", "ASS_TOKEN_FILE"] as const;
let saved: Record<string, string | undefined> = {};

beforeEach(() => {
  saved = Object.fromEntries(NAMES.map((n) => [n, process.env[n]]));
  for (const n of NAMES) delete process.env[n];
});
afterEach(() => {
  for (const n of NAMES) {
    if (saved[n] === undefined) delete process.env[n];
    else process.env[n] = saved[n];
  }
});

describe("configuration", () => {
  it("takes the key and base URL from the environment", () => {
    process.env.ASS_AGENT_KEY = KEY;
    process.env.ASS_BASE_URL = "https://vault.example.com/";
    assert.equal(new AgentVault().baseUrl, "https://vault.example.com");
  });

  it("defaults to the service's port on localhost", () => {
    assert.equal(new AgentVault({ apiKey: KEY }).baseUrl, DEFAULT_BASE_URL);
    assert.equal(DEFAULT_BASE_URL, "http://localhost:8080");
  });

  it("lets options win over the environment", () => {
    process.env.ASS_AGENT_KEY = "ass_other";
    process.env.ASS_BASE_URL = "http://a:1";
    assert.equal(new AgentVault({ apiKey: KEY, baseUrl: "http://b:2/prefix" }).baseUrl, "http://b:2/prefix");
  });

  it("refuses to start without a key or a token file", () => {
    process.env.ASS_TOKEN_FILE = "/nonexistent/token";
    assert.throws(() => new AgentVault(), (e: unknown) => e instanceof ConfigurationError && /ASS_AGENT_KEY/.test(e.message));
  });

  it("refuses unusable base URLs", () => {
    for (const baseUrl of ["ftp://host", "localhost:8080", "http://user:pw@host", "http://host?x=1", "http://host/#f"]) {
      assert.throws(() => new AgentVault({ apiKey: KEY, baseUrl }), ConfigurationError, baseUrl);
    }
  });

  it("refuses a key with whitespace and a wait chunk Node's fetch cannot hold", () => {
    assert.throws(() => new AgentVault({ apiKey: "ass_a b" }), ConfigurationError);
    assert.throws(() => new AgentVault({ apiKey: KEY, maxWaitChunkSeconds: 900 }), ConfigurationError);
  });
});

describe("Kubernetes token file", () => {
  const dir = mkdtempSync(tmpdir() + "/ass-token-");
  const file = dir + "/token";
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("is the projected volume of the example deployment by default", () => {
    assert.equal(DEFAULT_TOKEN_FILE, "/var/run/secrets/agent-secret-store/token");
  });

  it("is sent without a key, and read again for every request (the kubelet rotates it)", async () => {
    writeFileSync(file, TOKEN_1 + "\n");
    const server = await new StubServer(() => [200, { id: "apr_1", status: "pending" }]).start();
    try {
      process.env.ASS_TOKEN_FILE = file;
      const vault = new AgentVault({ baseUrl: server.url });
      await vault.getApproval("apr_1");
      writeFileSync(file, TOKEN_2);
      await vault.getApproval("apr_1");
      assert.deepEqual(server.seen.map((s) => s.headers.authorization), ["Bearer " + TOKEN_1, "Bearer " + TOKEN_2]);
      assert.match(String(vault), /tokenFile=<hidden>/);
      assert.ok(!inspect(vault).includes(TOKEN_1));
    } finally {
      await server.close();
    }
  });

  it("loses to an API key", async () => {
    writeFileSync(file, TOKEN_1);
    const server = await new StubServer(() => [200, { id: "apr_1", status: "pending" }]).start();
    try {
      const vault = new AgentVault({ apiKey: KEY, tokenFile: file, baseUrl: server.url });
      await vault.getApproval("apr_1");
      assert.equal(server.seen[0]!.headers.authorization, "Bearer " + KEY);
    } finally {
      await server.close();
    }
  });

  it("turns an emptied file into a ConfigurationError that shows no token", async () => {
    writeFileSync(file, TOKEN_1);
    const vault = new AgentVault({ tokenFile: file, baseUrl: "http://127.0.0.1:9" });
    writeFileSync(file, "");
    await assert.rejects(vault.getApproval("apr_1"), ConfigurationError);
  });
});

describe("redaction", () => {
  it("hides the key from toString, inspect and JSON", () => {
    const vault = new AgentVault({ apiKey: KEY });
    for (const text of [String(vault), `${vault}`, inspect(vault, { showHidden: true }), JSON.stringify(vault), inspect({ vault })]) {
      assert.ok(!text.includes(KEY) && !text.includes(KEY.slice(4, 12)), text);
    }
    assert.match(inspect(vault), /apiKey=<hidden>/);
  });

  it("keeps token and secret values out of toString, inspect, JSON and spreads", () => {
    const token = new TokenResponse({ status: "approved", token_id: "tok_1", value: "ast_SuperSecretToken" });
    const secret = new Secret({ path: "production/stripe/api-key", version: 1, value: "sk_live_SuperSecret" });
    for (const text of [String(token), inspect(token), JSON.stringify(token), inspect({ ...token }), JSON.stringify({ token, secret }),
      String(secret), inspect(secret), JSON.stringify(secret), inspect({ ...secret }), inspect([token, secret], { showHidden: true })]) {
      assert.ok(!text.includes("SuperSecret"), text);
    }
    assert.match(String(token), /tok_1/);
    assert.equal(token.value, "ast_SuperSecretToken");
    assert.equal(secret.value, "sk_live_SuperSecret");
  });
});

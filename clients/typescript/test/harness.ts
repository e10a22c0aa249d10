/**
 * Runs the real service for the integration tests (the twin of clients/python/tests/harness.py).
 *
 * `startService()` starts `java -jar <repo>/target/quarkus-app/quarkus-run.jar` (or `$ASS_JAR`) on a
 * free port, in a PostgreSQL schema of its own (`ass_tsdk_<random>`, dropped at the end when
 * `psql` is available), with a random master key and bootstrap admin key, logging to
 * `build/test-service.log`, and seeds it (policies, secrets, principals) through the admin API.
 * The database is the local PostgreSQL the service defaults to (`QUARKUS_DATASOURCE_*` override it).
 *
 * No jar: `jarMissing()` says why, and the integration tests are skipped — unless `CI=true`, where
 * a missing jar is a failure (CI must never pass by skipping them).
 */

import { spawn, spawnSync, ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes, randomUUID, sign } from "node:crypto";
import { existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { createServer, IncomingHttpHeaders, request as httpRequest } from "node:http";
import { AddressInfo, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { SoftPasskey } from "./softpasskey.js";

/** clients/typescript (this file runs from build/test/). */
export const CLIENT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const START_TIMEOUT_MS = 240_000;
export const MAX_WAITS_PER_PRINCIPAL = 4;

/** The reference page's policy, with a 1 s delay instead of 300 s so that tests stay quick. */
export const REFERENCE_POLICY = {
  default_tier: "standard",
  path_overrides: [
    { pattern: "production/stripe/*", tier: "critical", required_approvals: 2, approval_delay_seconds: 1 },
    { pattern: "production/openai/*", tier: "sensitive", required_approvals: 1 },
  ],
};

export function jarPath(): string {
  return process.env.ASS_JAR || REPO_ROOT + "target/quarkus-app/quarkus-run.jar";
}

/** Why the integration tests cannot run (no jar), or undefined; throws under CI=true. */
export function jarMissing(): string | undefined {
  if (existsSync(jarPath())) return undefined;
  const message =
    `service jar not found at ${jarPath()}; build it with \`./mvnw package -DskipTests\` in the repository root, ` +
    "or point ASS_JAR at one";
  if (process.env.CI === "true") throw new Error(message + " (CI=true: integration tests must run, so this is a failure)");
  return "integration tests skipped: " + message;
}

const alnum = (n: number): string =>
  Array.from(randomBytes(n), (b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[b % 62]).join("");

export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Principal {
  id: string;
  name: string;
  apiKey: string;
}

export interface Seed {
  agent: Principal;
  exampleAgent: Principal;
  alice: Principal;
  bob: Principal;
  passkeys: { alice: SoftPasskey; bob: SoftPasskey };
  values: Record<string, string>;
}

export class Service {
  readonly schema = "ass_tsdk_" + randomBytes(4).toString("hex");
  readonly adminKey = "ass_" + alnum(43);
  readonly logPath = CLIENT_ROOT + "build/test-service.log";
  port = 0;
  baseUrl = "";
  seed!: Seed;
  readonly issuer = new KubernetesIssuer();
  #process: ChildProcess | undefined;

  async start(): Promise<this> {
    this.port = await freePort();
    this.baseUrl = `http://127.0.0.1:${this.port}`;
    await this.issuer.start();
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.ASS_MASTER_KEYS;
    delete env.ASS_ACTIVE_MASTER_KEY;
    Object.assign(env, {
      QUARKUS_HTTP_PORT: String(this.port),
      ASS_DB_SCHEMA: this.schema,
      ASS_MASTER_KEY: randomBytes(32).toString("base64"),
      ASS_BOOTSTRAP_ADMIN_KEY: this.adminKey,
      ASS_APPROVALS_JOB_INTERVAL: "1s",
      // The webhook test's receiver listens on loopback.
      ASS_WEBHOOKS_ALLOW_PRIVATE: "true",
      ASS_WEBHOOKS_POLL_INTERVAL: "1s",
      ASS_KUBERNETES_ISSUERS: this.issuer.url,
      // Low enough for the rate-limit test to reach with a principal of its own.
      ASS_APPROVALS_MAX_WAITS_PER_PRINCIPAL: String(MAX_WAITS_PER_PRINCIPAL),
      // Critical approvals need a passkey step-up, as in production: the approvers have software
      // passkeys (softpasskey.ts), so that the SDK's stepUp is checked by the real verifier.
      ASS_STEP_UP_CRITICAL: "true",
    });
    mkdirSync(CLIENT_ROOT + "build", { recursive: true });
    const log = openSync(this.logPath, "w");
    const java = process.env.JAVA_HOME ? process.env.JAVA_HOME + "/bin/java" : "java";
    const child = spawn(java, ["-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jarPath()], {
      env,
      cwd: tmpdir(),
      stdio: ["ignore", log, log],
    });
    this.#process = child;
    process.once("exit", () => child.kill("SIGKILL")); // never outlive a crashed test run
    let exited: number | null | undefined;
    child.on("exit", (code) => (exited = code));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (exited !== undefined) throw new Error(`the service exited during start-up (code ${exited}):\n${this.logTail()}`);
      if (await this.#ready()) {
        this.seed = await this.#seedFixtures();
        return this;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await this.stop();
    throw new Error(`the service was not ready within ${START_TIMEOUT_MS / 1000} s:\n${this.logTail()}`);
  }

  async #ready(): Promise<boolean> {
    try {
      const response = await fetch(this.baseUrl + "/q/health/ready", { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      return response.status === 200;
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    if (this.issuer.url) await this.issuer.close();
    const child = this.#process;
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await gone;
      clearTimeout(timer);
    }
    spawnSync("psql", ["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q", "-c", `drop schema if exists ${this.schema} cascade`], {
      env: { ...process.env, PGOPTIONS: "-c client_min_messages=warning" },
      stdio: "ignore",
    });
  }

  logText(): string {
    return existsSync(this.logPath) ? readFileSync(this.logPath, "utf8") : "";
  }

  logTail(lines = 40): string {
    return this.logText().split("\n").slice(-lines).join("\n") + `(full log: ${this.logPath})`;
  }

  // --- admin API ---------------------------------------------------------------------------

  async call(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: any }> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: {
        authorization: "Bearer " + (key ?? this.adminKey),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  async admin(method: string, path: string, body?: unknown): Promise<any> {
    const answer = await this.call(method, path, body);
    if (answer.status >= 300) throw new Error(`${method} ${path} -> ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  async principal(name: string, role: string, namespaces: string[]): Promise<Principal> {
    const created = await this.admin("POST", "/v1/principals", { name, role, namespaces });
    return { id: created.id, name: created.name, apiKey: created.api_key };
  }

  /** Registers a software passkey for `who` (critical approvals need one: the passkey step-up). */
  async registerPasskey(who: Principal): Promise<SoftPasskey> {
    const passkey = new SoftPasskey();
    const options = await this.call("POST", "/v1/passkeys/registration-options", undefined, who.apiKey);
    if (options.status !== 200) throw new Error(`registration options -> ${options.status}: ${JSON.stringify(options.body)}`);
    const created = await this.call("POST", "/v1/passkeys", passkey.registration(options.body.challenge), who.apiKey);
    if (created.status !== 201) throw new Error(`passkey registration -> ${created.status}: ${JSON.stringify(created.body)}`);
    return passkey;
  }

  setPolicy(namespace: string, policy: unknown): Promise<unknown> {
    return this.admin("PUT", `/v1/namespaces/${namespace}/policy`, policy);
  }

  async #seedFixtures(): Promise<Seed> {
    const suffix = alnum(12);
    const values: Record<string, string> = {
      "production/config/service-url": "https://internal.example/" + suffix,
      "production/openai/api-key": "sk-openai-" + suffix,
      "production/stripe/api-key": "sk_live_" + suffix,
      "ephemeral/db/password": "pw-" + suffix,
    };
    await this.setPolicy("production", REFERENCE_POLICY);
    // Requests here expire after 1 s without approval.
    await this.setPolicy("ephemeral", { default_tier: "sensitive", request_ttl_seconds: 1 });
    for (const [path, value] of Object.entries(values)) await this.admin("PUT", "/v1/secrets/" + path, { value });
    const namespaces = ["production", "ephemeral"];
    const agent = await this.principal("agent-orchestrator", "agent", namespaces);
    const exampleAgent = await this.principal("reference-example", "agent", ["production"]);
    const alice = await this.principal("alice", "approver", namespaces);
    const bob = await this.principal("bob", "approver", namespaces);
    const passkeys = { alice: await this.registerPasskey(alice), bob: await this.registerPasskey(bob) };
    return { agent, exampleAgent, alice, bob, passkeys, values };
  }
}

export interface Delivery {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Accepts webhook deliveries on loopback and keeps (headers, raw body) of each. */
export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  url = "";
  readonly #server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      this.deliveries.push({ headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(204).end();
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/webhooks/approvals`;
    return this;
  }

  /** The first delivery for which `predicate` holds (checked on cheap conditions, up to `timeoutMs`). */
  async waitFor(predicate: (d: Delivery) => boolean, timeoutMs = 60_000): Promise<Delivery> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.deliveries.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(`no matching webhook delivery within ${timeoutMs / 1000} s (${this.deliveries.length} others)`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/**
 * A pass-through HTTP proxy in front of the service that records (method, path, status) of every
 * call, to see what an unmodified program (the README's example) actually did.
 */
export class RecordingProxy {
  readonly calls: [string, string, number][] = [];
  url = "";
  readonly #server;

  constructor(readonly targetPort: number) {
    this.#server = createServer((request, response) => {
      const upstream = httpRequest(
        { host: "127.0.0.1", port: this.targetPort, method: request.method, path: request.url, headers: request.headers },
        (answer) => {
          this.calls.push([request.method ?? "", request.url ?? "", answer.statusCode ?? 0]);
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.on("error", () => response.destroy());
      request.pipe(upstream);
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/**
 * A stand-in Kubernetes service-account issuer (discovery + JWKS of an RSA key made here), so that
 * agents can also authenticate with projected-style service-account tokens. The service trusts it
 * through `ASS_KUBERNETES_ISSUERS`. The twin of bench/k8s_issuer.py, with node:crypto.
 */
export class KubernetesIssuer {
  url = "";
  readonly #keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
  readonly #server = createServer((request, response) => {
    const documents: Record<string, unknown> = {
      "/.well-known/openid-configuration": {
        issuer: this.url,
        jwks_uri: this.url + "/openid/v1/jwks",
        response_types_supported: ["id_token"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
      },
      "/openid/v1/jwks": { keys: [{ ...this.#keys.publicKey.export({ format: "jwk" }), alg: "RS256", use: "sig", kid: "test-key" }] },
    };
    const doc = documents[request.url ?? ""];
    response.writeHead(doc ? 200 : 404, { "content-type": "application/json" }).end(JSON.stringify(doc ?? {}));
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  /** A token as the kubelet projects it for `namespace/serviceAccount` (audience agent-secret-store, 1 h). */
  token(namespace: string, serviceAccount: string): string {
    const now = Math.floor(Date.now() / 1000);
    const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const claims = {
      aud: ["agent-secret-store"], iss: this.url, iat: now, nbf: now, exp: now + 3600,
      sub: `system:serviceaccount:${namespace}:${serviceAccount}`,
      "kubernetes.io": {
        namespace,
        node: { name: "test-node", uid: randomUUID() },
        pod: { name: `${serviceAccount}-0`, uid: randomUUID() },
        serviceaccount: { name: serviceAccount, uid: randomUUID() },
      },
    };
    const input = b64url({ alg: "RS256", kid: "test-key" }) + "." + b64url(claims);
    return input + "." + sign("sha256", Buffer.from(input), this.#keys.privateKey).toString("base64url");
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

// The MCP interface (/mcp) through the official MCP TypeScript SDK client, as an agent would use it:
// list the tools (none decides), ask for a sensitive secret, a human approves over the REST API,
// the agent collects the token and reads the secret, all through tools. run.sh starts the packaged
// jar and passes ASS_BASE_URL and ASS_ADMIN_KEY.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const BASE = process.env.ASS_BASE_URL;
const ADMIN_KEY = process.env.ASS_ADMIN_KEY;
assert.ok(BASE && ADMIN_KEY, 'ASS_BASE_URL and ASS_ADMIN_KEY are set by run.sh');

async function api(key, method, path, body) {
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function principal(role, namespace) {
  const r = await api(ADMIN_KEY, 'POST', '/v1/principals', { name: `${role}-${randomUUID().slice(0, 8)}`, role, namespaces: [namespace] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { id: r.body.id, key: r.body.api_key };
}

async function connect(key) {
  const client = new Client({ name: 'agent-secret-store-e2e', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), {
    requestInit: key ? { headers: { Authorization: `Bearer ${key}` } } : {},
  });
  await client.connect(transport);
  return client;
}

/** A tool's one text content, parsed. */
function answer(result) {
  assert.equal(result.content.length, 1);
  assert.equal(result.content[0].type, 'text');
  return JSON.parse(result.content[0].text);
}

// One namespace for the run: payments/* is standard, payments/vault/* sensitive (one approval).
const ns = `mcp-${randomUUID().slice(0, 8)}`;
const secretValue = `s3cr3t-mcp-${randomUUID()}`;
let agent;
let approver;

test('setup over the REST API: policy, secret, an agent and an approver', async () => {
  let r = await api(ADMIN_KEY, 'PUT', `/v1/namespaces/${ns}/policy`, {
    default_tier: 'standard',
    path_overrides: [{ pattern: `${ns}/vault/*`, tier: 'sensitive', required_approvals: 1 }],
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await api(ADMIN_KEY, 'PUT', `/v1/secrets/${ns}/vault/signing-key`, { value: secretValue });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  agent = await principal('agent', ns);
  approver = await principal('approver', ns);
});

test('a client without credentials is refused before any MCP message', async () => {
  await assert.rejects(connect(null), (e) => /401/.test(String(e?.message ?? e)) || e?.code === 401);
});

test('a human credential does not open the agent interface', async () => {
  await assert.rejects(connect(approver.key), (e) => /403/.test(String(e?.message ?? e)) || e?.code === 403);
});

test('the agent sees three tools and none that approves, denies or changes policy', async () => {
  const client = await connect(agent.key);
  try {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name).sort();
    assert.deepEqual(names, ['access_status', 'read_secret', 'request_access']);
    assert.ok(!names.some((n) => /approve|deny|decide|policy/.test(n)));
    const request = tools.find((t) => t.name === 'request_access');
    assert.deepEqual(Object.keys(request.inputSchema.properties).sort(), ['description', 'max_uses', 'run_id', 'scope', 'ttl_seconds']);
    assert.deepEqual(request.inputSchema.required, ['scope']);
  } finally {
    await client.close();
  }
});

test('request a sensitive secret, a human approves over the API, the agent reads it', async () => {
  const client = await connect(agent.key);
  try {
    const requested = await client.callTool({
      name: 'request_access',
      arguments: { scope: `secrets:read:${ns}/vault/*`, ttl_seconds: 600, description: 'sign the release', run_id: 'release-7' },
    });
    assert.equal(requested.isError, false, requested.content[0].text);
    const pending = answer(requested);
    assert.equal(pending.status, 'pending');
    assert.equal(pending.tier, 'sensitive');
    assert.equal(pending.value, undefined);
    const id = pending.approval_request_id;

    const before = answer(await client.callTool({ name: 'access_status', arguments: { approval_request_id: id } }));
    assert.equal(before.status, 'pending');
    assert.equal(before.token, undefined);

    const approved = await api(approver.key, 'POST', `/v1/approvals/${id}/approve`, { comment: 'ok for the release' });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.status, 'approved');

    const after = answer(await client.callTool({ name: 'access_status', arguments: { approval_request_id: id, wait_seconds: 5 } }));
    assert.equal(after.status, 'approved');
    assert.match(after.token.value, /^ast_/);

    const read = await client.callTool({ name: 'read_secret', arguments: { path: `${ns}/vault/signing-key`, token: after.token.value } });
    assert.equal(read.isError, false);
    const secret = answer(read);
    assert.equal(secret.value, secretValue);
    assert.equal(secret.tier, 'sensitive');

    // The audit names the agent as the actor of the read, and the door it came through.
    const audit = await api(ADMIN_KEY, 'GET', `/v1/audit?actor=${agent.id}&action=secret.read`);
    assert.equal(audit.status, 200, JSON.stringify(audit.body));
    const entry = audit.body.items.find((e) => e.path === `${ns}/vault/signing-key` && e.outcome === 'success');
    assert.ok(entry, JSON.stringify(audit.body.items));
    assert.equal(entry.actor.id, agent.id);
    assert.equal(entry.details.via, 'mcp');
  } finally {
    await client.close();
  }
});

test('a refusal is a tool error with the problem, and never echoes the token', async () => {
  const client = await connect(agent.key);
  try {
    const forged = `ast_${'y'.repeat(43)}`;
    const read = await client.callTool({ name: 'read_secret', arguments: { path: `${ns}/vault/signing-key`, token: forged } });
    assert.equal(read.isError, true);
    assert.ok(!read.content[0].text.includes(forged));
    const problem = answer(read);
    assert.equal(problem.status, 403);
    assert.equal(problem.type, 'https://agentsecretstore.dev/problems/forbidden');
    assert.equal(problem.detail, 'The token is not valid.');
  } finally {
    await client.close();
  }
});

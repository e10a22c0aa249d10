// The README's walk-through, every tier, approvals, collection, read, revoke, audit, webhooks,
// settings and the error paths, sent through Stoplight Prism's validating proxies (.ci/openapi.sh):
//   STRICT  `prism proxy --errors`: any request or response that breaks /q/openapi is refused by Prism;
//   LENIENT `prism proxy`: for requests that are wrong on purpose (a field of the wrong type, a
//           missing header); Prism forwards them and lists what it found in `sl-violations`, which
//           may then name the request only, never the response.
// Plain Node 18+ (fetch, node:http, node:assert); no dependencies. Exits non-zero on the first failure.
import assert from 'node:assert/strict';
import http from 'node:http';

import { SoftPasskey } from '../e2e/softpasskey.mjs';

const STRICT = process.env.PRISM_STRICT_URL;
const LENIENT = process.env.PRISM_LENIENT_URL;
const SERVICE = process.env.ASS_BASE_URL;
const ADMIN = process.env.ASS_ADMIN_KEY;
const HOOK_PORT = Number(process.env.WEBHOOK_PORT);
const PROBLEM = 'https://agentsecretstore.dev/problems/';
let steps = 0;

/** One request through a proxy; checks the status, that Prism found nothing, and returns the JSON body. */
async function call(method, path, { key = ADMIN, body, headers = {}, expect, via = STRICT, type, raw } = {}) {
  const h = { ...headers };
  if (key) h.authorization = `Bearer ${key}`;
  if (body !== undefined) h['content-type'] ??= 'application/json';
  const res = await fetch(via + path, {
    method, headers: h, body: body === undefined ? undefined : (raw ? body : JSON.stringify(body)),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await res.text();
  const what = `${method} ${path} (${via === STRICT ? 'strict' : via === LENIENT ? 'lenient' : 'direct'})`;
  const json = text ? JSON.parse(text) : undefined;
  if (typeof json?.type === 'string' && json.type.startsWith('https://stoplight.io/')) {
    assert.fail(`${what}: Prism refused it: ${text}`);
  }
  const violations = JSON.parse(res.headers.get('sl-violations') ?? '[]');
  if (via === STRICT) {
    assert.deepEqual(violations, [], `${what}: violations ${JSON.stringify(violations)}`);
  } else if (via === LENIENT) {
    assert.ok(violations.length > 0, `${what}: sent as invalid, but Prism found nothing wrong with it`);
    const notRequest = violations.filter((v) => v.location?.[0] !== 'request');
    assert.deepEqual(notRequest, [], `${what}: response violations ${JSON.stringify(notRequest)}`);
  }
  assert.equal(res.status, expect, `${what}: status ${res.status}, expected ${expect}: ${text}`);
  if (res.status >= 400) {
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, `${what}: not problem+json`);
    if (type) assert.equal(json.type, PROBLEM + type, `${what}: problem type`);
  }
  steps++;
  return json;
}

const get = (path, o) => call('GET', path, o);
const post = (path, body, o) => call('POST', path, { body, ...o });
const put = (path, body, o) => call('PUT', path, { body, ...o });
const unique = Date.now().toString(36);
const ns = 'production';

// A local receiver for webhook deliveries.
const deliveries = [];
const receiver = http.createServer((req, res) => {
  let b = '';
  req.on('data', (c) => { b += c; });
  req.on('end', () => { deliveries.push({ headers: req.headers, body: b }); res.writeHead(204).end(); });
});
await new Promise((r) => receiver.listen(HOOK_PORT, '127.0.0.1', r));

async function until(what, fn, timeoutMs = 120_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

try {
  // 1. Principals: an agent, two approvers.
  const agent = await post('/v1/principals', { name: `agent-orchestrator-${unique}`, role: 'agent', namespaces: [ns] }, { expect: 201 });
  assert.match(agent.api_key, /^ass_/);
  const AGENT = agent.api_key;
  const alice = await post('/v1/principals', { name: `alice-${unique}`, role: 'approver', namespaces: [ns], email: 'alice@example.com' }, { expect: 201 });
  const bob = await post('/v1/principals', { name: `bob-${unique}`, role: 'approver', namespaces: [ns] }, { expect: 201 });
  const ALICE = alice.api_key;
  const BOB = bob.api_key;
  // Critical approvals need a passkey step-up: each approver registers a software passkey (real
  // ES256 signatures) for the service's origin, and answers a fresh challenge per approval.
  const origin = new URL(SERVICE).origin;
  const passkeys = {};
  for (const key of [ALICE, BOB]) {
    const passkey = new SoftPasskey(origin, new URL(SERVICE).hostname);
    const options = await post('/v1/passkeys/registration-options', undefined, { key, expect: 200 });
    await post('/v1/passkeys', passkey.registration(options.challenge), { key, expect: 201 });
    passkeys[key] = passkey;
  }
  const stepUp = async (apr, key) => passkeys[key].assertion(
    (await post(`/v1/approvals/${apr}/step-up`, undefined, { key, expect: 200 })).challenge);
  await post('/v1/principals', { name: `bob-${unique}`, role: 'approver', namespaces: [ns] }, { expect: 409, type: 'conflict' });
  await post('/v1/principals', { name: `x-${unique}`, role: 'agent', namespaces: [ns], bogus: 1 }, { expect: 400, type: 'bad-request' });
  await post('/v1/principals', { name: `x-${unique}`, role: 'wizard', namespaces: [ns] }, { expect: 422, type: 'validation-failed', via: LENIENT });
  await post('/v1/principals', { name: `x-${unique}`, role: 'agent', namespaces: ns }, { expect: 400, type: 'bad-request', via: LENIENT });
  await post('/v1/principals', { name: `x-${unique}`, role: 'agent', namespaces: [ns] }, { key: AGENT, expect: 403, type: 'forbidden' });
  await post('/v1/principals', 'x', { raw: true, headers: { 'content-type': 'text/plain' }, expect: 415, type: 'unsupported-media-type', via: LENIENT });
  await get('/v1/principals/me', { key: 'ass_not_a_key', expect: 401, type: 'unauthorized' });
  const me = await get('/v1/principals/me', { key: AGENT, expect: 200 });
  assert.equal(me.id, agent.id);
  await get('/v1/principals', { expect: 200 });
  await get(`/v1/principals/${agent.id}`, { expect: 200 });
  await get('/v1/principals/prn_nosuch', { expect: 404, type: 'not-found' });
  await call('PATCH', `/v1/principals/${bob.id}`, { body: { email: 'bob@example.com' }, expect: 200 });
  const key2 = await post(`/v1/principals/${agent.id}/keys`, undefined, { key: AGENT, expect: 201 });
  await call('DELETE', `/v1/principals/${agent.id}/keys/${key2.id}`, { key: AGENT, expect: 204 });

  // 2–3. Secrets, in the query form generated clients use; the curl form answers the same.
  const stripe = `/v1/secret?path=${ns}/stripe/api-key`;
  const created = await put(stripe, { value: 'sk_live_example', tier: 'critical', metadata: { owner: 'payments' } }, { expect: 201 });
  assert.equal(created.current_version, 1);
  const again = await put(stripe, { value: 'sk_live_example2' }, { expect: 200 });
  assert.equal(again.current_version, 2);
  const curlForm = await (await fetch(`${SERVICE}/v1/secrets/${ns}/stripe/api-key/versions`, { headers: { authorization: `Bearer ${ADMIN}` } })).json();
  const versions = await get(`/v1/secret/versions?path=${ns}/stripe/api-key`, { expect: 200 });
  assert.deepEqual(versions, curlForm, 'the query form and the curl form answer alike');
  await put(`/v1/secret?path=${ns}/openai/api-key`, { value: 'sk-openai', tier: 'standard' }, { expect: 201 });
  await put(`/v1/secret?path=${ns}/misc/flag`, { value: 'on' }, { expect: 201 });
  await put(`/v1/secret?path=${ns}/old/gone`, { value: 'bye' }, { expect: 201 });
  await put('/v1/secret?path=production', { value: 'x' }, { expect: 422, type: 'validation-failed' });
  await put('/v1/secret?path=production/nul%00', { value: 'x' }, { expect: 422, type: 'validation-failed' });
  const list = await get(`/v1/secrets?prefix=${ns}/`, { expect: 200 });
  assert.ok(list.items.some((s) => s.path === `${ns}/stripe/api-key`));
  assert.ok(!JSON.stringify(list).includes('sk_live'), 'a list shows no value');
  await call('DELETE', `/v1/secret?path=${ns}/old/gone`, { expect: 204 });
  await call('DELETE', `/v1/secret?path=${ns}/old/gone`, { expect: 404, type: 'not-found' });

  // Approvals: the reference's policy (a short delay, so CI need not wait five minutes).
  const policy = await put(`/v1/namespaces/${ns}/policy`, {
    default_tier: 'standard',
    path_overrides: [
      { pattern: `${ns}/stripe/*`, tier: 'critical', required_approvals: 2, approval_delay_seconds: 2 },
      { pattern: `${ns}/openai/*`, tier: 'sensitive', required_approvals: 1 },
    ],
  }, { expect: 200 });
  assert.ok(policy);
  await put(`/v1/namespaces/${ns}/policy`, { default_tier: 'secret-ish' }, { expect: 422, type: 'validation-failed' });
  await get(`/v1/namespaces/${ns}/policy`, { key: ALICE, expect: 200 });
  const sim = await post(`/v1/namespaces/${ns}/policy/simulate`, { principal_id: agent.id, scope: `secrets:read:${ns}/stripe/*` }, { expect: 200 });
  assert.ok(sim);

  // Standard tier: the token at once (201).
  const std = await post('/v1/tokens', { scope: `secrets:read:${ns}/misc/*`, ttl_seconds: 300, description: 'standard read' }, { key: AGENT, expect: 201 });
  assert.equal(std.status, 'approved');
  const flag = await get(`/v1/secret?path=${ns}/misc/flag`, { key: AGENT, headers: { 'x-secret-token': std.value }, expect: 200 });
  assert.equal(flag.value, 'on');
  await get(`/v1/secret?path=${ns}/misc/flag`, { key: AGENT, expect: 403, type: 'forbidden', via: LENIENT });
  await get(`/v1/secret?path=${ns}/stripe/api-key`, { key: AGENT, headers: { 'x-secret-token': std.value }, expect: 403, type: 'forbidden' });
  await post('/v1/tokens', { scope: `secrets:read:${ns}/misc/*`, ttl_seconds: 'long' }, { key: AGENT, expect: 400, type: 'bad-request', via: LENIENT });
  await post('/v1/tokens', { scope: 'secrets:read:elsewhere/*' }, { key: AGENT, expect: 403, type: 'forbidden' });
  await post('/v1/tokens', { ttl_seconds: 300 }, { key: AGENT, expect: 422, type: 'validation-failed' });

  // Sensitive: one approval, then the token is issued.
  const sens = await post('/v1/tokens', { scope: `secrets:read:${ns}/openai/*`, ttl_seconds: 300, description: 'sensitive read' }, { key: AGENT, expect: 202 });
  assert.equal(sens.status, 'pending');
  await post(`/v1/approvals/${sens.approval_request_id}/approve`, { comment: 'self' }, { key: AGENT, expect: 403, type: 'forbidden' });
  await post(`/v1/approvals/${sens.approval_request_id}/approve`, { comment: 'ok' }, { key: ALICE, expect: 200 });
  await post(`/v1/approvals/${sens.approval_request_id}/approve`, { comment: 'late' }, { key: BOB, expect: 409 });
  const sensTok = await get(`/v1/approvals/${sens.approval_request_id}/token`, { key: AGENT, expect: 200 });
  const openai = await get(`/v1/secret?path=${ns}/openai/api-key`, { key: AGENT, headers: { 'x-secret-token': sensTok.value }, expect: 200 });
  assert.equal(openai.value, 'sk-openai');

  // Critical: two approvers, the delay, the long-poll, collection, read, revoke.
  const crit = await post('/v1/tokens', { scope: `secrets:read:${ns}/stripe/*`, ttl_seconds: 300, description: 'Payment processing run #4821' }, { key: AGENT, expect: 202 });
  assert.equal(crit.tier, 'critical');
  assert.equal(crit.required_approvals, 2);
  const apr = crit.approval_request_id;
  await get(`/v1/approvals/${apr}/token`, { key: AGENT, expect: 409, type: 'no-token-to-collect' });
  await get(`/v1/approvals?status=pending`, { key: ALICE, expect: 200 });
  await get(`/v1/approvals/${apr}`, { key: BOB, expect: 200 });
  await post(`/v1/approvals/${apr}/approve`, { comment: 'no passkey' }, { key: ALICE, expect: 403, type: 'step-up-required' });
  await post(`/v1/approvals/${apr}/approve`, { comment: 'Approved for scheduled payment batch', step_up: await stepUp(apr, ALICE) }, { key: ALICE, expect: 200 });
  await post(`/v1/approvals/${apr}/approve`, { comment: 'twice' }, { key: ALICE, expect: 409, type: 'already-approved' });
  const delayed = await post(`/v1/approvals/${apr}/approve`, { comment: 'ok', step_up: await stepUp(apr, BOB) }, { key: BOB, expect: 200 });
  assert.equal(delayed.status, 'delayed');
  await get(`/v1/approvals/${apr}/wait?timeout_seconds=100000`, { key: AGENT, expect: 422, type: 'validation-failed' });
  await until('the delayed token', async () => {
    const v = await get(`/v1/approvals/${apr}/wait?timeout_seconds=30`, { key: AGENT, expect: 200 });
    return v.status === 'approved' && v.token_id;
  });
  const tok = await get(`/v1/approvals/${apr}/token`, { key: AGENT, expect: 200 });
  assert.match(tok.value, /^ast_/);
  const value = await get(stripe, { key: AGENT, headers: { 'x-secret-token': tok.value }, expect: 200 });
  assert.equal(value.value, 'sk_live_example2');
  await get(`${stripe}&version=1`, { key: AGENT, headers: { 'x-secret-token': tok.value }, expect: 200 });
  await get(`/v1/approvals/${apr}/receipt`, { key: AGENT, expect: 200 });
  await post(`/v1/tokens/${tok.token_id}/revoke`, undefined, { key: AGENT, expect: 200 });
  await get(stripe, { key: AGENT, headers: { 'x-secret-token': tok.value }, expect: 403, type: 'forbidden' });
  await get(`/v1/approvals/${apr}/token`, { key: AGENT, expect: 409 });
  await post('/v1/tokens/tok_nosuch/revoke', undefined, { key: AGENT, expect: 404, type: 'not-found' });

  // Deny (a reason is required; one denial ends it) and cancel.
  const d = await post('/v1/tokens', { scope: `secrets:read:${ns}/stripe/*`, ttl_seconds: 60, description: 'to deny' }, { key: AGENT, expect: 202 });
  await post(`/v1/approvals/${d.approval_request_id}/deny`, {}, { key: ALICE, expect: 422, type: 'validation-failed' });
  const denied = await post(`/v1/approvals/${d.approval_request_id}/deny`, { reason: 'Unexpected access pattern — investigating' }, { key: ALICE, expect: 200 });
  assert.equal(denied.status, 'denied');
  await post(`/v1/approvals/${d.approval_request_id}/approve`, { comment: 'too late' }, { key: BOB, expect: 409, type: 'approval-closed' });
  const c = await post('/v1/tokens', { scope: `secrets:read:${ns}/stripe/*`, ttl_seconds: 60, description: 'to cancel' }, { key: AGENT, expect: 202 });
  const cancelled = await post(`/v1/approvals/${c.approval_request_id}/cancel`, { reason: 'not needed' }, { key: BOB, expect: 200 });
  assert.equal(cancelled.status, 'cancelled');
  await get('/v1/approvals/apr_nosuch', { key: AGENT, expect: 404, type: 'not-found' });

  // Webhooks: registration, a real delivery, the log, redelivery, rotation, enable, deletion.
  const hookUrl = `http://127.0.0.1:${HOOK_PORT}/hooks/${unique}`;
  const hook = await post('/v1/webhooks', { url: hookUrl, events: ['approval.requested', 'approval.approved', 'approval.denied'], secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }, { key: AGENT, expect: 201 });
  await post('/v1/webhooks', { url: hookUrl, events: ['approval.requested'] }, { key: AGENT, expect: 409, type: 'conflict' });
  await post('/v1/webhooks', { url: 'ftp://example.com/x', events: ['approval.requested'] }, { key: AGENT, expect: 422, type: 'validation-failed' });
  await get('/v1/webhooks', { key: AGENT, expect: 200 });
  await get(`/v1/webhooks/${hook.id}`, { key: AGENT, expect: 200 });
  await post('/v1/tokens', { scope: `secrets:read:${ns}/stripe/*`, ttl_seconds: 60, description: 'for the webhook' }, { key: AGENT, expect: 202 });
  await until('a webhook delivery', async () => deliveries.some((x) => x.headers['webhook-signature']));
  const log = await until('the delivery log', async () => {
    const page = await get(`/v1/webhooks/${hook.id}/deliveries`, { key: AGENT, expect: 200 });
    return page.items.find((x) => x.status === 'delivered') && page;
  });
  await post(`/v1/webhooks/${hook.id}/deliveries/${log.items[0].id}/redeliver`, undefined, { key: AGENT, expect: 202 });
  await post(`/v1/webhooks/${hook.id}/rotate-secret`, {}, { key: AGENT, expect: 200 });
  await post(`/v1/webhooks/${hook.id}/enable`, undefined, { key: AGENT, expect: 200 });
  await call('DELETE', `/v1/webhooks/${hook.id}`, { key: AGENT, expect: 204 });
  await get(`/v1/webhooks/${hook.id}`, { key: AGENT, expect: 404, type: 'not-found' });

  // Settings (MoltbotDen), admins only.
  await get('/v1/settings/integrations/moltbotden', { expect: 200 });
  await get('/v1/settings/integrations/moltbotden', { key: ALICE, expect: 403, type: 'forbidden' });
  await put('/v1/settings/integrations/moltbotden', { enabled: false }, { expect: 200 });
  await post('/v1/settings/integrations/moltbotden/test', { moltbotden_id: 'optional' }, { expect: 200 });

  // Audit: search, verify, the signed checkpoint, the public keys; the master keys.
  const entries = await get(`/v1/audit?action=secret.*&namespace=${ns}&limit=20`, { expect: 200 });
  assert.ok(entries.items.length > 0);
  await get(`/v1/audit?actor=${agent.id}&from=2026-01-01T00:00:00Z&to=2099-01-01T00:00:00Z`, { expect: 200 });
  await get('/v1/audit?from=yesterday', { expect: 422, type: 'validation-failed' });
  await get('/v1/audit', { key: AGENT, expect: 403, type: 'forbidden' });
  const verify = await get('/v1/audit/verify', { expect: 200 });
  assert.equal(verify.valid, true);
  const checkpoint = await until('a signed checkpoint', async () => {
    const res = await fetch(`${STRICT}/v1/audit/checkpoint`, { headers: { authorization: `Bearer ${ADMIN}` } });
    await res.arrayBuffer();
    return res.status === 200 && get('/v1/audit/checkpoint', { expect: 200 });
  });
  await get(`/v1/audit/verify?chain_seq=${checkpoint.chain_seq}&entry_hash=${checkpoint.entry_hash}`, { expect: 200 });
  await get('/v1/audit/public-key', { key: AGENT, expect: 200 });
  await get('/v1/system/master-keys', { expect: 200 });
  await post('/v1/system/master-keys/rewrap', undefined, { expect: 200 });

  // Over the failed sign-in limit: 429 with Retry-After (last: it blocks this address for the window).
  await until('the sign-in limit', async () => {
    const res = await fetch(`${STRICT}/v1/principals/me`, { headers: { authorization: 'Bearer ass_not_a_key' } });
    await res.arrayBuffer();
    if (res.status === 429) return true;
    assert.equal(res.status, 401);
    steps++;
    return false;
  });
  await get('/v1/principals/me', { key: 'ass_not_a_key', expect: 429, type: 'rate-limited' });

  console.log(`walk-through through Prism: ${steps} requests, no violation`);
} finally {
  receiver.close();
}

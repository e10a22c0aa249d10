// End-to-end tests of the passkey step-up of critical approvals, in Chromium with a virtual
// authenticator (WebAuthn through the DevTools protocol): an approver registers a passkey in
// Settings and approves a critical request with it; the assertion the browser sent is then
// replayed, and presented by another approver and for another request, and each is refused.
// WebAuthn needs a domain, never an IP address: the browser uses http://localhost:<port>, the
// relying party run.sh configures (ASS_STEP_UP_RP_ID, ASS_STEP_UP_ORIGINS).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';
import { passkeyApprover } from './softpasskey.mjs';

const BASE = process.env.ASS_BASE_URL;
const ADMIN_KEY = process.env.ASS_ADMIN_KEY;
const SHOTS = process.env.ASS_SCREENSHOTS || 'screenshots';
const ORIGIN = process.env.ASS_PASSKEY_ORIGIN;
const RP_ID = process.env.ASS_PASSKEY_RP_ID;
if (!BASE || !ADMIN_KEY || !ORIGIN || !RP_ID) throw new Error('run through run.sh: ASS_BASE_URL, ASS_ADMIN_KEY and ASS_PASSKEY_* are needed');

const NS = 'pk-e2e';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser;
let page;
let cdp;
let authenticatorId;
const keys = {};
const ids = {};
/** The approve call the dashboard sent with its passkey assertion. */
let captured = null;

async function call(key, method, path, body) {
  const response = await fetch(BASE + path, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

async function ok(key, method, path, body, expected) {
  const r = await call(key, method, path, body);
  assert.ok(expected ? r.status === expected : r.status < 300, `${method} ${path} answered ${r.status}: ${JSON.stringify(r.json)}`);
  return r.json;
}

async function principal(name, role) {
  const p = await ok(ADMIN_KEY, 'POST', '/v1/principals', { name: `${name}-${randomBytes(4).toString('hex')}`, role, namespaces: [NS] }, 201);
  keys[name] = p.api_key;
  ids[name] = p.id;
}

async function requestCritical(description) {
  const r = await ok(keys.agent, 'POST', '/v1/tokens', { scope: `secrets:read:${NS}/vault/*`, ttl_seconds: 300, description }, 202);
  return r.approval_request_id;
}

function assertRefused(r, type, reason) {
  assert.equal(r.status, 403, JSON.stringify(r.json));
  assert.equal(r.json.type, `https://agentsecretstore.dev/problems/${type}`);
  if (reason) assert.equal(r.json.reason, reason);
}

before(async () => {
  await principal('carol', 'approver');
  await principal('dave', 'approver');
  await principal('agent', 'agent');
  const value = `value-${randomBytes(12).toString('hex')}`;
  await ok(ADMIN_KEY, 'PUT', `/v1/secrets/${NS}/vault/key`, { value, tier: 'critical' });
  await ok(ADMIN_KEY, 'PUT', `/v1/namespaces/${NS}/policy`, {
    default_tier: 'standard',
    path_overrides: [{ pattern: `${NS}/vault/*`, tier: 'critical', required_approvals: 2, approval_delay_seconds: 0 }],
  });

  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('request', (request) => {
    if (request.method() === 'POST' && /\/v1\/approvals\/[^/]+\/approve$/.test(new URL(request.url()).pathname)) {
      captured = { path: new URL(request.url()).pathname, body: request.postDataJSON() };
    }
  });
  // A platform authenticator with user verification (a fingerprint, say) that always says yes.
  cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true,
    },
  }));
});

after(async () => {
  if (browser) await browser.close();
});

test('an approver registers a passkey in Settings', async () => {
  await page.goto(`${ORIGIN}/dashboard`);
  await page.getByLabel('API key', { exact: true }).fill(keys.carol);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Approval queue' }).waitFor();
  await page.locator('#nav').getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { level: 1, name: 'Passkeys' }).waitFor();
  // An approver's Settings hold only its passkeys.
  const sections = await page.getByRole('navigation', { name: 'Settings' }).getByRole('link').allTextContents();
  assert.deepEqual(sections, ['Passkeys']);
  await page.getByText('You have no passkeys yet.').waitFor();
  await page.getByLabel('Name (optional)').fill('Virtual laptop');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.getByText('Passkey added: Virtual laptop.').waitFor();
  await page.locator('.passkey').getByRole('heading', { name: 'Virtual laptop' }).waitFor();
  const stored = await ok(keys.carol, 'GET', '/v1/passkeys');
  assert.deepEqual(stored.map((p) => p.label), ['Virtual laptop']);
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.equal(credentials.length, 1, 'the authenticator holds the new passkey');
  await page.screenshot({ path: `${SHOTS}/passkeys-1280.png`, fullPage: true });
});

test('a critical request is approved in the dashboard with the passkey', async () => {
  ids.request = await requestCritical('Rotate the vault root key');
  const before = await ok(keys.carol, 'GET', `/v1/approvals/${ids.request}`);
  assert.equal(before.step_up_required, true);
  assertRefused(await call(keys.carol, 'POST', `/v1/approvals/${ids.request}/approve`, { comment: 'no passkey' }), 'step-up-required');

  await page.goto(`${ORIGIN}/dashboard/approvals/${ids.request}`);
  await page.getByRole('heading', { level: 1, name: `Request ${ids.request}` }).waitFor();
  await page.getByText('Critical: approving asks for one of your passkeys').waitFor();
  await page.getByLabel('Comment (optional)').fill('Checked with the vault owner');
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  await page.getByText('Approved. 1 of 2 approvals received.').waitFor();
  const view = await ok(ADMIN_KEY, 'GET', `/v1/approvals/${ids.request}`);
  assert.equal(view.received_approvals, 1);
  assert.equal(view.approvals[0].approver_id, ids.carol);
  assert.ok(captured && captured.body.step_up, 'the dashboard sent a passkey assertion');
  assert.equal(captured.path, `/v1/approvals/${ids.request}/approve`);
  const [passkey] = await ok(keys.carol, 'GET', '/v1/passkeys');
  assert.ok(passkey.last_used_at, 'the passkey was used');
  await page.screenshot({ path: `${SHOTS}/passkey-approved-1280.png`, fullPage: true });
});

test('the assertion the browser sent, replayed, is refused', async () => {
  const replay = await call(keys.carol, 'POST', captured.path, captured.body);
  assertRefused(replay, 'step-up-invalid', 'challenge_unknown');
  assert.equal((await ok(ADMIN_KEY, 'GET', `/v1/approvals/${ids.request}`)).received_approvals, 1);
});

test('the assertion presented by another approver is refused', async () => {
  const foreign = await call(keys.dave, 'POST', captured.path, captured.body);
  assertRefused(foreign, 'step-up-invalid', 'challenge_unknown');
  assert.equal((await ok(ADMIN_KEY, 'GET', `/v1/approvals/${ids.request}`)).received_approvals, 1);
});

test('an assertion made for another request is refused, and the request is approved with a fresh one', async () => {
  const other = await requestCritical('Export the audit signing key');
  assertRefused(await call(keys.carol, 'POST', `/v1/approvals/${other}/approve`, captured.body), 'step-up-invalid', 'challenge_unknown');
  // A passkey step-up the browser makes for that request now is accepted.
  await page.goto(`${ORIGIN}/dashboard/approvals/${other}`);
  await page.getByRole('heading', { level: 1, name: `Request ${other}` }).waitFor();
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  await page.getByText('Approved. 1 of 2 approvals received.').waitFor();
  // Dave steps up with a passkey of his own (software, through the API) and the token is issued.
  const approveAsDave = await passkeyApprover(call, keys.dave, ORIGIN, RP_ID);
  const done = await approveAsDave(other, 'second of two');
  assert.equal(done.status, 200, JSON.stringify(done.json));
  assert.equal(done.json.status, 'approved');
  assert.deepEqual(page.errors, [], 'uncaught script errors');
});


// Single sign-on in the dashboard, end to end: the service started by run.sh with OIDC on, the real
// Keycloak of src/test/keycloak (people alice and bob, approvers in production), Debian's Chromium.
// People sign in on Keycloak's own login page; agents make their requests through the API.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';

const BASE = process.env.ASS_BASE_URL;
const ADMIN_KEY = process.env.ASS_ADMIN_KEY;
const ISSUER = process.env.ASS_OIDC_ISSUER;
const SHOTS = process.env.ASS_SCREENSHOTS || 'screenshots';
if (!BASE || !ADMIN_KEY || !ISSUER) throw new Error('run through run.sh: ASS_BASE_URL, ASS_ADMIN_KEY and ASS_OIDC_ISSUER are needed');

const NS = 'production';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser;
let agentKey;

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

async function requestToken(description) {
  const r = await ok(agentKey, 'POST', '/v1/tokens', { scope: `secrets:read:${NS}/sso-e2e/*`, ttl_seconds: 300, description }, 202);
  return r.approval_request_id;
}

async function openPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  return page;
}

async function done(page) {
  const csp = await page.evaluate(() => window.__csp).catch(() => []);
  await page.context().close();
  assert.deepEqual(csp, [], 'Content-Security-Policy violations');
  assert.deepEqual(page.errors, [], 'uncaught script errors');
}

/** From the dashboard's sign-in page: "Sign in with SSO", then Keycloak's own login form. */
async function signInWithSso(page, username) {
  const button = page.getByRole('button', { name: 'Sign in with SSO' });
  await page.getByText('Sign in through your organisation').waitFor();
  await button.click();
  await page.waitForURL((url) => url.href.startsWith(ISSUER));
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(`${username}-password`);
  await page.locator('#kc-login').click();
  await page.waitForURL((url) => url.href.startsWith(BASE + '/dashboard/') && !url.pathname.startsWith('/dashboard/signin'));
  await page.locator('#whoami').getByText(/\(approver\)/).waitFor();
}

before(async () => {
  const agent = await ok(ADMIN_KEY, 'POST', '/v1/principals',
    { name: `sso-agent-${randomBytes(4).toString('hex')}`, role: 'agent', namespaces: [NS] }, 201);
  agentKey = agent.api_key;
  await ok(ADMIN_KEY, 'PUT', `/v1/secrets/${NS}/sso-e2e/db`, { value: `v-${randomBytes(12).toString('hex')}`, tier: 'sensitive' });
  await ok(ADMIN_KEY, 'PUT', `/v1/namespaces/${NS}/policy`, {
    default_tier: 'standard',
    path_overrides: [{ pattern: `${NS}/sso-e2e/*`, tier: 'sensitive', required_approvals: 1 }],
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  if (browser) await browser.close();
});

test('alice signs in through Keycloak, approves a request, sees the approval as hers, and signs out of both', async () => {
  const id = await requestToken('Schema migration 42');
  const page = await openPage();
  // A deep link (as in a notification): sign-in first, then back to this very page.
  await page.goto(`${BASE}/dashboard/approvals/${id}`);
  await page.waitForURL(`${BASE}/dashboard/signin`);
  await signInWithSso(page, 'alice');
  await page.getByRole('heading', { level: 1, name: `Request ${id}` }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/dashboard/approvals/${id}`);

  // The session is an HttpOnly, Secure, SameSite cookie no script can read; no key in the tab.
  const cookies = await page.context().cookies(BASE);
  const session = cookies.find((c) => c.name.startsWith('q_session'));
  assert.ok(session, 'a session cookie');
  assert.equal(session.httpOnly, true);
  assert.equal(session.secure, true);
  assert.equal(session.sameSite, 'Lax');
  const seen = await page.evaluate(() => ({ cookies: document.cookie, stored: sessionStorage.getItem('ass.dashboard.apiKey') }));
  assert.ok(!seen.cookies.includes('q_session'), 'the session cookie is not visible to scripts');
  assert.equal(seen.stored, null);

  const who = (await page.locator('#whoami').textContent()).replace(/ \(approver\)$/, '');
  assert.match(who, /^alice/);
  await page.getByLabel('Comment (optional)').fill('Checked the migration plan');
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  await page.getByText('Approved. The token was issued to the requester.').waitFor();
  await page.locator('.timeline').getByText(who).first().waitFor();
  const view = await ok(ADMIN_KEY, 'GET', `/v1/approvals/${id}`);
  assert.equal(view.status, 'approved');
  assert.ok(JSON.stringify(view).includes(who), 'the approval names the person who signed in');
  await page.screenshot({ path: `${SHOTS}/sso-approved.png`, fullPage: true });

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.href.startsWith(`${BASE}/dashboard/signin`));
  await page.getByRole('button', { name: 'Sign in with SSO' }).waitFor();
  assert.ok(!(await page.context().cookies(BASE)).some((c) => c.name.startsWith('q_session')), 'the session cookie is gone');
  // Keycloak's session ended too: signing in again asks for the password.
  await page.getByText('Sign in through your organisation').waitFor();
  await page.getByRole('button', { name: 'Sign in with SSO' }).click();
  await page.waitForURL((url) => url.href.startsWith(ISSUER));
  await page.locator('#password').waitFor();
  await done(page);
});

test('a cross-site form POST that brings the session cookie but no CSRF token is refused', async () => {
  const id = await requestToken('Forged approval attempt');
  const page = await openPage();
  await page.goto(`${BASE}/dashboard/signin`);
  await signInWithSso(page, 'bob');

  // Another origin on the same host (another port: same site, so the browser sends the cookie).
  const attacker = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(`<!doctype html><form id="f" method="POST" action="${BASE}/v1/approvals/${id}/approve">`
      + '<input name="comment" value="forged"></form><script>document.getElementById("f").submit()</script>');
  });
  await new Promise((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  try {
    const response = page.waitForResponse((r) => r.url().endsWith(`/v1/approvals/${id}/approve`));
    await page.goto(`http://127.0.0.1:${attacker.address().port}/`);
    const refused = await response;
    assert.equal(refused.status(), 403);
    assert.match(refused.headers()['content-type'], /application\/problem\+json/);
    assert.match(await refused.text(), /CSRF/);
  } finally {
    attacker.close();
  }
  assert.equal((await ok(ADMIN_KEY, 'GET', `/v1/approvals/${id}`)).status, 'pending');
  await page.context().close();
});

test('an expired session leads back to sign-in and then to the page the person was on', async () => {
  const id = await requestToken('Expiry check');
  const page = await openPage();
  await page.goto(`${BASE}/dashboard/signin`);
  await signInWithSso(page, 'alice');
  await page.goto(`${BASE}/dashboard/approvals/${id}`);
  await page.getByRole('heading', { level: 1, name: `Request ${id}` }).waitFor();

  // A session cookie's Max-Age is the session's lifetime: at expiry the browser drops it.
  await page.context().clearCookies({ name: /^q_session/ });
  await page.reload();
  await page.waitForURL(`${BASE}/dashboard/signin`);
  await page.getByText('Your session has ended').waitFor();
  // Keycloak still knows alice: "Sign in with SSO" comes straight back, to the same request.
  await page.getByText('Sign in through your organisation').waitFor();
  await page.getByRole('button', { name: 'Sign in with SSO' }).click();
  await page.getByRole('heading', { level: 1, name: `Request ${id}` }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/dashboard/approvals/${id}`);
  await done(page);
});

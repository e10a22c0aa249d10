// End-to-end tests of Settings (admins only): Integrations (MoltbotDen, against a local registry
// stub that run.sh names in ASS_MOLTBOTDEN_URL), Approval Policies, Principals (with Kubernetes
// service-account bindings) and Webhooks.
// Screenshots of each page at 1280 and 390 px.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { chromium } from 'playwright-core';

const BASE = process.env.ASS_BASE_URL;
const ADMIN_KEY = process.env.ASS_ADMIN_KEY;
const SHOTS = process.env.ASS_SCREENSHOTS || 'screenshots';
const MD_PORT = Number(process.env.ASS_MOLTBOTDEN_STUB_PORT);
const MD_KEY = process.env.ASS_MOLTBOTDEN_API_KEY;
if (!BASE || !ADMIN_KEY || !MD_PORT) throw new Error('run through run.sh: ASS_BASE_URL, ASS_ADMIN_KEY and ASS_MOLTBOTDEN_STUB_PORT are needed');

const NS = 'e2e-settings';
const WIDE = { width: 1280, height: 900 };
const NARROW = { width: 390, height: 844 };
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser;
let registry;
const registryTiers = new Map();
const registryAuth = [];
const keys = {};

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

async function openPage(viewport = WIDE) {
  const context = await browser.newContext({ viewport });
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
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

async function signIn(page, key) {
  await page.goto(`${BASE}/dashboard`);
  await page.getByLabel('API key', { exact: true }).fill(key);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Approval queue' }).waitFor();
}

async function shoot(page, name) {
  for (const [label, size] of [['1280', WIDE], ['390', NARROW]]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(150);
    await page.screenshot({ path: `${SHOTS}/${name}-${label}.png`, fullPage: true });
  }
  await page.setViewportSize(WIDE);
}

async function openSettings(page, section) {
  await page.locator('#nav').getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { level: 1, name: 'Integrations' }).waitFor();
  if (section !== 'Integrations') {
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: section }).click();
  }
}

before(async () => {
  // The MoltbotDen registry: GET /v1/agents/{id} → {"id", "trust_tier"}, 404 for ids it does not know.
  registry = http.createServer((req, res) => {
    registryAuth.push(req.headers.authorization || '');
    const m = /^\/v1\/agents\/([^/]+)$/.exec(req.url);
    const id = m ? decodeURIComponent(m[1]) : null;
    const tier = id && registryTiers.get(id);
    res.writeHead(tier ? 200 : 404, { 'Content-Type': 'application/json' });
    res.end(tier ? JSON.stringify({ id, trust_tier: tier }) : '{"error":"not found"}');
  });
  await new Promise((resolve) => registry.listen(MD_PORT, '127.0.0.1', resolve));

  const approver = await ok(ADMIN_KEY, 'POST', '/v1/principals', { name: 'settings-approver', role: 'approver', namespaces: [NS] }, 201);
  keys.approver = approver.api_key;
  await ok(ADMIN_KEY, 'PUT', `/v1/namespaces/${NS}/policy`, {
    default_tier: 'standard',
    path_overrides: [{ pattern: `${NS}/openai/*`, tier: 'sensitive', required_approvals: 1 }],
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await call(ADMIN_KEY, 'PUT', '/v1/settings/integrations/moltbotden', { enabled: false });
  if (browser) await browser.close();
  if (registry) registry.close();
});

test('an approver\'s Settings hold only its passkeys; at an admin Settings address it is told so and keeps its Policies page', async () => {
  const page = await openPage();
  await signIn(page, keys.approver);
  await page.locator('#nav').getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { level: 1, name: 'Passkeys' }).waitFor();
  assert.deepEqual(await page.getByRole('navigation', { name: 'Settings' }).getByRole('link').allTextContents(), ['Passkeys']);
  assert.equal(await page.locator('#nav').getByRole('link', { name: 'Policies' }).isVisible(), true);
  await page.goto(`${BASE}/dashboard/settings/principals`);
  await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
  await page.getByText('This part of Settings is for admins.').waitFor();
  assert.equal(await page.locator('table.principals').count(), 0);
  await done(page);
});

test('integrations: MoltbotDen is switched on, the connection tested, and the last lookup shown', async () => {
  const agentId = 'md-e2e-verified';
  registryTiers.set(agentId, 'T5');
  await call(ADMIN_KEY, 'PUT', '/v1/settings/integrations/moltbotden', { enabled: false });
  const page = await openPage();
  await signIn(page, ADMIN_KEY);
  await openSettings(page, 'Integrations');
  const facts = page.locator('dl.facts').first();
  await facts.getByText(`http://127.0.0.1:${MD_PORT}`).waitFor();
  await facts.getByText('configured (ASS_MOLTBOTDEN_API_KEY, never shown)').waitFor();
  assert.equal(await page.getByLabel('Use MoltbotDen trust tiers').isChecked(), false);

  await page.getByLabel('Use MoltbotDen trust tiers').check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('Saved: MoltbotDen trust tiers are on.').waitFor();
  assert.equal((await ok(ADMIN_KEY, 'GET', '/v1/settings/integrations/moltbotden')).enabled, true);

  await page.getByRole('button', { name: 'Test connection' }).click();
  await page.locator('.test-result').getByText('Connection works.').waitFor();
  await page.locator('.test-result').getByText(/not registered/).waitFor();
  assert.equal(registryAuth[registryAuth.length - 1], `Bearer ${MD_KEY}`);

  // A bad URL is refused by the server, by its field.
  await page.getByLabel('Registry URL').fill('ftp://registry.example');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.locator('[data-field="base_url"] .field-error').getByText(/http\(s\) URL/).waitFor();
  await page.getByLabel('Registry URL').fill('');

  // An agent registered as Verified gets a sensitive token at once; the page shows that lookup.
  const agent = await ok(ADMIN_KEY, 'POST', '/v1/principals', { name: 'md-agent', role: 'agent', namespaces: [NS], moltbotden_id: agentId }, 201);
  const token = await ok(agent.api_key, 'POST', '/v1/tokens', { scope: `secrets:read:${NS}/openai/*`, ttl_seconds: 60, description: 'trusted' }, 201);
  assert.equal(token.status, 'approved');
  await page.reload();
  const last = page.locator('dl.last-lookup');
  await last.getByText(agentId).waitFor();
  await last.getByText(/Found/).waitFor();
  await last.getByText('Verified (T5)', { exact: true }).waitFor();
  const html = await page.content();
  assert.ok(!html.includes(MD_KEY), 'the registry key appears in the page');
  await shoot(page, 'settings-integrations');
  await done(page);
});

test('approval policies live under Settings for admins; the old address leads there', async () => {
  const page = await openPage();
  await signIn(page, ADMIN_KEY);
  await openSettings(page, 'Approval Policies');
  await page.getByRole('heading', { level: 1, name: 'Approval Policies' }).waitFor();
  await page.getByLabel('Namespace', { exact: true }).fill(NS);
  await page.getByRole('button', { name: 'Open' }).click();
  await page.getByRole('heading', { level: 1, name: `Policy of ${NS}` }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/dashboard/settings/policies/${NS}`);
  assert.equal(await page.locator('fieldset.override').first().getByLabel('Pattern').inputValue(), `${NS}/openai/*`);
  await shoot(page, 'settings-policies');
  await page.goto(`${BASE}/dashboard/policies/${NS}`);
  await page.getByRole('heading', { level: 1, name: `Policy of ${NS}` }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/dashboard/settings/policies/${NS}`);
  await done(page);
});

test('principals: create an agent, its key shown once with a copy button; override its tier, rotate and revoke keys, disable it', async () => {
  const page = await openPage();
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  await signIn(page, ADMIN_KEY);
  await openSettings(page, 'Principals');
  await page.getByRole('heading', { level: 1, name: 'Principals' }).waitFor();

  // The server's field errors land by their fields.
  await page.getByLabel('Name', { exact: true }).fill('bad name!');
  await page.getByRole('button', { name: 'Create principal' }).click();
  await page.locator('[data-field="name"] .field-error').waitFor();

  await page.getByLabel('Name', { exact: true }).fill('settings-agent');
  await page.getByLabel('Role', { exact: true }).selectOption('agent');
  await page.getByLabel('Namespaces').fill(NS);
  await page.getByLabel('MoltbotDen id').fill('md-e2e-unknown');
  await page.getByRole('button', { name: 'Create principal' }).click();
  const panel = page.getByRole('region', { name: 'New API key' });
  await panel.getByText('it is shown only this once').waitFor();
  const key = await panel.getByLabel('New API key').inputValue();
  assert.match(key, /^ass_[A-Za-z0-9]{30,}$/);
  await panel.getByRole('button', { name: 'Copy key' }).click();
  await panel.getByText('Copied.').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key);
  const me = await ok(key, 'GET', '/v1/principals/me');
  assert.equal(me.name, 'settings-agent');
  const row = page.locator('table.principals tbody tr', { hasText: 'settings-agent' });
  await row.waitFor();
  await shoot(page, 'settings-principals');
  await panel.getByRole('button', { name: 'Done' }).click();
  assert.ok(!(await page.content()).includes(key), 'the key is gone once dismissed');

  await row.getByRole('link', { name: 'settings-agent' }).click();
  await page.getByRole('heading', { level: 1, name: 'settings-agent (agent)' }).waitFor();
  await page.getByLabel('Trust tier override').selectOption('established');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Saved.').waitFor();
  assert.equal((await ok(ADMIN_KEY, 'GET', `/v1/principals/${me.id}`)).trust_tier, 'established');

  await page.getByRole('button', { name: 'Add a new key (rotate)' }).click();
  const rotated = await page.getByRole('region', { name: 'New API key' }).getByLabel('New API key').inputValue();
  assert.notEqual(rotated, key);
  const oldKeyId = (await ok(ADMIN_KEY, 'GET', `/v1/principals/${me.id}`)).keys[0].id;
  await page.getByRole('button', { name: `Revoke key ${oldKeyId}` }).click();
  await page.getByText(`Key ${oldKeyId} revoked`).waitFor();
  assert.equal((await call(key, 'GET', '/v1/principals/me')).status, 401);
  assert.equal((await call(rotated, 'GET', '/v1/principals/me')).status, 200);
  await shoot(page, 'settings-principal');

  await page.getByRole('button', { name: 'Disable principal' }).click();
  await page.getByText('Disabled: its keys stop working at once.').waitFor();
  assert.equal((await call(rotated, 'GET', '/v1/principals/me')).status, 401);
  await page.getByRole('button', { name: 'Enable principal' }).waitFor();
  await done(page);
});

test('principals: bind a Kubernetes service account to an agent, see it after reload, refuse it on a second agent, unbind it', async () => {
  const account = 'payments-e2e/stripe-runner';
  const first = await ok(ADMIN_KEY, 'POST', '/v1/principals', { name: 'k8s-agent-one', role: 'agent', namespaces: [NS] }, 201);
  const second = await ok(ADMIN_KEY, 'POST', '/v1/principals', { name: 'k8s-agent-two', role: 'agent', namespaces: [NS] }, 201);
  const page = await openPage();
  await signIn(page, ADMIN_KEY);
  await page.goto(`${BASE}/dashboard/settings/principals/${first.id}`);
  await page.getByRole('heading', { level: 1, name: 'k8s-agent-one (agent)' }).waitFor();
  const card = page.locator('section.card', { has: page.getByRole('heading', { name: 'Kubernetes service accounts' }) });
  await card.getByText('None bound.').waitFor();
  const error = card.locator('[data-field="kubernetes_service_accounts"] .field-error');

  // The server's 422 for a malformed account lands by the field.
  await card.getByLabel('Service account', { exact: true }).fill('Payments/Stripe_Runner');
  await card.getByRole('button', { name: 'Bind', exact: true }).click();
  await error.getByText(/lower-case DNS names/).waitFor();
  assert.equal(await card.getByLabel('Service account', { exact: true }).getAttribute('aria-invalid'), 'true');
  assert.deepEqual((await ok(ADMIN_KEY, 'GET', `/v1/principals/${first.id}`)).kubernetes_service_accounts, []);

  await card.getByLabel('Service account', { exact: true }).fill(account);
  await card.getByRole('button', { name: 'Bind', exact: true }).click();
  await page.getByText(`Bound ${account}`).waitFor();
  assert.deepEqual((await ok(ADMIN_KEY, 'GET', `/v1/principals/${first.id}`)).kubernetes_service_accounts, [account]);
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'k8s-agent-one (agent)' }).waitFor();
  await card.locator(`li[data-account="${account}"]`).getByText(account).waitFor();
  await shoot(page, 'settings-principal-kubernetes');

  // The list shows the binding too.
  await page.goto(`${BASE}/dashboard/settings/principals`);
  await page.locator('table.principals tbody tr', { hasText: 'k8s-agent-one' }).getByText(account).waitFor();

  // The same account on another agent: the server's 409 is shown by the field, nothing changes.
  await page.goto(`${BASE}/dashboard/settings/principals/${second.id}`);
  await page.getByRole('heading', { level: 1, name: 'k8s-agent-two (agent)' }).waitFor();
  await card.getByLabel('Service account', { exact: true }).fill(account);
  await card.getByRole('button', { name: 'Bind', exact: true }).click();
  await error.getByText(`The Kubernetes service account ${account} is already bound to another principal.`).waitFor();
  await card.getByText('None bound.').waitFor();
  assert.deepEqual((await ok(ADMIN_KEY, 'GET', `/v1/principals/${second.id}`)).kubernetes_service_accounts, []);

  await page.goto(`${BASE}/dashboard/settings/principals/${first.id}`);
  await card.getByRole('button', { name: `Unbind ${account}` }).click();
  await page.getByText(`Unbound ${account}`).waitFor();
  await card.getByText('None bound.').waitFor();
  assert.deepEqual((await ok(ADMIN_KEY, 'GET', `/v1/principals/${first.id}`)).kubernetes_service_accounts, []);
  await done(page);
});

test('webhooks live under Settings for admins', async () => {
  await ok(ADMIN_KEY, 'POST', '/v1/webhooks', {
    url: `http://127.0.0.1:${MD_PORT}/hooks/settings`, events: ['approval.requested'], description: 'settings e2e',
  }, 201);
  const page = await openPage();
  await signIn(page, ADMIN_KEY);
  await openSettings(page, 'Webhooks');
  await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
  await page.getByRole('link', { name: /\/hooks\/settings$/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Deliveries' }).waitFor();
  assert.match(new URL(page.url()).pathname, /^\/dashboard\/settings\/webhooks\/wh_/);
  await page.goto(`${BASE}/dashboard/settings/webhooks`);
  await page.getByRole('link', { name: /\/hooks\/settings$/ }).waitFor();
  await shoot(page, 'settings-webhooks');
  await done(page);
});

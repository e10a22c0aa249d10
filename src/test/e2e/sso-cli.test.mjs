// The approver CLI's single sign-on, end to end: `agentsecretstore login` (clients/python, device
// authorization grant) against the real Keycloak, its verification page driven in Chromium as a
// person would; then the CLI decides a request with the stored tokens, and `logout` forgets them.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, statSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';

const BASE = process.env.ASS_BASE_URL;
const ADMIN_KEY = process.env.ASS_ADMIN_KEY;
const ISSUER = process.env.ASS_OIDC_ISSUER;
const PY_SRC = process.env.ASS_PY_SRC;
if (!BASE || !ADMIN_KEY || !ISSUER || !PY_SRC) throw new Error('run through run.sh: ASS_BASE_URL, ASS_ADMIN_KEY, ASS_OIDC_ISSUER, ASS_PY_SRC');

const NS = 'production';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser;
let agentKey;
let home;

async function ok(key, method, path, body, expected) {
  const response = await fetch(BASE + path, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(expected ? response.status === expected : response.status < 300, `${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

function cliEnv() {
  const env = { ...process.env, PYTHONPATH: PY_SRC, XDG_CONFIG_HOME: home, ASS_BASE_URL: BASE, PYTHONUNBUFFERED: '1' };
  delete env.ASS_API_KEY;
  delete env.ASS_AGENT_KEY;
  return env;
}

/** Starts the CLI; resolves with its exit code and output. `onOutput` sees stdout as it comes. */
function cli(args, onOutput = () => {}) {
  const child = spawn('python3', ['-m', 'agentsecretstore', ...args], { env: cliEnv() });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; onOutput(stdout); });
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'ass-cli-'));
  const agent = await ok(ADMIN_KEY, 'POST', '/v1/principals',
    { name: `cli-agent-${randomBytes(4).toString('hex')}`, role: 'agent', namespaces: [NS] }, 201);
  agentKey = agent.api_key;
  await ok(ADMIN_KEY, 'PUT', `/v1/secrets/${NS}/cli-e2e/db`, { value: `v-${randomBytes(12).toString('hex')}`, tier: 'sensitive' });
  await ok(ADMIN_KEY, 'PUT', `/v1/namespaces/${NS}/policy`, {
    default_tier: 'standard',
    path_overrides: [
      { pattern: `${NS}/sso-e2e/*`, tier: 'sensitive', required_approvals: 1 },
      { pattern: `${NS}/cli-e2e/*`, tier: 'sensitive', required_approvals: 1 },
    ],
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  if (browser) await browser.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

test('login completes on Keycloak\'s device page; approvals list and approve use the stored tokens; logout removes them', async () => {
  let sawUrl;
  const urlShown = new Promise((resolve) => { sawUrl = resolve; });
  const login = cli(['login'], (out) => {
    const m = /\(or open (\S+)\)/.exec(out);
    if (m) sawUrl(m[1]);
  });
  const url = await Promise.race([urlShown, login.then((r) => { throw new Error(`login ended early: ${r.stdout} ${r.stderr}`); })]);
  assert.ok(url.startsWith(ISSUER), url);

  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  await page.goto(url);
  await page.locator('#username').fill('bob');
  await page.locator('#password').fill('bob-password');
  await page.locator('#kc-login').click();
  // Keycloak may ask the person to confirm the device's access.
  const yes = page.getByRole('button', { name: /^Yes$/ });
  if (await yes.waitFor({ timeout: 5000 }).then(() => true, () => false)) await yes.click();
  const result = await login;
  await context.close();
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /Signed in\./);
  const file = join(home, 'agentsecretstore', 'tokens.json');
  assert.equal(statSync(file).mode & 0o777, 0o600, 'the token file is readable by its owner only');
  assert.ok(!result.stdout.includes('eyJ'), 'no token is printed');

  const r = await ok(agentKey, 'POST', '/v1/tokens', { scope: `secrets:read:${NS}/cli-e2e/*`, ttl_seconds: 300, description: 'CLI approval' }, 202);
  const id = r.approval_request_id;
  const list = await cli(['approvals', 'list', '--namespace', NS]);
  assert.equal(list.code, 0, list.stderr);
  assert.ok(list.stdout.includes(id), list.stdout);
  const approve = await cli(['approvals', 'approve', id, '--comment', 'approved from the CLI']);
  assert.equal(approve.code, 0, approve.stderr);
  assert.match(approve.stdout, new RegExp(`Approved ${id}: status approved`));
  const view = await ok(ADMIN_KEY, 'GET', `/v1/approvals/${id}`);
  assert.equal(view.status, 'approved');
  assert.match(JSON.stringify(view.approvals), /"bob/);

  const logout = await cli(['logout']);
  assert.equal(logout.code, 0);
  assert.match(logout.stdout, /Signed out\./);
  assert.equal(existsSync(file), false);
  const after = await cli(['approvals', 'list']);
  assert.equal(after.code, 2, 'without a sign-in or a key the CLI refuses');
});

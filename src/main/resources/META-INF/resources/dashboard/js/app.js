// The dashboard shell: sign-in state, routing under /dashboard, the live feed and the clock that
// keeps countdowns current. Pages are modules exporting render(main, ctx), which may return
// { onEvent(event), onTick(), destroy() }.

import { api, whenUnauthorized } from './api.js';
import { h, replace, notice } from './dom.js';
import { LiveFeed } from './sse.js';
import { tick } from './format.js';
import * as session from './session.js';
import * as signin from './pages/signin.js';
import * as queue from './pages/queue.js';
import * as request from './pages/request.js';
import * as historyPage from './pages/history.js';
import * as policies from './pages/policies.js';
import * as webhooks from './pages/webhooks.js';
import * as integrations from './pages/integrations.js';
import * as principals from './pages/principals.js';
import * as passkeys from './pages/passkeys.js';
import { adminsOnly } from './pages/settings.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const sessionBox = document.getElementById('session');
const whoami = document.getElementById('whoami');
const liveBadge = document.getElementById('live');

const ROUTES = [
  { pattern: /^\/dashboard\/?$/, page: queue, nav: 'queue' },
  { pattern: /^\/dashboard\/queue\/?$/, page: queue, nav: 'queue' },
  { pattern: /^\/dashboard\/approvals\/([A-Za-z0-9_-]+)\/?$/, page: request, nav: 'queue', params: ['id'] },
  { pattern: /^\/dashboard\/history\/?$/, page: historyPage, nav: 'history' },
  // Admins find policies and webhooks under Settings; approvers keep them here (policies read-only).
  { pattern: /^\/dashboard\/policies(?:\/([A-Za-z0-9._-]+))?\/?$/, page: policies, nav: 'policies', params: ['namespace'], adminMovedTo: '/dashboard/settings/policies' },
  { pattern: /^\/dashboard\/webhooks(?:\/([A-Za-z0-9_-]+))?\/?$/, page: webhooks, nav: 'webhooks', params: ['id'], adminMovedTo: '/dashboard/settings/webhooks' },
  // Settings: admins only, but for everyone's own passkeys (the API refuses others anyway; this only spares them the page).
  { pattern: /^\/dashboard\/settings\/?$/, redirect: '/dashboard/settings/integrations', nonAdminRedirect: '/dashboard/settings/passkeys' },
  { pattern: /^\/dashboard\/settings\/passkeys\/?$/, page: passkeys, nav: 'settings' },
  { pattern: /^\/dashboard\/settings\/integrations\/?$/, page: integrations, nav: 'settings', admin: true },
  { pattern: /^\/dashboard\/settings\/policies(?:\/([A-Za-z0-9._-]+))?\/?$/, page: policies, nav: 'settings', params: ['namespace'], admin: true, base: '/dashboard/settings/policies' },
  { pattern: /^\/dashboard\/settings\/principals(?:\/([A-Za-z0-9_-]+))?\/?$/, page: principals, nav: 'settings', params: ['id'], admin: true },
  { pattern: /^\/dashboard\/settings\/webhooks(?:\/([A-Za-z0-9_-]+))?\/?$/, page: webhooks, nav: 'settings', params: ['id'], admin: true, base: '/dashboard/settings/webhooks' },
  { pattern: /^\/dashboard\/signin\/?$/, page: signin, nav: null, public: true },
];

let current = null;
let feed = null;
let signInMessage = null;

function match(pathname) {
  for (const route of ROUTES) {
    const m = route.pattern.exec(pathname);
    if (m) {
      const params = {};
      (route.params || []).forEach((name, i) => {
        if (m[i + 1] !== undefined) params[name] = decodeURIComponent(m[i + 1]);
      });
      return { route, params };
    }
  }
  return null;
}

export function navigate(path, { replaceState = false } = {}) {
  if (replaceState) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render({ moveFocus: true });
}

/** Shows the page for the current URL; after a navigation, focus goes to its heading for screen readers. */
function render({ moveFocus = false } = {}) {
  if (current && current.destroy) current.destroy();
  current = null;
  const found = match(location.pathname);
  const who = session.me();
  if (!found) {
    setNav(null);
    replace(main, h('h1', { tabindex: '-1' }, 'Page not found'),
      h('p', null, 'There is no such page. ', h('a', { href: '/dashboard/queue', 'data-route': true }, 'Go to the queue.')));
    focusHeading(moveFocus);
    return;
  }
  if (!found.route.public && !who) {
    session.rememberReturnTo(location.pathname + location.search);
    history.replaceState(null, '', '/dashboard/signin');
    render({ moveFocus });
    return;
  }
  if (found.route.public && who) {
    history.replaceState(null, '', '/dashboard/queue');
    render({ moveFocus });
    return;
  }
  if (found.route.redirect) {
    const admin = who && who.role === 'admin';
    history.replaceState(null, '', admin || !found.route.nonAdminRedirect ? found.route.redirect : found.route.nonAdminRedirect);
    render({ moveFocus });
    return;
  }
  if (found.route.adminMovedTo && who && who.role === 'admin') {
    const rest = location.pathname.replace(/^\/dashboard\/(policies|webhooks)/, '');
    history.replaceState(null, '', found.route.adminMovedTo + rest + location.search);
    render({ moveFocus });
    return;
  }
  setNav(found.route.nav);
  main.replaceChildren();
  if (found.route.admin && (!who || who.role !== 'admin')) {
    current = adminsOnly(main) || {};
    focusHeading(moveFocus);
    return;
  }
  const ctx = {
    params: found.params,
    base: found.route.base || null,
    query: new URLSearchParams(location.search),
    me: who,
    navigate,
    onSignedIn,
    message: signInMessage,
    liveState: () => liveBadge.getAttribute('data-state'),
  };
  signInMessage = null;
  current = found.route.page.render(main, ctx) || {};
  focusHeading(moveFocus && !current.ownsFocus);
}

function focusHeading(moveFocus) {
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    document.title = `${heading.textContent} — Agent Secret Store`;
    if (moveFocus) heading.focus();
  }
}

function setNav(active) {
  const signedIn = !!session.me();
  nav.hidden = !signedIn;
  sessionBox.hidden = !signedIn;
  const admin = signedIn && session.me().role === 'admin';
  for (const li of nav.querySelectorAll('[data-admin-only]')) li.hidden = !admin;
  for (const li of nav.querySelectorAll('[data-unless-admin]')) li.hidden = admin;
  for (const a of nav.querySelectorAll('a[data-nav]')) {
    if (a.getAttribute('data-nav') === active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function setLive(state) {
  const labels = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', stopped: 'Offline' };
  liveBadge.setAttribute('data-state', state);
  liveBadge.textContent = labels[state] || state;
  liveBadge.title = state === 'live' ? 'Receiving live updates' : 'Live updates are not connected; retrying on its own';
}

function startFeed() {
  if (feed) feed.stop();
  feed = new LiveFeed({
    getKey: session.apiKey,
    onEvent: (event) => {
      if (current && current.onEvent) current.onEvent(event);
    },
    onState: (state, info) => {
      setLive(state);
      // After a reconnect the replay brings what was missed, but a page may also want a fresh read.
      if (state === 'live' && info && info.resumed && current && current.onEvent) current.onEvent({ type: 'feed.resumed' });
    },
    onUnauthorized: () => expired(),
  });
  feed.start();
}

/**
 * A 401 mid-session: back to sign-in. A single sign-on session has expired, and signing in again
 * returns to the page the person was on; a refused key was revoked, and nothing is kept for it.
 */
function expired() {
  const sso = session.isSso();
  if (sso) session.rememberReturnTo(location.pathname + location.search);
  signOut(sso ? 'Your session has ended. Sign in again to continue where you were.'
    : 'Your session ended: the key is no longer accepted. Sign in again.');
}

function signOut(message) {
  if (feed) feed.stop();
  feed = null;
  session.signOut();
  whoami.textContent = '';
  signInMessage = message || null;
  navigate('/dashboard/signin', { replaceState: true });
}

/**
 * The sign-out button. A single sign-on session is ended by the server (audited, CSRF-checked),
 * which then sends the browser through the identity provider's logout and back to sign-in.
 */
async function signOutButton() {
  if (!session.isSso()) {
    signOut('You are signed out.');
    return;
  }
  try {
    const result = await api('POST', '/sso/signout');
    if (feed) feed.stop();
    feed = null;
    session.signOut();
    location.assign(result.logout_url);
  } catch (e) {
    if (e.status === 401) signOut('You are signed out.');
    else replace(main, notice('error', `Could not sign out: ${e.summary}`));
  }
}

function onSignedIn(who) {
  whoami.textContent = `${who.name} (${who.role})`;
  startFeed();
  navigate(session.takeReturnTo(), { replaceState: true });
}

async function boot() {
  whenUnauthorized(() => expired());
  document.getElementById('signout').addEventListener('click', () => signOutButton());
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.target.closest('a[href]');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || !url.pathname.startsWith('/dashboard')) return;
    e.preventDefault();
    navigate(url.pathname + url.search);
  });
  window.addEventListener('popstate', () => render({ moveFocus: true }));
  setInterval(() => {
    tick(main);
    if (current && current.onTick) current.onTick();
  }, 1000);

  const key = session.apiKey();
  if (key) {
    try {
      const who = await api('GET', '/v1/principals/me', { key });
      if (who.role === 'agent') {
        session.signOut();
        signInMessage = 'Agents cannot sign in to approve.';
      } else {
        session.setPrincipal(who);
        whoami.textContent = `${who.name} (${who.role})`;
        startFeed();
      }
    } catch (e) {
      session.signOut();
      signInMessage = e.status === 401 ? 'Your key is no longer accepted. Sign in again.' : `Could not check your key: ${e.summary}`;
    }
  } else if (session.csrfToken()) {
    // A single sign-on session may be there (its cookie is HttpOnly: only the server can tell).
    session.markSso();
    try {
      const who = await api('GET', '/v1/principals/me');
      session.setPrincipal(who);
      whoami.textContent = `${who.name} (${who.role})`;
      startFeed();
      if (location.pathname.startsWith('/dashboard/signin')) history.replaceState(null, '', session.takeReturnTo());
    } catch (e) {
      session.signOut();
      if (e.status === 401) {
        if (!location.pathname.startsWith('/dashboard/signin')) session.rememberReturnTo(location.pathname + location.search);
        signInMessage = 'Your session has ended. Sign in again to continue where you were.';
      } else {
        signInMessage = `Could not check your session: ${e.summary}`;
      }
    }
  }
  render();
}

boot().catch((e) => {
  replace(main, notice('error', `The dashboard failed to start: ${e.message}`));
});

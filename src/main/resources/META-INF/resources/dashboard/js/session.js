// The signed-in principal. Two ways in: an API key, which lives in sessionStorage only (gone when
// the tab closes, never put in a URL, never written to localStorage or a cookie); or single sign-on,
// where the session is an HttpOnly cookie this script cannot read, and the only thing it sees is the
// CSRF token it must echo on every state-changing call.

const KEY = 'ass.dashboard.apiKey';
const RETURN_TO = 'ass.dashboard.returnTo';

let principal = null;

export function apiKey() {
  return sessionStorage.getItem(KEY);
}

/** The single sign-on session's CSRF token (a cookie set at sign-in), or null without such a session. */
export function csrfToken() {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    if (name === '__Host-ass_csrf' || name === 'ass_csrf') return decodeURIComponent(part.slice(eq + 1).trim()) || null;
  }
  return null;
}

/**
 * How this tab signed in last: 'key' or 'sso'. Kept after sign-out, so that a late 401 (the live
 * feed's, say) still tells which kind of session ended.
 */
let mode = null;

export function markSso() {
  mode = 'sso';
}

export function isSso() {
  return mode === 'sso';
}

export function me() {
  return principal;
}

export function signIn(key, who) {
  sessionStorage.setItem(KEY, key);
  principal = who;
  mode = 'key';
}

export function setPrincipal(who) {
  principal = who;
}

export function signOut() {
  sessionStorage.removeItem(KEY);
  principal = null;
}

/** Where to go after signing in: a dashboard path, never anything else. */
export function rememberReturnTo(path) {
  if (path && path.startsWith('/dashboard/') && !path.startsWith('/dashboard/signin')) {
    sessionStorage.setItem(RETURN_TO, path);
  }
}

export function takeReturnTo() {
  const path = sessionStorage.getItem(RETURN_TO);
  sessionStorage.removeItem(RETURN_TO);
  return path && path.startsWith('/dashboard/') ? path : '/dashboard/queue';
}

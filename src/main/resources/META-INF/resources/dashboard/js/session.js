// The signed-in principal. The API key lives in sessionStorage only: it is gone when the tab
// closes, it is never put in a URL, and it is never written to localStorage or a cookie.

const KEY = 'ass.dashboard.apiKey';
const RETURN_TO = 'ass.dashboard.returnTo';

let principal = null;

export function apiKey() {
  return sessionStorage.getItem(KEY);
}

export function me() {
  return principal;
}

export function signIn(key, who) {
  sessionStorage.setItem(KEY, key);
  principal = who;
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

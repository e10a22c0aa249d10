// Same-origin calls to the /v1 API: with the tab's API key, or else with the single sign-on session
// cookie, proving on every state-changing call that the page (not another site) sends it. Errors
// arrive as RFC 9457 problem+json and are thrown as ApiError, keeping `detail` and the per-field `errors`.

import { apiKey, csrfToken } from './session.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.title = problem.title || `HTTP ${status}`;
    this.detail = problem.detail || null;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }

  /** A line fit to show: the problem's detail, else its title. */
  get summary() {
    return this.detail || this.title;
  }
}

let onUnauthorized = () => {};

/** Called when a call answers 401: the key was revoked or the principal disabled. */
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

/**
 * Calls the API. `key` overrides the session's key (used to check a key before keeping it).
 * Resolves to the parsed JSON body (null for 204); rejects with ApiError.
 */
export async function api(method, path, { body, key, query } = {}) {
  const headers = { Accept: 'application/json' };
  const auth = key || apiKey();
  if (auth) headers.Authorization = `Bearer ${auth}`;
  else if (!SAFE.has(method)) headers['X-CSRF-Token'] = csrfToken() || '';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let url = path;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== null && v !== undefined && v !== '') params.set(k, v);
    }
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      // A key travels in the header only; without one, the session cookie is the credential.
      credentials: auth ? 'omit' : 'same-origin',
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, { title: 'Network error', detail: 'The server could not be reached. Check your connection and try again.' });
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let parsed = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      parsed = null;
    }
  }
  if (!response.ok) {
    const problem = parsed && typeof parsed === 'object' ? parsed : { title: response.statusText };
    const error = new ApiError(response.status, problem);
    if (response.status === 401 && !key) onUnauthorized(error);
    throw error;
  }
  return parsed;
}

/** Every item of a paged list, following next_cursor (bounded, for small lists). */
export async function all(path, query = {}, maxPages = 10) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < maxPages; i++) {
    const page = await api('GET', path, { query: { ...query, limit: 500, cursor } });
    items.push(...(page.items || []));
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return items;
}

/** Puts a problem's field errors next to their fields; returns the ones that had no field. */
export function placeFieldErrors(error, scope, setFieldError) {
  const unplaced = [];
  for (const e of error.errors) {
    if (!setFieldError(scope, e.field, e.message)) unplaced.push(e);
  }
  return unplaced;
}

// Times, durations and badges.

import { h } from './dom.js';

/** "2025-01-15 10:30:00 UTC"-like local text, with the exact instant in a <time> element. */
export function time(iso) {
  if (!iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return h('time', { datetime: iso, title: iso }, d.toLocaleString(undefined, {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }));
}

/** "1 h 02 min", "4 min 05 s", "12 s" */
export function duration(ms) {
  const total = Math.max(0, Math.round(ms / 1000));
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (n) => String(n).padStart(2, '0');
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${pad(minutes)} min`;
  if (minutes > 0) return `${minutes} min ${pad(seconds)} s`;
  return `${seconds} s`;
}

/**
 * A countdown element, kept current by tick(). `data-deadline` holds the instant; the text says
 * how long is left, or `doneText` once it has passed.
 */
export function countdown(iso, { prefix = '', doneText = 'now', className = 'countdown' } = {}) {
  const el = h('span', { class: className, 'data-deadline': iso, 'data-prefix': prefix, 'data-done': doneText });
  renderCountdown(el, Date.now());
  return el;
}

function renderCountdown(el, now) {
  const left = Date.parse(el.getAttribute('data-deadline')) - now;
  const text = left > 0 ? `${el.getAttribute('data-prefix')}${duration(left)}` : el.getAttribute('data-done');
  if (el.textContent !== text) el.textContent = text;
  el.classList.toggle('soon', left > 0 && left < 60000);
  el.classList.toggle('passed', left <= 0);
  return left;
}

/** Updates every countdown under root; returns those that just reached zero. */
export function tick(root) {
  const now = Date.now();
  const finished = [];
  for (const el of root.querySelectorAll('[data-deadline]')) {
    const wasDone = el.classList.contains('passed');
    const left = renderCountdown(el, now);
    if (left <= 0 && !wasDone) finished.push(el);
  }
  return finished;
}

export function tierBadge(tier) {
  if (!tier) return null;
  return h('span', { class: `badge tier tier-${tier}` }, tier);
}

export function statusBadge(status) {
  if (!status) return null;
  return h('span', { class: `badge status status-${status}` }, status);
}

const TRUST_LABELS = {
  verified: 'Verified (T5)',
  established: 'Established (T4)',
  active: 'Active (T3)',
  new: 'New (T2)',
  unregistered: 'Unregistered',
};

const TRUST_SOURCES = {
  lookup: 'from MoltbotDen',
  override: 'set by an admin',
  unavailable: 'MoltbotDen did not answer',
  unlinked: 'no MoltbotDen id',
};

/** "Active (T3)", with where it came from when known: "Active (T3) · from MoltbotDen". */
export function trustLabel(trustTier, source) {
  if (!trustTier) return 'no trust tier';
  const label = TRUST_LABELS[trustTier] || trustTier;
  return source ? `${label} · ${TRUST_SOURCES[source] || source}` : label;
}

export const TRUST_TIERS = Object.keys(TRUST_LABELS);

/** "1 of 2 approvals" with a <progress> bar. */
export function approvalsProgress(received, required) {
  const text = `${received} of ${required} approval${required === 1 ? '' : 's'}`;
  return h('span', { class: 'approvals' },
    h('progress', { max: Math.max(required, 1), value: Math.min(received, required), 'aria-hidden': 'true' }),
    h('span', null, text));
}

export function code(text) {
  return text ? h('code', null, text) : null;
}

// History: the audit log, filtered, with the result of verifying its hash chain. Filters live in
// the page's query string, so a filtered view can be linked to.

import { api, placeFieldErrors } from '../api.js';
import { h, replace, notice, field, setFieldError } from '../dom.js';
import { time, code } from '../format.js';

const FILTERS = ['actor', 'namespace', 'path', 'action', 'outcome', 'from', 'to'];

export function render(main, ctx) {
  const q = ctx.query;
  const inputs = {
    actor: h('input', { type: 'text', placeholder: 'agt_… or prn_…', autocomplete: 'off', spellcheck: 'false' }),
    namespace: h('input', { type: 'text', autocomplete: 'off' }),
    path: h('input', { type: 'text', placeholder: 'production/stripe/api-key', autocomplete: 'off' }),
    action: h('input', { type: 'text', placeholder: 'approval.approve or secret.*', autocomplete: 'off', spellcheck: 'false' }),
    outcome: h('select', null,
      h('option', { value: '' }, 'any'),
      h('option', { value: 'success' }, 'success'),
      h('option', { value: 'denied' }, 'denied'),
      h('option', { value: 'failure' }, 'failure')),
    from: h('input', { type: 'datetime-local', step: 1 }),
    to: h('input', { type: 'datetime-local', step: 1 }),
  };
  for (const name of FILTERS) {
    const v = q.get(name);
    if (v) inputs[name].value = name === 'from' || name === 'to' ? toLocalInput(v) : v;
  }
  const labels = { actor: 'Actor id', namespace: 'Namespace', path: 'Secret path', action: 'Action', outcome: 'Outcome', from: 'From (your time)', to: 'To (your time)' };
  const hints = { action: 'exact, or a prefix ending in .*' };
  const form = h('form', { class: 'filters', novalidate: true, 'aria-label': 'Filter audit entries' },
    ...FILTERS.map((name) => field({ label: labels[name], name, control: inputs[name], hint: hints[name] })),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, 'Apply filters'),
      h('button', { type: 'button', class: 'secondary', onclick: () => ctx.navigate('/dashboard/history') }, 'Clear')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const params = new URLSearchParams();
    for (const name of FILTERS) {
      let v = inputs[name].value.trim();
      if (v && (name === 'from' || name === 'to')) v = new Date(v).toISOString();
      if (v) params.set(name, v);
    }
    const qs = params.toString();
    ctx.navigate(`/dashboard/history${qs ? `?${qs}` : ''}`);
  });

  const verifyBox = h('div', { class: 'verify', role: 'status', 'aria-live': 'polite' }, 'Checking the audit chain…');
  const verifyButton = h('button', { type: 'button', class: 'secondary', onclick: () => verify() }, 'Verify again');
  const results = h('div', { class: 'audit-results' }, h('p', { class: 'loading' }, 'Loading…'));
  const more = h('div', { class: 'actions' });

  main.append(
    h('div', { class: 'page-head' },
      h('h1', null, 'History'),
      h('p', { class: 'lede' }, 'Every request, decision, issuance, read and change, as the audit log recorded it.')),
    h('section', { class: 'card', 'aria-labelledby': 'chain-h' },
      h('h2', { id: 'chain-h' }, 'Chain integrity'), verifyBox, verifyButton),
    h('section', { class: 'card', 'aria-labelledby': 'filter-h' },
      h('h2', { id: 'filter-h' }, 'Filters'), form),
    h('section', { 'aria-labelledby': 'entries-h' },
      h('h2', { id: 'entries-h' }, 'Entries'), results, more));

  const query = {};
  for (const name of FILTERS) if (q.get(name)) query[name] = q.get(name);
  let rows = null;
  let destroyed = false;

  async function verify() {
    verifyButton.disabled = true;
    replace(verifyBox, 'Checking the audit chain…');
    try {
      const v = await api('GET', '/v1/audit/verify');
      if (destroyed) return;
      const checked = `${v.checked} sealed entr${v.checked === 1 ? 'y' : 'ies'} checked`;
      const unsealed = v.unsealed ? `; ${v.unsealed} recent entr${v.unsealed === 1 ? 'y is' : 'ies are'} not sealed into the chain yet` : '';
      const head = v.head
        ? h('p', { class: 'hint' }, 'Chain head: entry #', String(v.head.chain_seq), ', hash ', code(v.head.entry_hash),
          '. Record it outside the database to detect later truncation or rewriting.')
        : null;
      const broken = v.first_broken || {};
      replace(verifyBox, v.valid
        ? notice('ok', h('strong', null, 'Chain intact. '), `${checked}${unsealed}.`, head)
        : notice('error', h('strong', null, 'Chain broken. '),
          `${checked}. The first entry that does not follow from the one before it is `,
          code(typeof broken === 'object' ? broken.id || `#${broken.chain_seq}` : String(broken)),
          broken.chain_seq !== undefined && broken.chain_seq !== null ? ` (#${broken.chain_seq})` : '',
          broken.reason ? `: ${broken.reason}` : '', '. The log may have been altered.', head));
    } catch (e) {
      if (destroyed) return;
      verifyButton.hidden = e.status === 403;
      replace(verifyBox, e.status === 403
        ? notice('info', 'Verifying the chain is for admins.')
        : notice('error', unavailable(e, 'Chain verification')));
    } finally {
      verifyButton.disabled = false;
    }
  }

  async function page(cursor) {
    try {
      const p = await api('GET', '/v1/audit', { query: { ...query, limit: 100, cursor } });
      if (destroyed) return;
      if (!rows) {
        rows = h('tbody');
        replace(results, h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Audit entries' },
          h('table', { class: 'audit' },
            h('thead', null, h('tr', null, ...['When', 'Actor', 'Action', 'Outcome', 'Namespace / path', 'Target', 'Details']
              .map((t) => h('th', { scope: 'col' }, t)))),
            rows)));
      }
      for (const item of p.items || []) rows.append(row(item));
      if (!rows.children.length) replace(results, h('p', { class: 'empty' }, 'No entries match these filters.'));
      replace(more, p.next_cursor
        ? h('button', { type: 'button', class: 'secondary', onclick: () => page(p.next_cursor) }, 'Load older entries')
        : null);
    } catch (e) {
      if (destroyed) return;
      // A bad filter comes back as 422 naming it: show it by its field.
      const unplaced = placeFieldErrors(e, form, setFieldError);
      replace(results, notice('error', unavailable(e, 'The audit log'), ...fieldErrors(unplaced)));
    }
  }

  function row(item) {
    // The API sends actor {id, name, role}; flat actor_* fields are accepted too.
    const a = item.actor && typeof item.actor === 'object' ? item.actor : { id: item.actor_id, name: item.actor_name, role: item.actor_role };
    const actor = a.name || a.id || 'system';
    const role = a.role ? ` (${a.role})` : '';
    return h('tr', { class: `row-${item.outcome || 'unknown'}` },
      cell('When', time(item.recorded_at || item.timestamp || item.at),
        item.sealed === false ? h('span', { class: 'block hint' }, 'not sealed yet') : null),
      cell('Actor', actor + role),
      cell('Action', item.action ? h('code', { class: 'nowrap' }, item.action) : '—'),
      cell('Outcome', h('span', { class: `badge outcome outcome-${item.outcome}` }, item.outcome || '—')),
      cell('Namespace / path', code(item.path || item.namespace) || '—'),
      cell('Target', item.target_id
        ? (item.target_id.startsWith('apr_') ? h('a', { class: 'nowrap', href: `/dashboard/approvals/${encodeURIComponent(item.target_id)}` }, item.target_id) : code(item.target_id))
        : '—'),
      cell('Details', detailsText(item.details)));
  }

  verify();
  page(null);
  return { destroy() { destroyed = true; } };
}

/** The problem's own message; a 404 means this server has no audit API yet. */
function unavailable(e, what) {
  if (e.status === 404) return `${what} is not available on this server (${e.summary}).`;
  return `${what} could not be read: ${e.summary}`;
}

function fieldErrors(errors) {
  return errors.map((f) => h('span', { class: 'block' }, `${f.field}: ${f.message}`));
}

function detailsText(details) {
  if (!details) return '—';
  let d = details;
  if (typeof d === 'string') {
    try {
      d = JSON.parse(d);
    } catch (err) {
      return d;
    }
  }
  if (typeof d !== 'object') return String(d);
  const entries = Object.entries(d).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]);
  if (entries.length === 0) return '—';
  const list = h('ul', { class: 'kv' }, ...entries.map(([k, v]) => h('li', null, h('span', { class: 'k' }, k), ' ', v)));
  // Short details read inline; long ones (explanations, scopes) fold away to keep one line per entry.
  const length = entries.reduce((n, [k, v]) => n + k.length + v.length + 1, 0);
  if (length <= 60) return list;
  return h('details', { class: 'more' }, h('summary', null, `${entries.length} fields`), list);
}

function toLocalInput(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A table cell; its content in one wrapper, so the stacked phone layout has two grid items: label and value. */
function cell(label, ...content) {
  return h('td', { 'data-label': label }, h('div', { class: 'cell' }, ...content));
}

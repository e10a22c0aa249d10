// Webhooks: the principal's webhooks, each one's delivery log with statuses, and redelivery.
// Signing secrets are never shown here (the API returns them only when it generates one).

import { api } from '../api.js';
import { h, replace, notice } from '../dom.js';
import { time, code } from '../format.js';
import { settingsNav } from './settings.js';

export function render(main, ctx) {
  const id = ctx.params.id || null;
  // Admins reach webhooks under Settings → Webhooks; everyone else at /dashboard/webhooks.
  const base = ctx.base || '/dashboard/webhooks';
  if (ctx.base) main.append(settingsNav('webhooks'));
  return id ? deliveries(main, ctx, id, base) : list(main, ctx, base);
}

function list(main, ctx, base) {
  const box = h('div', null, h('p', { class: 'loading' }, 'Loading…'));
  main.append(
    h('div', { class: 'page-head' },
      h('h1', null, 'Webhooks'),
      h('p', { class: 'lede' }, 'Endpoints that receive signed approval events. Register them with the API (POST /v1/webhooks).')),
    box);
  let destroyed = false;
  api('GET', '/v1/webhooks', { query: { limit: 500 } }).then((page) => {
    if (destroyed) return;
    const items = page.items || [];
    if (items.length === 0) {
      replace(box, h('p', { class: 'empty' }, 'No webhooks are registered for you.'));
      return;
    }
    replace(box, h('ul', { class: 'cards' }, ...items.map((w) => h('li', { class: 'card webhook' },
      h('h2', { class: 'card-title' }, h('a', { href: `${base}/${encodeURIComponent(w.id)}` }, w.url)),
      w.disabled_at ? notice('error', 'Disabled ', time(w.disabled_at), w.disabled_reason ? `: ${w.disabled_reason}` : '') : null,
      h('dl', { class: 'facts' },
        h('div', { class: 'pair' }, h('dt', null, 'Id'), h('dd', null, code(w.id))),
        h('div', { class: 'pair' }, h('dt', null, 'Events'), h('dd', null, (w.events || []).join(', ') || 'all')),
        w.description ? h('div', { class: 'pair' }, h('dt', null, 'Description'), h('dd', null, w.description)) : null,
        h('div', { class: 'pair' }, h('dt', null, 'Created'), h('dd', null, time(w.created_at), w.created_by ? [' by ', code(w.created_by)] : '')),
        h('div', { class: 'pair' }, h('dt', null, 'Secret version'), h('dd', null, String(w.secret_version)))),
      h('p', null, h('a', { href: `${base}/${encodeURIComponent(w.id)}` }, 'Deliveries →'))))));
  }).catch((e) => {
    if (!destroyed) replace(box, notice('error', `Could not load webhooks: ${e.summary}`));
  });
  return { destroy() { destroyed = true; } };
}

function deliveries(main, ctx, id, base) {
  const head = h('div', { class: 'page-head' },
    h('p', { class: 'crumbs' }, h('a', { href: base }, '← Webhooks')),
    h('h1', null, 'Deliveries'),
    h('p', { class: 'lede' }));
  const flash = h('div', { role: 'status', 'aria-live': 'polite' });
  const tableBox = h('div', null, h('p', { class: 'loading' }, 'Loading…'));
  const more = h('div', { class: 'actions' });
  const refresh = h('button', { type: 'button', class: 'secondary', onclick: () => reload() }, 'Refresh');
  main.append(head, flash, h('div', { class: 'actions' }, refresh), tableBox, more);

  let destroyed = false;
  api('GET', `/v1/webhooks/${encodeURIComponent(id)}`).then((w) => {
    if (destroyed) return;
    replace(head.querySelector('.lede'), 'To ', code(w.url), w.disabled_at ? ' — disabled' : '');
    if (w.disabled_at) {
      main.insertBefore(h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: enable }, 'Enable webhook')), tableBox);
    }
  }).catch((e) => {
    if (!destroyed) replace(head.querySelector('.lede'), notice('error', e.status === 404 ? 'There is no such webhook, or it is not yours.' : e.summary));
  });

  async function enable(e) {
    e.target.disabled = true;
    try {
      await api('POST', `/v1/webhooks/${encodeURIComponent(id)}/enable`);
      replace(flash, notice('ok', 'Webhook enabled.'));
      e.target.remove();
    } catch (err) {
      e.target.disabled = false;
      replace(flash, notice('error', err.summary));
    }
  }

  let tbody = null;
  async function page(cursor) {
    try {
      const p = await api('GET', `/v1/webhooks/${encodeURIComponent(id)}/deliveries`, { query: { limit: 100, cursor } });
      if (destroyed) return;
      if (!tbody || !cursor) {
        tbody = h('tbody');
        replace(tableBox, h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Deliveries' },
          h('table', { class: 'deliveries' },
            h('thead', null, h('tr', null, ...['Created', 'Event', 'Request', 'Status', 'Attempts', 'Last answer', 'Next attempt / delivered', '']
              .map((t) => h('th', { scope: 'col' }, t)))),
            tbody)));
      }
      for (const d of p.items || []) tbody.append(row(d));
      if (!tbody.children.length) replace(tableBox, h('p', { class: 'empty' }, 'No deliveries yet.'));
      replace(more, p.next_cursor ? h('button', { type: 'button', class: 'secondary', onclick: () => page(p.next_cursor) }, 'Load older deliveries') : null);
    } catch (e) {
      if (!destroyed) replace(tableBox, notice('error', `Could not load deliveries: ${e.summary}`));
    }
  }

  function row(d) {
    const answer = [d.last_status_code ? `HTTP ${d.last_status_code}` : null, d.last_error].filter(Boolean).join(' — ') || '—';
    return h('tr', null,
      cell('Created', time(d.created_at)),
      cell('Event', h('code', { class: 'nowrap' }, d.event_type)),
      cell('Request', d.approval_request_id
        ? h('a', { href: `/dashboard/approvals/${encodeURIComponent(d.approval_request_id)}` }, d.approval_request_id) : '—'),
      cell('Status', h('span', { class: `badge delivery delivery-${d.status}` }, d.status)),
      cell('Attempts', String(d.attempts)),
      cell('Last answer', answer),
      cell('Next attempt / delivered', d.delivered_at ? ['delivered ', time(d.delivered_at)]
        : d.next_attempt_at ? ['next ', time(d.next_attempt_at)] : '—'),
      cell('Action', h('button', {
        type: 'button', class: 'secondary small', 'aria-label': `Redeliver ${d.event_type} (${d.id})`,
        onclick: (e) => redeliver(d, e.target),
      }, 'Redeliver')));
  }

  async function redeliver(d, button) {
    button.disabled = true;
    try {
      const r = await api('POST', `/v1/webhooks/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(d.id)}/redeliver`);
      replace(flash, notice('ok', 'Redelivery queued: ', code(d.event_type), ' (delivery ', code(r.id || d.id), ') will be sent again.'));
      reload();
    } catch (e) {
      button.disabled = false;
      replace(flash, notice('error', `Could not redeliver: ${e.summary}`));
    }
  }

  function reload() {
    tbody = null;
    page(null);
  }

  page(null);
  let timer = null;
  return {
    onEvent() {
      // New events may have created deliveries for this webhook.
      clearTimeout(timer);
      timer = setTimeout(reload, 500);
    },
    destroy() {
      destroyed = true;
      clearTimeout(timer);
    },
  };
}

/** A table cell; its content in one wrapper, so the stacked phone layout has two grid items: label and value. */
function cell(label, ...content) {
  return h('td', { 'data-label': label }, h('div', { class: 'cell' }, ...content));
}

// The queue: every open request (pending or in its critical delay) the principal may review,
// newest first, re-read whenever the live feed reports a change.

import { all } from '../api.js';
import { h, replace, notice } from '../dom.js';
import { tierBadge, statusBadge, trustLabel, approvalsProgress, countdown, time, code } from '../format.js';

const PATHS_SHOWN = 3;

export function render(main, ctx) {
  const summary = h('p', { class: 'queue-summary', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' }, 'Loading requests…');
  const list = h('ol', { class: 'queue', 'aria-label': 'Open requests' });
  const errorBox = h('div');
  main.append(
    h('div', { class: 'page-head' },
      h('h1', null, 'Approval queue'),
      h('p', { class: 'lede' }, 'Requests waiting for a decision, and critical requests in their cancel window. Newest first; updated live.')),
    summary, errorBox, list);

  let known = null; // ids seen at the last load, to announce new arrivals
  let loading = null;
  let again = false;
  let destroyed = false;

  async function load() {
    if (loading) {
      again = true;
      return loading;
    }
    loading = (async () => {
      try {
        const [pending, delayed] = await Promise.all([
          all('/v1/approvals', { status: 'pending' }),
          all('/v1/approvals', { status: 'delayed' }),
        ]);
        if (destroyed) return;
        const items = [...pending, ...delayed].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
        errorBox.replaceChildren();
        show(items);
      } catch (e) {
        if (!destroyed) replace(errorBox, notice('error', `Could not load the queue: ${e.summary}`));
      }
    })();
    await loading;
    loading = null;
    if (again && !destroyed) {
      again = false;
      await load();
    }
  }

  function show(items) {
    const fresh = known ? items.filter((r) => !known.has(r.id)) : [];
    known = new Set(items.map((r) => r.id));
    if (items.length === 0) {
      replace(list, h('li', { class: 'empty' }, 'Nothing is waiting for a decision.'));
    } else {
      replace(list, ...items.map((r) => item(r, fresh.includes(r))));
    }
    const count = `${items.length} open request${items.length === 1 ? '' : 's'}.`;
    const news = fresh.length === 1 ? ` New: ${fresh[0].requested_by} asks for ${fresh[0].scope}.`
      : fresh.length > 1 ? ` ${fresh.length} new requests.` : '';
    // Only a change is announced (the region is aria-live); countdowns tick outside it.
    if (summary.textContent !== count + news) summary.textContent = count + news;
  }

  function item(r, isNew) {
    const paths = r.secret_paths || [];
    const href = `/dashboard/approvals/${encodeURIComponent(r.id)}`;
    const headingId = `req-${r.id}`;
    return h('li', { class: `request-card${isNew ? ' is-new' : ''}`, 'data-id': r.id },
      h('article', { 'aria-labelledby': headingId },
        h('div', { class: 'card-top' },
          h('div', { class: 'badges' }, tierBadge(r.tier), statusBadge(r.status),
            // The SLA ladder, as the server recorded it: the live feed's reminder/escalation events reload this list.
            r.sla && r.sla.escalated_at ? h('span', { class: 'badge status sla-escalated', title: `Escalated ${r.sla.escalated_at}` }, 'escalated')
              : r.sla && r.sla.reminded_at ? h('span', { class: 'badge status sla-reminded', title: `Reminded ${r.sla.reminded_at}` }, 'reminded') : null),
          r.status === 'delayed' && r.issue_at
            ? h('span', { class: 'deadline' }, 'Token issues in ', countdown(r.issue_at, { doneText: 'any moment' }))
            : h('span', { class: 'deadline' }, 'Expires in ', countdown(r.expires_at, { doneText: 'now (expiring)' }))),
        h('h2', { id: headingId, class: 'card-title' },
          h('a', { href }, r.description || 'No description given')),
        h('dl', { class: 'facts' },
          h('div', { class: 'pair' }, h('dt', null, 'Requester'),
            h('dd', null, h('strong', null, r.requested_by), ' · ', h('span', { class: 'trust' }, trustLabel(r.trust_tier, r.trust_source)))),
          h('div', { class: 'pair' }, h('dt', null, 'Scope'), h('dd', null, code(r.scope))),
          h('div', { class: 'pair' }, h('dt', null, 'Secrets'), h('dd', null, pathList(paths))),
          h('div', { class: 'pair' }, h('dt', null, 'Approvals'),
            h('dd', null, approvalsProgress(r.received_approvals, r.required_approvals))),
          h('div', { class: 'pair' }, h('dt', null, 'Requested'), h('dd', null, time(r.created_at)))),
        h('p', { class: 'card-link' }, h('a', { href, 'aria-label': `Review request ${r.id}` }, 'Review →'))));
  }

  function pathList(paths) {
    if (paths.length === 0) return h('span', { class: 'muted' }, 'none yet (matches secrets added later)');
    const shown = paths.slice(0, PATHS_SHOWN);
    return h('ul', { class: 'paths' },
      ...shown.map((p) => h('li', null, code(p))),
      paths.length > PATHS_SHOWN ? h('li', { class: 'muted' }, `and ${paths.length - PATHS_SHOWN} more`) : null);
  }

  let debounce = null;
  load();
  return {
    onEvent() {
      clearTimeout(debounce);
      debounce = setTimeout(load, 100);
    },
    onTick() {
      // An expired request leaves the queue when the server says so; re-read when a deadline passes.
      if (list.querySelector('.countdown.passed:not([data-reloaded])')) {
        for (const el of list.querySelectorAll('.countdown.passed')) el.setAttribute('data-reloaded', '');
        setTimeout(load, 1500);
      }
    },
    destroy() {
      destroyed = true;
      clearTimeout(debounce);
    },
  };
}

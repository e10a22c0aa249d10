// One request: everything about it, its history, and the decisions the signed-in principal may
// take. Which buttons are enabled is the server's answer (`allowed_actions`, computed for the
// signed-in principal); this page keeps no copy of the rules. The server checks again on every
// action, and its answer (403, 409, 422) is shown where the action was taken.

import { api, placeFieldErrors, ApiError } from '../api.js';
import { h, replace, notice, field, pair, setFieldError, clearFieldErrors } from '../dom.js';
import { tierBadge, statusBadge, trustLabel, approvalsProgress, countdown, time, code, duration } from '../format.js';
import * as webauthn from '../webauthn.js';

const OPEN = new Set(['pending', 'delayed']);
const NOT_OFFERED = {
  approve: 'The server does not offer you Approve on this request now.',
  deny: 'The server does not offer you Deny on this request now.',
  cancel: 'The server does not offer you Cancel on this request now.',
};

/** What the principal may do with a request: exactly the server's `allowed_actions`. */
export function permissions(r) {
  const allowed = new Set(r.allowed_actions || []);
  const may = (action) => (allowed.has(action) ? { allowed: true } : { allowed: false, why: NOT_OFFERED[action] });
  return { approve: may('approve'), deny: may('deny'), cancel: may('cancel') };
}

export function render(main, ctx) {
  const id = ctx.params.id;
  const head = h('div', { class: 'page-head' },
    h('p', { class: 'crumbs' }, h('a', { href: '/dashboard/queue' }, '← Queue')),
    h('h1', null, 'Request ', h('code', null, id)));
  const body = h('div', { class: 'request' }, h('p', { class: 'loading' }, 'Loading…'));
  const flash = h('div', { class: 'flash', role: 'status', 'aria-live': 'polite' });
  main.append(head, flash, body);

  let view = null;
  let destroyed = false;
  let refreshing = false;
  // Text typed in the forms survives a live re-render.
  const drafts = { comment: '', reason: '', cancel: '', scope: '', ttl_seconds: '', max_uses: '' };
  let narrowingOpen = false;

  async function load() {
    try {
      const r = await api('GET', `/v1/approvals/${encodeURIComponent(id)}`);
      if (destroyed) return;
      view = r;
      show();
    } catch (e) {
      if (destroyed) return;
      if (e.status === 404) {
        replace(body, notice('error', 'There is no such request, or you may not see it.'));
      } else {
        replace(body, notice('error', `Could not load the request: ${e.summary}`));
      }
    }
  }

  function show() {
    const r = view;
    const focusedName = document.activeElement && body.contains(document.activeElement) ? document.activeElement.name : null;
    const may = permissions(r);
    replace(body,
      h('div', { class: 'badges big' }, tierBadge(r.tier), statusBadge(r.status)),
      r.status === 'delayed' ? delayBanner(r, may) : null,
      h('div', { class: 'columns' },
        h('section', { class: 'card', 'aria-labelledby': 'details-h' },
          h('h2', { id: 'details-h' }, 'Details'),
          details(r)),
        h('div', { class: 'stack' },
          actions(r, may),
          h('section', { class: 'card', 'aria-labelledby': 'history-h' },
            h('h2', { id: 'history-h' }, 'History'),
            timeline(r)))));
    if (focusedName) {
      const again = body.querySelector(`[name="${focusedName}"]`);
      if (again) again.focus();
    }
  }

  function details(r) {
    const paths = r.secret_paths || [];
    return h('dl', { class: 'facts wide' },
      pair('Description', r.description || h('span', { class: 'muted' }, 'none given')),
      pair('Requester', h('strong', null, r.requested_by), ' ', h('code', { class: 'id' }, r.requester_id)),
      pair('Trust tier', trustLabel(r.trust_tier, r.trust_source)),
      pair('Namespace', code(r.namespace)),
      // The budget in effect; what the agent asked for when an approval narrowed it.
      pair('Scope', code(r.scope), r.requested_scope && r.requested_scope !== r.scope ? [' (asked: ', code(r.requested_scope), ')'] : null),
      pair('Secrets', paths.length
        ? h('ul', { class: 'paths' }, ...paths.map((p) => h('li', null, code(p))))
        : h('span', { class: 'muted' }, 'none yet (the scope matches secrets added later)')),
      pair('Approvals', approvalsProgress(r.received_approvals, r.required_approvals)),
      r.approval_delay_seconds ? pair('Cancel window', duration(r.approval_delay_seconds * 1000), ' after the last approval') : null,
      pair('Token lifetime', r.ttl_seconds ? duration(r.ttl_seconds * 1000) : null,
        r.requested_ttl_seconds && r.requested_ttl_seconds !== r.ttl_seconds ? ` (asked: ${duration(r.requested_ttl_seconds * 1000)})` : null),
      pair('Reads allowed', r.max_uses ?? null,
        r.max_uses != null && r.requested_max_uses !== r.max_uses ? ` (asked: ${r.requested_max_uses ?? 'no limit'})` : null),
      pair('Run id', r.run_id ? code(r.run_id) : null),
      pair('Why this tier', r.explanation),
      pair('Requested', time(r.created_at)),
      // A delayed request has all its approvals and no longer expires.
      r.status === 'pending'
        ? pair('Expires', time(r.expires_at), ' (', countdown(r.expires_at, { prefix: 'in ', doneText: 'expiring' }), ')')
        : r.status === 'delayed' ? null : pair('Expires', time(r.expires_at)),
      pair('Token issues', r.issue_at ? time(r.issue_at) : null),
      pair('Decided', time(r.decided_at)),
      pair('Token id', r.token_id ? h('code', { class: 'id' }, r.token_id) : null));
  }

  function delayBanner(r, may) {
    return h('section', { class: 'delay-banner', 'aria-labelledby': 'delay-h' },
      h('h2', { id: 'delay-h' }, 'Cancel window open'),
      h('p', { class: 'delay-count' }, 'The token will be issued in ',
        h('strong', null, countdown(r.issue_at, { doneText: '0 s — issuing now', className: 'countdown big-countdown' })),
        ' unless someone cancels.'),
      h('p', null, 'Issues at ', time(r.issue_at), '.'),
      may.cancel.allowed
        ? h('button', { type: 'button', class: 'danger big', onclick: () => cancelNow(null) }, 'Cancel request now')
        : h('p', { class: 'muted' }, may.cancel.why));
  }

  function actions(r, may) {
    if (!OPEN.has(r.status)) {
      return h('section', { class: 'card', 'aria-labelledby': 'actions-h' },
        h('h2', { id: 'actions-h' }, 'Decision'),
        h('p', null, outcomeText(r)));
    }
    const result = h('div', { class: 'action-result', id: 'action-result' });
    return h('section', { class: 'card stack', 'aria-labelledby': 'actions-h' },
      h('h2', { id: 'actions-h' }, 'Decide'),
      result,
      approveForm(may.approve, result, r),
      denyForm(may.deny, result),
      r.status === 'pending' ? cancelForm(may.cancel, result) : null);
  }

  /** A form control whose typed value survives a live re-render: kept in `drafts[key]`. */
  function drafted(tag, key, attrs) {
    const control = h(tag, attrs);
    control.value = drafts[key];
    control.addEventListener('input', () => { drafts[key] = control.value; });
    return control;
  }

  function approveForm(perm, result, r) {
    const stepUp = r.step_up_required;
    const comment = drafted('textarea', 'comment', { rows: 2, maxlength: 1000, name: 'comment', disabled: !perm.allowed });
    // Narrowing: the server checks each part against the budget in effect (422 by the field).
    const oneLine = { type: 'text', autocomplete: 'off', spellcheck: 'false', disabled: !perm.allowed };
    const scope = drafted('input', 'scope', { ...oneLine, name: 'scope', placeholder: r.scope || '' });
    const ttl = drafted('input', 'ttl_seconds', { ...oneLine, name: 'ttl_seconds', inputmode: 'numeric', placeholder: r.ttl_seconds ? String(r.ttl_seconds) : '' });
    const uses = drafted('input', 'max_uses', { ...oneLine, name: 'max_uses', inputmode: 'numeric', placeholder: r.max_uses != null ? String(r.max_uses) : 'no limit' });
    const narrowing = h('details', { class: 'narrowing', open: narrowingOpen || Boolean(drafts.scope || drafts.ttl_seconds || drafts.max_uses) },
      h('summary', null, 'Narrow the token (optional)'),
      field({ label: 'Scope', name: 'scope', control: scope, hint: 'Within the scope in effect, e.g. one path of it.' }),
      field({ label: 'Lifetime (seconds)', name: 'ttl_seconds', control: ttl, hint: r.ttl_seconds ? `At most ${r.ttl_seconds}.` : null }),
      field({ label: 'Reads allowed', name: 'max_uses', control: uses, hint: r.max_uses != null ? `At most ${r.max_uses}.` : 'Empty: as asked.' }));
    narrowing.addEventListener('toggle', () => { narrowingOpen = narrowing.open; });
    const button = h('button', { type: 'submit', class: 'approve', disabled: !perm.allowed }, 'Approve');
    const form = h('form', { class: 'decision', novalidate: true, 'aria-label': 'Approve' },
      field({ label: 'Comment (optional)', name: 'comment', control: comment }),
      narrowing,
      stepUp ? h('p', { class: 'step-up-note' }, 'Critical: approving asks for one of your passkeys, for this request. ',
        h('a', { href: '/dashboard/settings/passkeys' }, 'Your passkeys')) : null,
      h('div', { class: 'actions' }, button, why(perm)));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFieldErrors(form);
      const body = { comment: comment.value.trim() || null };
      if (scope.value.trim()) body.scope = scope.value.trim();
      for (const [input, name] of [[ttl, 'ttl_seconds'], [uses, 'max_uses']]) {
        const text = input.value.trim();
        if (!text) continue;
        if (!/^[1-9][0-9]{0,8}$/.test(text)) {
          narrowing.open = true;
          setFieldError(form, name, 'Enter a whole number of at least 1.');
          input.focus();
          return;
        }
        body[name] = Number(text);
      }
      // The step-up is made now, for this request: its challenge is good once, and briefly.
      const payload = stepUp
        ? async () => ({ ...body, step_up: await webauthn.assert(await api('POST', `/v1/approvals/${encodeURIComponent(id)}/step-up`)) })
        : body;
      await act(form, button, result, 'approve', payload, (v) => {
        Object.assign(drafts, { comment: '', scope: '', ttl_seconds: '', max_uses: '' });
        narrowingOpen = false;
        return v.status === 'pending'
          ? `Approved. ${v.received_approvals} of ${v.required_approvals} approvals received.`
          : v.status === 'delayed' ? 'Approved. All approvals are in; the cancel window has started.'
            : 'Approved. The token was issued to the requester.';
      });
    });
    return form;
  }

  function denyForm(perm, result) {
    const reason = drafted('textarea', 'reason', { rows: 2, maxlength: 1000, name: 'reason', required: true, 'aria-required': 'true', disabled: !perm.allowed });
    const button = h('button', { type: 'submit', class: 'deny', disabled: !perm.allowed }, 'Deny');
    const form = h('form', { class: 'decision', novalidate: true, 'aria-label': 'Deny' },
      field({ label: 'Reason for denial (required)', name: 'reason', control: reason, hint: 'The requester sees this reason.' }),
      h('div', { class: 'actions' }, button, why(perm)));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFieldErrors(form);
      if (!reason.value.trim()) {
        setFieldError(form, 'reason', 'Give a reason to deny this request.');
        reason.focus();
        return;
      }
      await act(form, button, result, 'deny', { reason: reason.value.trim() }, () => {
        drafts.reason = '';
        return 'Denied. The request is closed.';
      });
    });
    return form;
  }

  function cancelForm(perm, result) {
    const reason = drafted('textarea', 'cancel', { rows: 2, maxlength: 1000, name: 'cancel_reason', disabled: !perm.allowed });
    const button = h('button', { type: 'submit', class: 'danger', disabled: !perm.allowed }, 'Cancel request');
    const form = h('form', { class: 'decision', novalidate: true, 'aria-label': 'Cancel' },
      field({ label: 'Reason for cancelling (optional)', name: 'cancel_reason', control: reason }),
      h('div', { class: 'actions' }, button, why(perm)));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      await act(form, button, result, 'cancel', { reason: reason.value.trim() || null }, () => {
        drafts.cancel = '';
        return 'Cancelled. No token will be issued.';
      });
    });
    return form;
  }

  async function cancelNow() {
    const result = body.querySelector('#action-result') || flash;
    const button = body.querySelector('.delay-banner button');
    await act(null, button, result, 'cancel', { reason: null }, () => 'Cancelled. No token will be issued.');
  }

  function why(perm) {
    return perm.allowed ? null : h('p', { class: 'why' }, perm.why);
  }

  async function act(form, button, result, action, payload, success) {
    if (form) clearFieldErrors(form);
    result.replaceChildren();
    if (button) button.disabled = true;
    try {
      const v = await api('POST', `/v1/approvals/${encodeURIComponent(id)}/${action}`,
        { body: typeof payload === 'function' ? await payload() : payload });
      view = v;
      const message = success(v);
      show();
      replace(flash, notice('ok', message));
    } catch (e) {
      if (button) button.disabled = false;
      if (!(e instanceof ApiError)) {
        // The browser's passkey ceremony failed before anything was sent.
        replace(result, notice('error', webauthn.explain(e)));
        return;
      }
      const unplaced = form ? placeFieldErrors(e, form, (scope, name, msg) => {
        // The cancel form's reason is named cancel_reason locally; the API calls it reason.
        const local = action === 'cancel' && name === 'reason' ? 'cancel_reason' : name;
        return setFieldError(scope, local, msg);
      }) : e.errors;
      if (e.errors.length === 0 || unplaced.length > 0) {
        const label = e.status === 403 ? 'Not allowed: ' : e.status === 409 ? 'Not possible now: ' : '';
        replace(result, notice('error', label + e.summary,
          ...unplaced.map((u) => h('span', { class: 'block' }, `${u.field}: ${u.message}`))));
      }
      if (e.status === 409) load();
    }
  }

  function timeline(r) {
    const entries = [{ at: r.created_at, text: [h('strong', null, r.requested_by), ' requested ', code(r.requested_scope || r.scope)] }];
    for (const a of r.approvals || []) {
      entries.push({ at: a.approved_at, kind: 'approve', text: [h('strong', null, a.approver_name || a.approver_id), ' approved', narrowedText(a.narrowed), a.comment ? [': ', h('q', null, a.comment)] : ''] });
    }
    if (r.denial) {
      entries.push({ at: r.denial.at, kind: 'deny', text: [h('strong', null, r.denial.by_name || r.denial.by_id), ' denied', r.denial.reason ? [': ', h('q', null, r.denial.reason)] : ''] });
    }
    if (r.cancellation) {
      entries.push({ at: r.cancellation.at, kind: 'cancel', text: [h('strong', null, r.cancellation.by_name || r.cancellation.by_id), ' cancelled', r.cancellation.reason ? [': ', h('q', null, r.cancellation.reason)] : ''] });
    }
    if (r.status === 'approved') entries.push({ at: r.decided_at, kind: 'approve', text: ['Token issued', r.token_id ? [' (', h('code', { class: 'id' }, r.token_id), ')'] : ''] });
    if (r.status === 'expired') entries.push({ at: r.decided_at || r.expires_at, kind: 'cancel', text: ['Expired without enough approvals'] });
    if (r.status === 'delayed') entries.push({ at: null, kind: 'wait', text: ['Waiting out the cancel window until ', time(r.issue_at)] });
    entries.sort((a, b) => (a.at && b.at ? Date.parse(a.at) - Date.parse(b.at) : a.at ? -1 : 1));
    return h('ol', { class: 'timeline' }, ...entries.map((e) => h('li', { class: e.kind ? `ev-${e.kind}` : null },
      e.at ? time(e.at) : null, h('span', { class: 'what' }, ...e.text))));
  }

  /** What an approval narrowed, as the service recorded it. */
  function narrowedText(n) {
    if (!n) return '';
    const parts = [];
    if (n.scope) parts.push(['scope ', code(n.scope)]);
    if (n.ttl_seconds != null) parts.push(`lifetime ${duration(n.ttl_seconds * 1000)}`);
    if (n.max_uses != null) parts.push(`${n.max_uses} read${n.max_uses === 1 ? '' : 's'}`);
    return [' (narrowed to ', ...parts.flatMap((p, i) => (i ? [', ', p] : [p])), ')'];
  }

  function outcomeText(r) {
    switch (r.status) {
      case 'approved': return 'Approved: the token was issued to the requester.';
      case 'denied': return 'Denied.';
      case 'cancelled': return 'Cancelled: no token was issued.';
      case 'expired': return 'Expired before it had enough approvals.';
      default: return r.status;
    }
  }

  load();
  return {
    onEvent(event) {
      if (event.type === 'feed.resumed' || (event.data && event.data.approval_request_id === id)) {
        if (!refreshing) {
          refreshing = true;
          setTimeout(() => { refreshing = false; load(); }, 100);
        }
      }
    },
    onTick() {
      // When a deadline passes the server acts (issues or expires); read its answer shortly after.
      const passed = body.querySelector('.countdown.passed:not([data-reloaded])');
      if (passed) {
        passed.setAttribute('data-reloaded', '');
        setTimeout(load, 1200);
      }
    },
    destroy() {
      destroyed = true;
    },
  };
}

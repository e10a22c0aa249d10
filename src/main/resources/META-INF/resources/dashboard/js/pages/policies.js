// Policies: a namespace's policy as the API's JSON shape, edited through a form (admins), with the
// server's validation errors shown beside the fields they name, and a simulator that answers
// "what would this principal need for this scope, and why".

import { api, placeFieldErrors } from '../api.js';
import { h, replace, notice, field, setFieldError, clearFieldErrors } from '../dom.js';
import { tierBadge, trustLabel, code, time, duration } from '../format.js';
import { settingsNav } from './settings.js';

const TIERS = ['standard', 'sensitive', 'critical'];

export function render(main, ctx) {
  const who = ctx.me;
  const ns = ctx.params.namespace || null;
  // Admins edit policies under Settings → Approval Policies; approvers read them at /dashboard/policies.
  const base = ctx.base || '/dashboard/policies';

  const nsInput = h('input', { type: 'text', list: 'ns-options', autocomplete: 'off', required: true, pattern: '[A-Za-z0-9._-]{1,128}' });
  if (ns) nsInput.value = ns;
  const chooser = h('form', { class: 'inline-form', novalidate: true, 'aria-label': 'Choose a namespace' },
    field({ label: 'Namespace', name: 'namespace', control: nsInput }),
    h('datalist', { id: 'ns-options' }, ...(who.namespaces || []).map((n) => h('option', { value: n }))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary' }, 'Open')));
  chooser.addEventListener('submit', (e) => {
    e.preventDefault();
    clearFieldErrors(chooser);
    const v = nsInput.value.trim();
    if (!/^[A-Za-z0-9._-]{1,128}$/.test(v) || v === '.' || v === '..') {
      setFieldError(chooser, 'namespace', 'A namespace is one path segment: letters, digits, ".", "_" or "-".');
      nsInput.focus();
      return;
    }
    ctx.navigate(`${base}/${encodeURIComponent(v)}`);
  });

  if (ctx.base) main.append(settingsNav('policies'));
  main.append(
    h('div', { class: 'page-head' },
      h('h1', null, ns ? `Policy of ${ns}` : (ctx.base ? 'Approval Policies' : 'Policies')),
      h('p', { class: 'lede' }, 'A namespace\'s default tier and per-path overrides decide how many approvals a token request needs.')),
    h('section', { class: 'card' }, chooser,
      who.namespaces && who.namespaces.length
        ? h('p', { class: 'hint' }, 'Your namespaces: ', ...who.namespaces.flatMap((n, i) => [i ? ', ' : '', h('a', { href: `${base}/${encodeURIComponent(n)}` }, n)]))
        : null));

  if (!ns) return {};

  const editorBox = h('div', null, h('p', { class: 'loading' }, 'Loading the policy…'));
  main.append(editorBox, simulator(ns));

  let destroyed = false;
  api('GET', `/v1/namespaces/${encodeURIComponent(ns)}/policy`).then((p) => {
    if (!destroyed) replace(editorBox, editor(ns, p, who));
  }).catch((e) => {
    if (!destroyed) replace(editorBox, notice('error', `Could not load the policy: ${e.summary}`));
  });
  return { destroy() { destroyed = true; } };
}

function editor(ns, loaded, who) {
  const canEdit = who.role === 'admin';
  const model = {
    default_tier: loaded.default_tier || 'standard',
    path_overrides: (loaded.path_overrides || []).map((o) => ({ ...o })),
    request_ttl_seconds: loaded.request_ttl_seconds ?? null,
    approvers: loaded.approvers || null,
    remind_after_seconds: loaded.remind_after_seconds ?? null,
    escalate_after_seconds: loaded.escalate_after_seconds ?? null,
    escalation_approvers: loaded.escalation_approvers || null,
  };

  const meta = h('p', { class: 'meta' });
  function showMeta(p) {
    replace(meta, p.revision
      ? ['Revision ', String(p.revision), ', changed ', time(p.updated_at), p.updated_by ? [' by ', code(p.updated_by)] : '']
      : 'Not configured yet: the defaults apply (everything standard unless a secret says otherwise).');
  }
  showMeta(loaded);

  const tierSelect = select(TIERS, model.default_tier);
  tierSelect.addEventListener('change', () => { model.default_tier = tierSelect.value; preview(); });
  const ttlInput = h('input', { type: 'number', min: 1, step: 1, inputmode: 'numeric' });
  ttlInput.value = model.request_ttl_seconds ?? '';
  const approversInput = h('textarea', { rows: 3, spellcheck: 'false' });
  approversInput.value = (model.approvers || []).join('\n');
  // The SLA ladder (README "SLA ladder"): reminder, then escalation, before the request's expiry.
  const remindInput = h('input', { type: 'number', min: 1, step: 1, inputmode: 'numeric', placeholder: 'no reminder' });
  remindInput.value = model.remind_after_seconds ?? '';
  const escalateInput = h('input', { type: 'number', min: 1, step: 1, inputmode: 'numeric', placeholder: 'no escalation' });
  escalateInput.value = model.escalate_after_seconds ?? '';
  const escalationInput = h('textarea', { rows: 2, spellcheck: 'false' });
  escalationInput.value = (model.escalation_approvers || []).join('\n');

  const rows = h('div', { class: 'overrides' });
  const json = h('pre', { class: 'json', tabindex: '0' });
  const summary = h('div', { class: 'form-summary' });
  const saveButton = h('button', { type: 'submit', class: 'primary' }, 'Save policy');

  function renderRows() {
    replace(rows, ...model.path_overrides.map((o, i) => overrideRow(o, i)),
      model.path_overrides.length === 0 ? h('p', { class: 'muted' }, 'No overrides: every path gets the default tier.') : null);
  }

  function overrideRow(o, i) {
    const at = `path_overrides[${i}]`;
    const pattern = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: `${ns}/stripe/*` });
    pattern.value = o.pattern || '';
    pattern.addEventListener('input', () => { o.pattern = pattern.value; preview(); });
    const tier = select(TIERS, o.tier || 'sensitive');
    o.tier = tier.value;
    tier.addEventListener('change', () => { o.tier = tier.value; preview(); });
    const approvals = h('input', { type: 'number', min: 0, max: 10, step: 1, inputmode: 'numeric', placeholder: 'tier default' });
    approvals.value = o.required_approvals ?? '';
    approvals.addEventListener('input', () => { o.required_approvals = approvals.value; preview(); });
    const delay = h('input', { type: 'number', min: 0, step: 1, inputmode: 'numeric', placeholder: 'tier default' });
    delay.value = o.approval_delay_seconds ?? '';
    delay.addEventListener('input', () => { o.approval_delay_seconds = delay.value; preview(); });
    return h('fieldset', { class: 'override', 'data-field': at },
      h('legend', null, `Override ${i + 1}`),
      h('p', { class: 'field-error', hidden: true }),
      h('div', { class: 'grid' },
        field({ label: 'Pattern', name: `${at}.pattern`, control: pattern, hint: '* within a segment, ** across segments, ? one character' }),
        field({ label: 'Tier', name: `${at}.tier`, control: tier }),
        field({ label: 'Required approvals', name: `${at}.required_approvals`, control: approvals }),
        field({ label: 'Approval delay (seconds)', name: `${at}.approval_delay_seconds`, control: delay, hint: 'critical only: the cancel window' })),
      canEdit ? h('button', {
        type: 'button', class: 'button-link', 'aria-label': `Remove override ${i + 1}`,
        onclick: () => { model.path_overrides.splice(i, 1); renderRows(); preview(); },
      }, 'Remove') : null);
  }

  const addButton = h('button', {
    type: 'button', class: 'secondary',
    onclick: () => {
      model.path_overrides.push({ pattern: `${ns}/`, tier: 'sensitive' });
      renderRows();
      preview();
      const inputs = rows.querySelectorAll('fieldset.override input[type="text"]');
      if (inputs.length) inputs[inputs.length - 1].focus();
    },
  }, 'Add override');

  /** The body for PUT, or {errors} for values that are not numbers. */
  function body() {
    const errors = [];
    const int = (value, name) => {
      if (value === null || value === undefined || String(value).trim() === '') return undefined;
      const n = Number(value);
      if (!Number.isInteger(n)) {
        errors.push({ field: name, message: 'must be a whole number' });
        return undefined;
      }
      return n;
    };
    const out = { default_tier: model.default_tier, path_overrides: [] };
    model.path_overrides.forEach((o, i) => {
      const entry = { pattern: (o.pattern || '').trim(), tier: o.tier };
      const approvals = int(o.required_approvals, `path_overrides[${i}].required_approvals`);
      const delay = int(o.approval_delay_seconds, `path_overrides[${i}].approval_delay_seconds`);
      if (approvals !== undefined) entry.required_approvals = approvals;
      if (delay !== undefined) entry.approval_delay_seconds = delay;
      // An override's own SLA ladder is kept as loaded (edit it through the API).
      for (const k of ['remind_after_seconds', 'escalate_after_seconds', 'escalation_approvers']) {
        if (o[k] !== undefined && o[k] !== null) entry[k] = o[k];
      }
      out.path_overrides.push(entry);
    });
    const ttl = int(ttlInput.value, 'request_ttl_seconds');
    if (ttl !== undefined) out.request_ttl_seconds = ttl;
    const approvers = approversInput.value.split('\n').map((s) => s.trim()).filter(Boolean);
    if (approvers.length) out.approvers = approvers;
    const remind = int(remindInput.value, 'remind_after_seconds');
    if (remind !== undefined) out.remind_after_seconds = remind;
    const escalate = int(escalateInput.value, 'escalate_after_seconds');
    if (escalate !== undefined) out.escalate_after_seconds = escalate;
    const escalation = escalationInput.value.split('\n').map((s) => s.trim()).filter(Boolean);
    if (escalation.length) out.escalation_approvers = escalation;
    return { out, errors };
  }

  function preview() {
    json.textContent = JSON.stringify(body().out, null, 2);
  }
  ttlInput.addEventListener('input', preview);
  approversInput.addEventListener('input', preview);
  for (const input of [remindInput, escalateInput, escalationInput]) input.addEventListener('input', preview);

  const form = h('form', { class: 'policy-form stack', novalidate: true, 'aria-labelledby': 'policy-h' },
    h('h2', { id: 'policy-h' }, 'Policy'),
    meta,
    canEdit ? null : notice('info', 'Only admins can change a policy. You can read it and use the simulator.'),
    summary,
    h('fieldset', { class: 'plain', disabled: !canEdit },
      h('div', { class: 'grid' },
        field({ label: 'Default tier', name: 'default_tier', control: tierSelect, hint: 'for paths no override matches' }),
        field({ label: 'Request lifetime (seconds)', name: 'request_ttl_seconds', control: ttlInput, hint: 'how long a request waits for approvals; default 1800' })),
      field({
        label: 'Approvers', name: 'approvers', control: approversInput,
        hint: 'Ids of approver or admin principals (prn_…), one per line; they decide, whatever their namespaces. Leave empty: every approver assigned to the namespace.',
      }),
      h('div', { class: 'grid' },
        field({ label: 'Remind after (seconds)', name: 'remind_after_seconds', control: remindInput, hint: 'notify the approvers again while the request waits' }),
        field({ label: 'Escalate after (seconds)', name: 'escalate_after_seconds', control: escalateInput, hint: 'then the escalation approvers may decide too' })),
      field({
        label: 'Escalation approvers', name: 'escalation_approvers', control: escalationInput,
        hint: 'Ids of approver or admin principals (prn_…), one per line, added to the approvers at the escalation.',
      }),
      h('fieldset', { class: 'plain', 'data-field': 'path_overrides' },
        h('legend', null, 'Path overrides'),
        h('p', { class: 'field-error', hidden: true }),
        rows,
        canEdit ? addButton : null),
      h('details', { class: 'json-preview' },
        h('summary', null, 'As JSON (the body of PUT /v1/namespaces/', ns, '/policy)'),
        json),
      canEdit ? h('div', { class: 'actions' }, saveButton) : null));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!canEdit) return;
    clearFieldErrors(form);
    summary.replaceChildren();
    const { out, errors } = body();
    if (errors.length) {
      showErrors({ errors, summary: 'Some values are not whole numbers.' });
      return;
    }
    saveButton.disabled = true;
    try {
      const saved = await api('PUT', `/v1/namespaces/${encodeURIComponent(ns)}/policy`, { body: out });
      model.path_overrides = (saved.path_overrides || []).map((o) => ({ ...o }));
      model.default_tier = saved.default_tier;
      renderRows();
      preview();
      showMeta(saved);
      replace(summary, notice('ok', `Saved: revision ${saved.revision}.`));
    } catch (err) {
      showErrors(err);
    } finally {
      saveButton.disabled = false;
    }
  });

  /** Field errors go beside their fields (approvers[2] beside the approvers box), the rest on top. */
  function showErrors(err) {
    const unplaced = placeFieldErrors(err, form, (scope, name, message) => {
      const m = /^approvers\[(\d+)\]$/.exec(name);
      if (m) return setFieldError(scope, 'approvers', `Line ${Number(m[1]) + 1}: ${message}`);
      return setFieldError(scope, name, message);
    });
    const count = err.errors.length;
    replace(summary, notice('error',
      h('strong', null, count ? `The policy was not saved: ${count} problem${count === 1 ? '' : 's'}, shown by the fields below.` : `The policy was not saved: ${err.summary}`),
      ...unplaced.map((u) => h('span', { class: 'block' }, `${u.field}: ${u.message}`))));
    const first = form.querySelector('[aria-invalid="true"]');
    if (first) first.focus();
  }

  renderRows();
  preview();
  return h('section', { class: 'card' }, form);
}

function simulator(ns) {
  const principal = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'agt_…' });
  const scope = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  scope.value = `secrets:read:${ns}/`;
  const result = h('div', { class: 'sim-result', role: 'status', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Simulate');
  const form = h('form', { class: 'stack', novalidate: true, 'aria-labelledby': 'sim-h' },
    h('h2', { id: 'sim-h' }, 'Simulate a request'),
    h('p', { class: 'hint' }, 'What would this principal need to get a token for this scope, and why? Nothing is requested.'),
    h('div', { class: 'grid' },
      field({ label: 'Principal id', name: 'principal_id', control: principal }),
      field({ label: 'Scope', name: 'scope', control: scope, hint: 'secrets:read:<path glob>' })),
    h('div', { class: 'actions' }, button),
    result);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    result.replaceChildren();
    let bad = false;
    if (!principal.value.trim()) { setFieldError(form, 'principal_id', 'Enter a principal id.'); bad = true; }
    if (!scope.value.trim()) { setFieldError(form, 'scope', 'Enter a scope.'); bad = true; }
    if (bad) {
      form.querySelector('[aria-invalid="true"]').focus();
      return;
    }
    button.disabled = true;
    try {
      const d = await api('POST', `/v1/namespaces/${encodeURIComponent(ns)}/policy/simulate`,
        { body: { principal_id: principal.value.trim(), scope: scope.value.trim() } });
      const paths = d.secret_paths || [];
      replace(result, h('div', { class: 'decision-box' },
        h('p', { class: 'decision-line' }, tierBadge(d.tier), ' ',
          d.auto_approved ? h('strong', null, 'Issued at once: no approval needed.')
            : h('strong', null, `Needs ${d.required_approvals} approval${d.required_approvals === 1 ? '' : 's'}`,
              d.approval_delay_seconds ? `, then a ${duration(d.approval_delay_seconds * 1000)} cancel window.` : '.')),
        h('p', { class: 'explanation' }, d.explanation),
        h('dl', { class: 'facts' },
          d.matched_pattern ? h('div', { class: 'pair' }, h('dt', null, 'Matched override'), h('dd', null, code(d.matched_pattern))) : null,
          h('div', { class: 'pair' }, h('dt', null, 'Trust tier'), h('dd', null, trustLabel(d.trust_tier, d.trust_source), d.trust_adjusted ? ' (trust tiers are on: the reference table applies)' : ' (trust tiers are off)')),
          h('div', { class: 'pair' }, h('dt', null, 'Secrets reached'), h('dd', null, paths.length
            ? h('ul', { class: 'paths' }, ...paths.map((p) => h('li', null, code(p)))) : h('span', { class: 'muted' }, 'none yet'))))));
    } catch (err) {
      const unplaced = placeFieldErrors(err, form, setFieldError);
      if (unplaced.length || !err.errors.length) {
        replace(result, notice('error', err.summary, ...unplaced.map((u) => h('span', { class: 'block' }, `${u.field}: ${u.message}`))));
      }
    } finally {
      button.disabled = false;
    }
  });
  return h('section', { class: 'card' }, form);
}

function select(options, value) {
  const el = h('select', null, ...options.map((o) => h('option', { value: o }, o)));
  el.value = value;
  return el;
}

// Settings → Principals: admins create agents and approvers, see a new key once (with a copy
// button), add and revoke keys, disable a principal, set an agent's MoltbotDen id and trust-tier
// override, and bind Kubernetes service accounts to an agent (workload identity). Everything goes through /v1/principals; a key exists on this page only until it is
// dismissed or the page is left.

import { api, all, placeFieldErrors } from '../api.js';
import { h, replace, notice, field, setFieldError, clearFieldErrors } from '../dom.js';
import { time, code, trustLabel, TRUST_TIERS } from '../format.js';
import { settingsNav } from './settings.js';

const BASE = '/dashboard/settings/principals';

export function render(main, ctx) {
  main.append(settingsNav('principals'));
  return ctx.params.id ? detail(main, ctx, ctx.params.id) : list(main, ctx);
}

/** The one place a new key is shown: a read-only field, a copy button, and a way to put it away. */
function newKeyPanel(key, what) {
  const input = h('input', { type: 'text', readonly: true, class: 'key-value', spellcheck: 'false', 'aria-label': 'New API key' });
  input.value = key;
  const status = h('span', { class: 'copy-status', role: 'status', 'aria-live': 'polite' });
  const panel = h('div', { class: 'new-key notice notice-ok', role: 'region', 'aria-label': 'New API key' },
    h('p', null, h('strong', null, what), ' Copy it now: it is shown only this once and cannot be shown again.'),
    h('div', { class: 'copy-row' }, input,
      h('button', {
        type: 'button', class: 'primary',
        onclick: async () => {
          try {
            await navigator.clipboard.writeText(input.value);
            status.textContent = 'Copied.';
          } catch (e) {
            input.select();
            status.textContent = 'Select the key and copy it (Ctrl+C).';
          }
        },
      }, 'Copy key'),
      h('button', { type: 'button', class: 'secondary', onclick: () => { input.value = ''; panel.remove(); } }, 'Done')),
    status);
  return panel;
}

function list(main) {
  const flash = h('div');
  const tableBox = h('div', null, h('p', { class: 'loading' }, 'Loading…'));
  main.append(
    h('div', { class: 'page-head' },
      h('h1', null, 'Principals'),
      h('p', { class: 'lede' }, 'Agents request tokens; approvers decide requests; admins manage everything. Each authenticates with an API key.')),
    flash, createForm(flash, reload), h('h2', null, 'All principals'), tableBox);

  let destroyed = false;
  async function reload() {
    try {
      const items = await all('/v1/principals');
      if (destroyed) return;
      replace(tableBox, h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Principals' },
        h('table', { class: 'principals' },
          h('thead', null, h('tr', null, ...['Name', 'Role', 'Namespaces', 'Trust tier', 'Keys', 'Status'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', null, ...items.map((p) => h('tr', { 'data-id': p.id },
            cell('Name', h('a', { href: `${BASE}/${encodeURIComponent(p.id)}` }, p.name), h('span', { class: 'block muted' }, code(p.id)),
              (p.kubernetes_service_accounts || []).length ? h('span', { class: 'block muted' }, 'Kubernetes ', commaCodes(p.kubernetes_service_accounts)) : null),
            cell('Role', p.role),
            cell('Namespaces', (p.namespaces || []).join(', ') || '—'),
            cell('Trust tier', p.role !== 'agent' ? '—' : [p.trust_tier ? trustLabel(p.trust_tier, 'override') : 'from MoltbotDen',
              p.moltbotden_id ? h('span', { class: 'block muted' }, 'MoltbotDen id ', code(p.moltbotden_id)) : null]),
            cell('Keys', `${(p.keys || []).filter((k) => !k.revoked_at).length} active`),
            cell('Status', p.disabled ? h('span', { class: 'badge status-denied' }, 'disabled') : h('span', { class: 'badge status-approved' }, 'enabled'))))))));
    } catch (e) {
      if (!destroyed) replace(tableBox, notice('error', `Could not load principals: ${e.summary}`));
    }
  }
  reload();
  return { destroy() { destroyed = true; } };
}

function tierSelect(value, emptyLabel) {
  const el = h('select', null, h('option', { value: '' }, emptyLabel), ...TRUST_TIERS.map((t) => h('option', { value: t }, trustLabel(t))));
  el.value = value || '';
  return el;
}

function namespaces(text) {
  return text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

function createForm(flash, reload) {
  const name = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', required: true });
  const role = h('select', null, ...['agent', 'approver', 'admin'].map((r) => h('option', { value: r }, r)));
  const ns = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'production, staging' });
  const email = h('input', { type: 'email', autocomplete: 'off', spellcheck: 'false' });
  const moltbotden = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const tier = tierSelect('', 'none: look it up on MoltbotDen');
  const accounts = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'payments/stripe-runner' });
  const agentOnly = h('div', { class: 'grid' },
    field({ label: 'MoltbotDen id', name: 'moltbotden_id', control: moltbotden, hint: 'its trust tier is looked up when the integration is on' }),
    field({ label: 'Trust tier override', name: 'trust_tier', control: tier, hint: 'wins over the lookup' }),
    field({ label: 'Kubernetes service accounts', name: 'kubernetes_service_accounts', control: accounts, hint: `${SA_HINT}; comma-separated` }));
  role.addEventListener('change', () => { agentOnly.hidden = role.value !== 'agent'; });
  const summary = h('div');
  const button = h('button', { type: 'submit', class: 'primary' }, 'Create principal');
  const form = h('form', { class: 'stack', novalidate: true, 'aria-labelledby': 'create-h' },
    h('h2', { id: 'create-h' }, 'Create a principal'),
    summary,
    h('div', { class: 'grid' },
      field({ label: 'Name', name: 'name', control: name }),
      field({ label: 'Role', name: 'role', control: role }),
      field({ label: 'Namespaces', name: 'namespaces', control: ns, hint: 'comma-separated' }),
      field({ label: 'Email (optional)', name: 'email', control: email })),
    agentOnly,
    h('div', { class: 'actions' }, button));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    summary.replaceChildren();
    if (!name.value.trim()) {
      setFieldError(form, 'name', 'Enter a name.');
      name.focus();
      return;
    }
    const body = { name: name.value.trim(), role: role.value, namespaces: namespaces(ns.value) };
    if (email.value.trim()) body.email = email.value.trim();
    if (role.value === 'agent' && moltbotden.value.trim()) body.moltbotden_id = moltbotden.value.trim();
    if (role.value === 'agent' && tier.value) body.trust_tier = tier.value;
    if (role.value === 'agent' && namespaces(accounts.value).length) body.kubernetes_service_accounts = namespaces(accounts.value);
    button.disabled = true;
    try {
      const p = await api('POST', '/v1/principals', { body });
      replace(flash, newKeyPanel(p.api_key, `Created ${p.role} ${p.name} (${p.id}).`));
      form.reset();
      agentOnly.hidden = false;
      reload();
      flash.querySelector('button').focus();
    } catch (err) {
      const unplaced = placeFieldErrors(err, form, (scope, f, m) => setFieldError(scope, f.replace(/\[\d+\]$/, ''), m));
      // A 409 names no field: a service account bound elsewhere is the only conflict a create with
      // accounts can meet besides the name, and the detail says which.
      const accountConflict = err.status === 409 && body.kubernetes_service_accounts && /service account/i.test(err.summary);
      if (accountConflict) setFieldError(form, 'kubernetes_service_accounts', err.summary);
      replace(summary, notice('error', `Not created: ${err.errors.length || accountConflict ? 'see the fields below.' : err.summary}`,
        ...unplaced.map((u) => h('span', { class: 'block' }, `${u.field}: ${u.message}`))));
    } finally {
      button.disabled = false;
    }
  });
  return h('section', { class: 'card' }, form);
}

function detail(main, ctx, id) {
  const head = h('div', { class: 'page-head' },
    h('p', { class: 'crumbs' }, h('a', { href: BASE }, '← Principals')),
    h('h1', null, `Principal ${id}`));
  const flash = h('div');
  const box = h('div', null, h('p', { class: 'loading' }, 'Loading…'));
  main.append(head, flash, box);
  let destroyed = false;

  async function load() {
    try {
      const p = await api('GET', `/v1/principals/${encodeURIComponent(id)}`);
      if (!destroyed) show(p);
    } catch (e) {
      if (!destroyed) replace(box, notice('error', e.status === 404 ? 'There is no such principal.' : e.summary));
    }
  }

  function show(p) {
    replace(head.querySelector('h1'), `${p.name} (${p.role})`);
    replace(box, h('div', { class: 'columns' },
      h('div', null, editForm(p), p.role === 'agent' ? accountsCard(p) : null, keysCard(p)),
      h('div', null, h('section', { class: 'card' },
        h('h2', null, 'Facts'),
        h('dl', { class: 'facts' },
          h('div', { class: 'pair' }, h('dt', null, 'Id'), h('dd', null, code(p.id))),
          h('div', { class: 'pair' }, h('dt', null, 'Status'), h('dd', null, p.disabled ? 'disabled' : 'enabled')),
          h('div', { class: 'pair' }, h('dt', null, 'Created'), h('dd', null, time(p.created_at))),
          h('div', { class: 'pair' }, h('dt', null, 'Changed'), h('dd', null, time(p.updated_at))),
          p.oidc_identity ? h('div', { class: 'pair' }, h('dt', null, 'Signs in as'), h('dd', null, code(p.oidc_identity.subject), ' at ', code(p.oidc_identity.issuer))) : null),
        h('div', { class: 'actions' }, h('button', {
          type: 'button', class: p.disabled ? 'secondary' : 'danger',
          onclick: (e) => patch({ disabled: !p.disabled }, p.disabled ? 'Enabled.' : 'Disabled: its keys stop working at once.', e.target).catch(() => {}),
        }, p.disabled ? 'Enable principal' : 'Disable principal'))))));
  }

  async function patch(body, done, button) {
    if (button) button.disabled = true;
    try {
      const p = await api('PATCH', `/v1/principals/${encodeURIComponent(id)}`, { body });
      replace(flash, notice('ok', done));
      show(p);
      return p;
    } catch (err) {
      if (button) button.disabled = false;
      replace(flash, notice('error', err.summary, ...err.errors.map((u) => h('span', { class: 'block' }, `${u.field}: ${u.message}`))));
      throw err;
    }
  }

  function editForm(p) {
    const ns = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
    ns.value = (p.namespaces || []).join(', ');
    const email = h('input', { type: 'email', autocomplete: 'off', spellcheck: 'false' });
    email.value = p.email || '';
    const moltbotden = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
    moltbotden.value = p.moltbotden_id || '';
    const tier = tierSelect(p.trust_tier, 'none: look it up on MoltbotDen');
    const button = h('button', { type: 'submit', class: 'primary' }, 'Save changes');
    const form = h('form', { class: 'stack', novalidate: true, 'aria-labelledby': 'edit-h' },
      h('h2', { id: 'edit-h' }, 'Details'),
      field({ label: 'Namespaces', name: 'namespaces', control: ns, hint: 'comma-separated; leaving one cancels this principal\'s open requests there' }),
      field({ label: 'Email', name: 'email', control: email }),
      p.role === 'agent' ? h('div', { class: 'grid' },
        field({ label: 'MoltbotDen id', name: 'moltbotden_id', control: moltbotden, hint: 'empty: none' }),
        field({ label: 'Trust tier override', name: 'trust_tier', control: tier, hint: 'wins over the MoltbotDen lookup' })) : null,
      h('div', { class: 'actions' }, button));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFieldErrors(form);
      const body = { namespaces: namespaces(ns.value), email: email.value.trim() };
      if (p.role === 'agent') {
        body.moltbotden_id = moltbotden.value.trim();
        body.trust_tier = tier.value;
      }
      try {
        await patch(body, 'Saved.', button);
      } catch (err) {
        placeFieldErrors(err, form, (scope, f, m) => setFieldError(scope, f.replace(/\[\d+\]$/, ''), m));
      }
    });
    return h('section', { class: 'card' }, form);
  }

  /**
   * The agent's Kubernetes service accounts: each with a button to unbind it, and a field to bind
   * one more. PATCH replaces the whole list, so each change sends the list as shown plus or minus
   * one; the server's 422 (format) and 409 (bound to another principal) land by the field.
   */
  function accountsCard(p) {
    const bound = p.kubernetes_service_accounts || [];
    const input = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'payments/stripe-runner' });
    const add = h('button', { type: 'submit', class: 'secondary' }, 'Bind');
    const form = h('form', { class: 'inline-form', novalidate: true, 'aria-label': 'Bind a Kubernetes service account' },
      field({ label: 'Service account', name: 'kubernetes_service_accounts', control: input, hint: SA_HINT }),
      h('div', { class: 'actions' }, add));

    async function save(wanted, done, button) {
      clearFieldErrors(form);
      button.disabled = true;
      try {
        const updated = await api('PATCH', `/v1/principals/${encodeURIComponent(id)}`, { body: { kubernetes_service_accounts: wanted } });
        replace(flash, notice('ok', done));
        show(updated);
        return true;
      } catch (err) {
        button.disabled = false;
        replace(flash);
        const messages = err.errors.length ? err.errors.map((e) => e.message) : [err.summary];
        setFieldError(form, 'kubernetes_service_accounts', [...new Set(messages)].join(' '));
        input.focus();
        return false;
      }
    }

    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFieldErrors(form);
      const account = input.value.trim();
      if (!account) {
        setFieldError(form, 'kubernetes_service_accounts', 'Enter a service account as <namespace>/<name>.');
        input.focus();
        return;
      }
      if (bound.includes(account)) {
        setFieldError(form, 'kubernetes_service_accounts', `${account} is already bound to this agent.`);
        input.focus();
        return;
      }
      await save([...bound, account], `Bound ${account}: pods running as it now authenticate as ${p.name}.`, add);
    });

    return h('section', { class: 'card' },
      h('h2', null, 'Kubernetes service accounts'),
      h('p', { class: 'muted' }, 'Pods running as one of these authenticate as this agent with their service-account token, no API key needed.'),
      bound.length === 0 ? h('p', { class: 'muted' }, 'None bound.') : h('ul', { class: 'bindings', 'aria-label': 'Bound service accounts' },
        ...bound.map((account) => h('li', { 'data-account': account }, code(account), h('button', {
          type: 'button', class: 'danger small', 'aria-label': `Unbind ${account}`,
          onclick: (e) => save(bound.filter((a) => a !== account), `Unbound ${account}: its tokens stop working at once.`, e.target),
        }, 'Unbind')))),
      form);
  }

  function keysCard(p) {
    const keys = p.keys || [];
    const rotate = h('button', {
      type: 'button', class: 'secondary',
      onclick: async () => {
        rotate.disabled = true;
        try {
          const k = await api('POST', `/v1/principals/${encodeURIComponent(id)}/keys`);
          replace(flash, newKeyPanel(k.api_key, `New key ${k.id} for ${p.name}.`), notice('info', 'Revoke the old key once the new one is in use.'));
          load();
        } catch (err) {
          rotate.disabled = false;
          replace(flash, notice('error', `No new key: ${err.summary}`));
        }
      },
    }, 'Add a new key (rotate)');
    return h('section', { class: 'card' },
      h('h2', null, 'API keys'),
      keys.length === 0 ? h('p', { class: 'muted' }, 'No keys.') : h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'API keys' },
        h('table', { class: 'keys' },
          h('thead', null, h('tr', null, ...['Key', 'Created', 'Last used', 'Status', ''].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', null, ...keys.map((k) => h('tr', { 'data-key': k.id },
            cell('Key', code(`${k.prefix}…`), h('span', { class: 'block muted' }, k.id)),
            cell('Created', time(k.created_at)),
            cell('Last used', k.last_used_at ? time(k.last_used_at) : 'never'),
            cell('Status', k.revoked_at ? ['revoked ', time(k.revoked_at)] : 'active'),
            cell('Action', k.revoked_at ? '' : h('button', {
              type: 'button', class: 'danger small', 'aria-label': `Revoke key ${k.id}`,
              onclick: async (e) => {
                e.target.disabled = true;
                try {
                  await api('DELETE', `/v1/principals/${encodeURIComponent(id)}/keys/${encodeURIComponent(k.id)}`);
                  replace(flash, notice('ok', `Key ${k.id} revoked: it stops working at once.`));
                  load();
                } catch (err) {
                  e.target.disabled = false;
                  replace(flash, notice('error', `Not revoked: ${err.summary}`));
                }
              },
            }, 'Revoke'))))))),
      h('div', { class: 'actions' }, rotate));
  }

  load();
  return { destroy() { destroyed = true; } };
}

const SA_HINT = '<kubernetes-namespace>/<service-account>, lower-case DNS names';

function commaCodes(values) {
  return values.flatMap((v, i) => (i ? [', ', code(v)] : [code(v)]));
}

function cell(label, ...content) {
  return h('td', { 'data-label': label }, h('div', { class: 'cell' }, ...content));
}

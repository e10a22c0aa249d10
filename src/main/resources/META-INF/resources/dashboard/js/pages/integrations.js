// Settings → Integrations: the MoltbotDen registry switch and URL, a connection test and the last
// lookup. The registry's API key is configuration (ASS_MOLTBOTDEN_API_KEY): the API never returns
// it, and this page only says whether one is set.

import { api, placeFieldErrors } from '../api.js';
import { h, replace, notice, field, setFieldError, clearFieldErrors } from '../dom.js';
import { time, code, trustLabel } from '../format.js';
import { settingsNav } from './settings.js';

const PATH = '/v1/settings/integrations/moltbotden';
const OUTCOMES = { found: 'Found', not_registered: 'Not registered (404)', failed: 'No usable answer' };

export function render(main) {
  const box = h('div', null, h('p', { class: 'loading' }, 'Loading…'));
  main.append(settingsNav('integrations'),
    h('div', { class: 'page-head' },
      h('h1', null, 'Integrations'),
      h('p', { class: 'lede' }, 'MoltbotDen trust tiers relax approvals for trusted agents exactly as the reference table shows. An agent\'s tier is looked up by its MoltbotDen id; a tier set on the principal overrides it; any failure counts as Unregistered.')),
    box);
  let destroyed = false;
  api('GET', PATH).then((s) => {
    if (!destroyed) replace(box, card(s));
  }).catch((e) => {
    if (!destroyed) replace(box, notice('error', `Could not load the settings: ${e.summary}`));
  });
  return { destroy() { destroyed = true; } };
}

function card(initial) {
  let s = initial;
  const enabled = h('input', { type: 'checkbox', id: 'md-enabled' });
  const url = h('input', { type: 'url', autocomplete: 'off', spellcheck: 'false', placeholder: 'https://api.moltbotden.com' });
  const summary = h('div', { role: 'status', 'aria-live': 'polite' });
  const facts = h('dl', { class: 'facts' });
  const lastBox = h('div');
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save');

  /** Shows the stored settings; the form's inputs too, unless the person may be editing them. */
  function show(view, inputs = true) {
    s = view;
    if (inputs) {
      enabled.checked = !!view.enabled;
      url.value = view.base_url || '';
    }
    replace(facts,
      h('div', { class: 'pair' }, h('dt', null, 'Status'), h('dd', null, h('strong', null, view.enabled ? 'On' : 'Off'))),
      h('div', { class: 'pair' }, h('dt', null, 'Registry URL in use'), h('dd', null, view.effective_url ? code(view.effective_url) : h('span', { class: 'muted' }, 'none configured'),
        view.base_url ? ' (set here)' : view.effective_url ? ' (from ASS_MOLTBOTDEN_URL)' : '')),
      h('div', { class: 'pair' }, h('dt', null, 'API key'), h('dd', null,
        view.api_key_configured ? 'configured (ASS_MOLTBOTDEN_API_KEY, never shown)' : 'not configured',
        view.api_key_configured && !view.api_key_sent ? ' — not sent to this URL: the key only goes to the origin of ASS_MOLTBOTDEN_URL' : '')),
      h('div', { class: 'pair' }, h('dt', null, 'Answers cached for'), h('dd', null, `${view.cache_ttl_seconds} s`)),
      h('div', { class: 'pair' }, h('dt', null, 'Lookup timeout'), h('dd', null, `${view.timeout_millis} ms`)),
      view.updated_at ? h('div', { class: 'pair' }, h('dt', null, 'Changed'), h('dd', null, time(view.updated_at), view.updated_by ? [' by ', code(view.updated_by)] : '')) : null);
    replace(lastBox, h('h3', null, 'Last lookup'), view.last_lookup ? lookupFacts(view.last_lookup)
      : h('p', { class: 'muted' }, 'No lookup since this server started.'));
  }

  const form = h('form', { class: 'stack', novalidate: true, 'aria-labelledby': 'md-h' },
    h('h2', { id: 'md-h' }, 'MoltbotDen'),
    summary,
    h('div', { class: 'field check', 'data-field': 'enabled' },
      h('label', { for: 'md-enabled' }, enabled, ' Use MoltbotDen trust tiers'),
      h('p', { class: 'field-error', hidden: true })),
    field({ label: 'Registry URL', name: 'base_url', control: url, hint: 'Leave empty to use ASS_MOLTBOTDEN_URL from the environment.' }),
    h('div', { class: 'actions' }, save));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    summary.replaceChildren();
    save.disabled = true;
    try {
      const body = { enabled: enabled.checked };
      if (url.value.trim()) body.base_url = url.value.trim();
      show(await api('PUT', PATH, { body }));
      replace(summary, notice('ok', `Saved: MoltbotDen trust tiers are ${enabled.checked ? 'on' : 'off'}.`));
    } catch (err) {
      const unplaced = placeFieldErrors(err, form, setFieldError);
      replace(summary, notice('error', `Not saved: ${err.errors.length ? 'see the fields below.' : err.summary}`,
        ...unplaced.map((u) => h('span', { class: 'block' }, `${u.field}: ${u.message}`))));
    } finally {
      save.disabled = false;
    }
  });

  const probeId = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const result = h('div', { class: 'test-result', role: 'status', 'aria-live': 'polite' });
  const testButton = h('button', { type: 'submit', class: 'secondary' }, 'Test connection');
  const test = h('form', { class: 'stack', novalidate: true, 'aria-labelledby': 'md-test-h' },
    h('h3', { id: 'md-test-h' }, 'Test the connection'),
    field({ label: 'MoltbotDen id (optional)', name: 'moltbotden_id', control: probeId, hint: 'Without one, an id no registry knows is asked: "not registered" proves the way there and the key.' }),
    h('div', { class: 'actions' }, testButton),
    result);
  test.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(test);
    result.replaceChildren();
    testButton.disabled = true;
    try {
      const body = probeId.value.trim() ? { moltbotden_id: probeId.value.trim() } : {};
      const r = await api('POST', `${PATH}/test`, { body });
      // The facts and the last lookup change; what is typed in the settings form above stays.
      show(await api('GET', PATH), false);
      replace(result, notice(r.ok ? 'ok' : 'error', h('strong', null, r.ok ? 'Connection works. ' : 'Connection failed. '),
        r.lookup.detail, r.lookup.duration_millis !== undefined ? ` (${r.lookup.duration_millis} ms)` : ''));
    } catch (err) {
      const unplaced = placeFieldErrors(err, test, setFieldError);
      if (unplaced.length || !err.errors.length) replace(result, notice('error', err.summary));
    } finally {
      testButton.disabled = false;
    }
  });

  show(s);
  return h('section', { class: 'card' }, form, facts, h('div', { class: 'subsection' }, test), h('div', { class: 'subsection' }, lastBox));
}

function lookupFacts(l) {
  return h('dl', { class: 'facts last-lookup' },
    h('div', { class: 'pair' }, h('dt', null, 'When'), h('dd', null, time(l.at))),
    h('div', { class: 'pair' }, h('dt', null, 'MoltbotDen id'), h('dd', null, code(l.moltbotden_id))),
    h('div', { class: 'pair' }, h('dt', null, 'Outcome'), h('dd', null, OUTCOMES[l.outcome] || l.outcome, l.detail ? ` — ${l.detail}` : '')),
    h('div', { class: 'pair' }, h('dt', null, 'Counts as'), h('dd', null, trustLabel(l.trust_tier))),
    h('div', { class: 'pair' }, h('dt', null, 'Took'), h('dd', null, `${l.duration_millis} ms`)));
}

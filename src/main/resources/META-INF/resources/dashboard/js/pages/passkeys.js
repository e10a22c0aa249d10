// Settings → Passkeys: the signed-in person's passkeys. Approving a critical request needs a fresh
// passkey assertion made for that request, so every approver registers at least one here.

import { api } from '../api.js';
import { h, replace, notice, field } from '../dom.js';
import { time, code } from '../format.js';
import { settingsNav } from './settings.js';
import * as webauthn from '../webauthn.js';

export function render(main, ctx) {
  const flash = h('div', { role: 'status', 'aria-live': 'polite' });
  const box = h('div', null, h('p', { class: 'loading' }, 'Loading…'));
  const label = h('input', { type: 'text', maxlength: 100, name: 'label', autocomplete: 'off', placeholder: 'Laptop Touch ID' });
  const add = h('button', { type: 'submit', class: 'primary' }, 'Add a passkey');
  const form = h('form', { class: 'card stack', novalidate: true, 'aria-label': 'Add a passkey' },
    field({ label: 'Name (optional)', name: 'label', control: label, hint: 'So you can tell your passkeys apart.' }),
    h('div', { class: 'actions' }, add));
  main.append(settingsNav('passkeys', ctx.me),
    h('div', { class: 'page-head' },
      h('h1', null, 'Passkeys'),
      h('p', { class: 'lede' }, 'Approving a critical request asks for one of your passkeys at that moment, for that request. An API key alone cannot approve a critical request.')),
    flash, form, box);
  if (!webauthn.supported()) {
    replace(flash, notice('error', 'This browser cannot use passkeys.'));
    add.disabled = true;
  }
  let destroyed = false;

  async function reload() {
    try {
      const items = await api('GET', '/v1/passkeys');
      if (destroyed) return;
      replace(box, items.length === 0
        ? h('p', { class: 'empty' }, 'You have no passkeys yet.')
        : h('ul', { class: 'cards passkeys' }, ...items.map((p) => h('li', { class: 'card passkey' },
          h('h2', { class: 'card-title' }, p.label),
          h('dl', { class: 'facts' },
            h('div', { class: 'pair' }, h('dt', null, 'Id'), h('dd', null, code(p.id))),
            h('div', { class: 'pair' }, h('dt', null, 'Added'), h('dd', null, time(p.created_at))),
            h('div', { class: 'pair' }, h('dt', null, 'Last used'), h('dd', null, p.last_used_at ? time(p.last_used_at) : 'never'))),
          h('div', { class: 'actions' }, h('button', { type: 'button', class: 'danger', onclick: (e) => remove(e, p) }, `Remove ${p.label}`))))));
    } catch (e) {
      if (!destroyed) replace(box, notice('error', `Could not load your passkeys: ${e.summary}`));
    }
  }

  async function remove(e, p) {
    e.target.disabled = true;
    try {
      await api('DELETE', `/v1/passkeys/${encodeURIComponent(p.id)}`);
      replace(flash, notice('ok', `Passkey ${p.label} removed.`));
    } catch (err) {
      e.target.disabled = false;
      replace(flash, notice('error', err.summary));
    }
    reload();
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    add.disabled = true;
    flash.replaceChildren();
    try {
      const options = await api('POST', '/v1/passkeys/registration-options');
      const body = await webauthn.create(options, label.value.trim());
      const created = await api('POST', '/v1/passkeys', { body });
      label.value = '';
      replace(flash, notice('ok', `Passkey added: ${created.label}.`));
      reload();
    } catch (err) {
      replace(flash, notice('error', webauthn.explain(err)));
    } finally {
      add.disabled = !webauthn.supported();
    }
  });

  reload();
  return { destroy() { destroyed = true; } };
}

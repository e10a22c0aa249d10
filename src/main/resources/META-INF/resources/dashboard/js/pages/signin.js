// Sign-in: with the organisation's identity provider (the server runs the OIDC authorization code
// flow at /sso/login when it has one configured), or with an approver's or admin's API key (break-glass).

import { api } from '../api.js';
import { h, field, notice, setFieldError, clearFieldErrors } from '../dom.js';
import * as session from '../session.js';

export const AGENT_REFUSED = 'Agents cannot sign in to approve. Use an approver or admin key.';

/** Whether the server offers single sign-on (GET /sso/status); false when it cannot tell. */
async function ssoAvailable() {
  try {
    const response = await fetch('/sso/status', { headers: { Accept: 'application/json' }, credentials: 'omit', cache: 'no-store' });
    return response.ok && (await response.json()).enabled === true;
  } catch (e) {
    return false;
  }
}

export function render(main, ctx) {
  const keyInput = h('input', {
    type: 'password', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off',
    required: true, 'aria-required': 'true', placeholder: 'ass_…',
  });
  const status = h('div', { class: 'form-status', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', { class: 'stack', novalidate: true, 'aria-labelledby': 'signin-key-heading' },
    h('h2', { id: 'signin-key-heading' }, 'With an API key'),
    field({
      label: 'API key', name: 'api_key', control: keyInput,
      hint: 'An approver or admin key. It is kept in this browser tab only and forgotten when the tab closes.',
    }),
    status,
    h('div', { class: 'actions' }, submit));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    status.replaceChildren();
    const key = keyInput.value.trim();
    if (!key) {
      setFieldError(form, 'api_key', 'Enter your API key.');
      keyInput.focus();
      return;
    }
    if (!/^ass_[A-Za-z0-9]{20,}$/.test(key)) {
      setFieldError(form, 'api_key', 'That is not an API key: keys look like ass_ followed by letters and digits.');
      keyInput.focus();
      return;
    }
    submit.disabled = true;
    status.replaceChildren(h('p', null, 'Checking the key…'));
    try {
      const who = await api('GET', '/v1/principals/me', { key });
      if (who.role === 'agent') {
        keyInput.value = '';
        setFieldError(form, 'api_key', AGENT_REFUSED);
        status.replaceChildren();
        keyInput.focus();
        return;
      }
      if (who.role !== 'approver' && who.role !== 'admin') {
        setFieldError(form, 'api_key', 'Only approvers and admins can sign in.');
        status.replaceChildren();
        return;
      }
      keyInput.value = '';
      session.signIn(key, who);
      ctx.onSignedIn(who);
    } catch (err) {
      status.replaceChildren();
      const message = err.status === 401 ? 'That key was not accepted: it is unknown, revoked, or its principal is disabled.'
        : err.summary;
      setFieldError(form, 'api_key', message);
      keyInput.focus();
    } finally {
      submit.disabled = false;
    }
  });

  const ssoNote = h('p', { class: 'hint', id: 'sso-note' }, 'Checking whether single sign-on is configured…');
  const ssoButton = h('button', { type: 'button', class: 'secondary', disabled: true, 'aria-describedby': 'sso-note' },
    'Sign in with SSO');
  ssoButton.addEventListener('click', () => {
    ssoButton.disabled = true;
    location.assign('/sso/login');
  });
  const sso = h('section', { class: 'card stack', 'aria-labelledby': 'sso-heading' },
    h('h2', { id: 'sso-heading' }, 'With single sign-on'),
    ssoButton,
    ssoNote);
  ssoAvailable().then((available) => {
    ssoButton.disabled = !available;
    ssoNote.textContent = available ? 'Sign in through your organisation\'s identity provider.'
      : 'Single sign-on (OIDC) is not configured on this server. An administrator can enable it; until then, use an API key.';
  });

  main.append(
    h('div', { class: 'signin' },
      h('h1', null, 'Sign in to review requests'),
      ctx.message ? notice(ctx.message.startsWith('Agents') ? 'error' : 'info', ctx.message) : null,
      h('section', { class: 'card' }, form),
      sso));
  keyInput.focus();
  return { ownsFocus: true };
}

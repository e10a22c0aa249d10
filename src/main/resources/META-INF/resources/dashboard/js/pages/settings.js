// Settings: the sub-navigation shared by its pages (admins see every section, approvers only their
// passkeys), and the page others see at an admin-only address.

import { h } from '../dom.js';

const SECTIONS = [
  ['integrations', 'Integrations', '/dashboard/settings/integrations', true],
  ['policies', 'Approval Policies', '/dashboard/settings/policies', true],
  ['principals', 'Principals', '/dashboard/settings/principals', true],
  ['webhooks', 'Webhooks', '/dashboard/settings/webhooks', true],
  ['passkeys', 'Passkeys', '/dashboard/settings/passkeys', false],
];

/** The Settings tabs, `active` marked as the current page; admin-only ones only for admins (`me` absent: admin pages). */
export function settingsNav(active, me) {
  const admin = !me || me.role === 'admin';
  return h('nav', { class: 'subnav', 'aria-label': 'Settings' },
    h('ul', null, ...SECTIONS.filter(([, , , adminOnly]) => admin || !adminOnly).map(([key, label, href]) => h('li', null,
      h('a', { href, 'aria-current': key === active ? 'page' : null }, label)))));
}

/** What a signed-in non-admin sees at a Settings address. */
export function adminsOnly(main) {
  main.append(h('h1', null, 'Settings'),
    h('p', null, 'This part of Settings is for admins. ', h('a', { href: '/dashboard/settings/passkeys' }, 'Manage your passkeys'),
      ' or ', h('a', { href: '/dashboard/queue' }, 'go to the queue.')));
  return {};
}

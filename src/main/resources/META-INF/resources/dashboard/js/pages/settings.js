// Settings (admins only): the sub-navigation shared by its pages, and the page others see instead.

import { h } from '../dom.js';

const SECTIONS = [
  ['integrations', 'Integrations', '/dashboard/settings/integrations'],
  ['policies', 'Approval Policies', '/dashboard/settings/policies'],
  ['principals', 'Principals', '/dashboard/settings/principals'],
  ['webhooks', 'Webhooks', '/dashboard/settings/webhooks'],
];

/** The Settings tabs, `active` marked as the current page. */
export function settingsNav(active) {
  return h('nav', { class: 'subnav', 'aria-label': 'Settings' },
    h('ul', null, ...SECTIONS.map(([key, label, href]) => h('li', null,
      h('a', { href, 'aria-current': key === active ? 'page' : null }, label)))));
}

/** What a signed-in non-admin sees at a Settings address. */
export function adminsOnly(main) {
  main.append(h('h1', null, 'Settings'),
    h('p', null, 'Settings are for admins. ', h('a', { href: '/dashboard/queue' }, 'Go to the queue.')));
  return {};
}

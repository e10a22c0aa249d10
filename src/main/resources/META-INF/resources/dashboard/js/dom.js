// Building DOM nodes without innerHTML: every string from the server becomes a text node, so
// nothing it says can turn into markup or script.

/**
 * h('p', {class: 'x', onclick: fn}, 'text', child, [more, children])
 * Attributes: `class`, `for`, aria-* and data-* as attributes; functions named on* as listeners;
 * true/false toggles a boolean attribute; null/undefined are skipped.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith('on') && typeof value === 'function') {
        el.addEventListener(name.slice(2), value);
      } else if (value === true) {
        el.setAttribute(name, '');
      } else {
        el.setAttribute(name, String(value));
      }
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces all children of el. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A term/description pair for a <dl>; skipped when the value is empty. */
export function pair(term, ...value) {
  const empty = value.length === 0 || value.every((v) => v === null || v === undefined || v === '');
  if (empty) return null;
  return h('div', { class: 'pair' }, h('dt', null, term), h('dd', null, ...value));
}

let uid = 0;
/** A unique id for label/field/error associations. */
export function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

/**
 * A labelled form field with a slot for its error message. `field` is the API's field name
 * (as in problem+json errors[].field), so server errors land next to the right control.
 */
export function field({ label, name, control, hint, field: apiField }) {
  const id = control.id || nextId('f');
  control.id = id;
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', describedBy);
  if (name) control.name = name;
  return h('div', { class: 'field', 'data-field': apiField || name || null },
    h('label', { for: id }, label),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    control,
    h('p', { class: 'field-error', id: errorId, hidden: true }));
}

/** Shows (or with message null, clears) the error of the field whose data-field is `name`. */
export function setFieldError(scope, name, message) {
  const box = scope.querySelector(`[data-field="${cssEscape(name)}"]`);
  if (!box) return false;
  const err = box.querySelector(':scope > .field-error');
  if (!err) return false;
  const control = box.classList.contains('field') ? box.querySelector('input, select, textarea') : null;
  if (message) {
    err.textContent = message;
    err.hidden = false;
    box.classList.add('has-error');
    if (control) control.setAttribute('aria-invalid', 'true');
  } else {
    err.textContent = '';
    err.hidden = true;
    box.classList.remove('has-error');
    if (control) control.removeAttribute('aria-invalid');
  }
  return true;
}

export function clearFieldErrors(scope) {
  for (const box of scope.querySelectorAll('[data-field]')) {
    setFieldError(scope, box.getAttribute('data-field'), null);
  }
}

function cssEscape(s) {
  return window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/["\\\]\[]/g, '\\$&');
}

/** A message box: kind is 'error' (role=alert), 'ok' or 'info' (role=status). */
export function notice(kind, ...content) {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...content);
}

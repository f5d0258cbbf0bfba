// dom.js - a small element builder. Never sets inline styles: the server's CSP forbids them; use classes.

/**
 * h('button', {class: 'button', type: 'button', onclick: fn}, 'text', child, ...)
 * Attributes: `class`, `text`, on* listeners, booleans (true sets, false/null/undefined omits),
 * anything else as an attribute. Children: nodes, strings, numbers, arrays; null and false skipped.
 */
export function h(tag, attrs, ...children) {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === null || v === undefined || v === false) continue;
		if (k === 'style') throw new Error('inline styles are blocked by the CSP; use a class');
		if (k === 'class') el.className = v;
		else if (k === 'text') el.textContent = v;
		else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
		else if (v === true) el.setAttribute(k, '');
		else el.setAttribute(k, String(v));
	}
	append(el, children);
	return el;
}

function append(el, children) {
	for (const c of children) {
		if (c === null || c === undefined || c === false) continue;
		if (Array.isArray(c)) append(el, c);
		else el.append(c instanceof Node ? c : String(c));
	}
}

/** Text only for screen readers (e.g. which row a button acts on). */
export function srOnly(text) {
	return h('span', { class: 'visually-hidden' }, text);
}

let idCounter = 0;
/** A fresh element id with a readable prefix. */
export function uid(prefix) {
	idCounter += 1;
	return `${prefix}-${idCounter}`;
}

/** A labelled form field: <div class=field><label for>…</label><input|select>[hint]</div>. */
export function field(label, control, hint) {
	if (!control.id) control.id = uid('f');
	let hintEl = null;
	if (hint) {
		hintEl = h('p', { class: 'hint', id: control.id + '-hint' }, hint);
		control.setAttribute('aria-describedby', hintEl.id);
	}
	const labelEl = h('label', { for: control.id }, label);
	if (control.required) labelEl.append(' ', h('span', { class: 'required-mark', 'aria-hidden': 'true' }, '*'));
	return h('div', { class: 'field' }, labelEl, control, hintEl);
}

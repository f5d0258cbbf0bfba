// ui.js - pieces every page uses: the page heading, messages, tables, form errors, dialogs.
import { h } from './dom.js';
import { t } from './i18n.js';

/** The page's <h1>, focusable so that navigation can move focus to it. */
export function pageHeading(text) {
	return h('h1', { tabindex: '-1', class: 'page-title' }, text);
}

// Whether the message shown last should survive the next navigation (it was announced just
// before one: signed out, session ended, created and moved on).
let keepOnNavigation = false;

/**
 * Show a message in the aria-live region above the page. kind: 'ok' | 'error' | 'info'.
 * acrossNavigation: keep it when the hash changes next (announce, then navigate).
 */
export function announce(text, kind = 'ok', acrossNavigation = false) {
	keepOnNavigation = acrossNavigation;
	const box = document.getElementById('messages');
	box.replaceChildren();
	if (!text) return;
	box.append(h('p', { class: `message message-${kind}` }, text));
}

export function clearMessages() {
	keepOnNavigation = false;
	document.getElementById('messages').replaceChildren();
}

/** On a hash change: clear the messages unless the last one was meant to survive it. */
export function clearMessagesOnNavigation() {
	if (keepOnNavigation) keepOnNavigation = false;
	else clearMessages();
}

/** A human sentence for an error from api(). */
export function errorText(err) {
	if (err && err.local) return err.problem.detail;
	if (!err || err.status === undefined) return t('common.error', { detail: String(err && err.message) });
	if (err.status === 0) return t('common.network');
	if (err.status === 403) return err.problem.detail ? t('common.forbidden_detail', { detail: err.problem.detail }) : t('common.forbidden');
	return t('common.error', { detail: err.problem.detail || err.problem.title || `HTTP ${err.status}` });
}

/**
 * A table: columns [{label, className}], rows of cells; the first cell of each row is a row
 * header (<th scope="row">). Wrapped for horizontal scrolling on narrow screens.
 */
export function table(caption, columns, rows, emptyText) {
	const thead = h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.className }, c.label))));
	const body = h('tbody');
	if (!rows.length) {
		body.append(h('tr', null, h('td', { colspan: String(columns.length), class: 'empty' }, emptyText)));
	}
	for (const cells of rows) {
		body.append(h('tr', null, cells.map((cell, i) => h(i === 0 ? 'th' : 'td',
			{ scope: i === 0 ? 'row' : null, class: columns[i] && columns[i].className }, cell))));
	}
	return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption },
		h('table', { class: 'data' }, h('caption', { class: 'visually-hidden' }, caption), thead, body));
}

/** The error box of a form (role=alert), hidden until set. */
export function formErrorBox() {
	return h('div', { class: 'form-error', role: 'alert', hidden: true });
}

/** Show an API error on a form: the text in its box, and the named field marked and focused. */
export function showFormError(form, box, err) {
	for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
	box.replaceChildren(errorText(err));
	box.hidden = false;
	const named = err && err.field ? form.querySelector(`[name="${CSS.escape(err.field)}"]`) : null;
	if (named) {
		named.setAttribute('aria-invalid', 'true');
		named.focus();
	}
}

export function clearFormError(form, box) {
	for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
	box.replaceChildren();
	box.hidden = true;
}

/** A form error found before calling the server: `text` about the field named `name`. */
export function localError(name, text) {
	return { local: true, status: 422, field: name, problem: { detail: text } };
}

/** Disable a form's submit button while `work` runs. */
export async function busy(form, work) {
	const buttons = form.querySelectorAll('button');
	for (const b of buttons) b.disabled = true;
	try {
		return await work();
	} finally {
		for (const b of buttons) b.disabled = false;
	}
}

/** A modal confirmation (<dialog>: focus stays inside, Escape cancels). Resolves true or false. */
export function confirmDialog(title, text, confirmLabel, danger = true) {
	return new Promise((resolve) => {
		const headingId = 'dlg-title';
		const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': headingId },
			h('h2', { id: headingId }, title),
			h('p', null, text),
			h('form', { method: 'dialog', class: 'dialog-actions' },
				h('button', { type: 'submit', value: 'cancel', class: 'button button-secondary' }, t('common.cancel')),
				h('button', { type: 'submit', value: 'ok', class: danger ? 'button button-danger' : 'button' }, confirmLabel)));
		dialog.addEventListener('close', () => {
			resolve(dialog.returnValue === 'ok');
			dialog.remove();
		});
		document.body.append(dialog);
		dialog.showModal();
	});
}

/** A badge: kind in ok | warn | bad | muted. */
export function badge(text, kind) {
	return h('span', { class: `badge badge-${kind}` }, text);
}

/** A <time> with the formatted text and the machine value (full timestamp as its title). */
export function timeEl(iso, text) {
	if (!iso) return h('span', { class: 'muted' }, t('common.never'));
	return h('time', { datetime: iso, title: iso }, text);
}

/** Whether permissions (from /me) grant `perm` in any scope. */
export function holds(me, perm) {
	const scope = me && me.permissions && me.permissions[perm];
	return !!scope && scope !== 'none';
}

/** The role's label in the interface language, falling back to the server's label. */
export function roleLabel(name, serverLabel) {
	const key = `role.${name}`;
	const s = t(key);
	return s === key ? (serverLabel || name) : s;
}

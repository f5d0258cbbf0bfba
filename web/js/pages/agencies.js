// agencies.js - #/admin/agencies: the agencies and adding one.
import { h, field } from '../dom.js';
import { t, formatDateTime } from '../i18n.js';
import { api } from '../api.js';
import {
	pageHeading, announce, errorText, table, formErrorBox, showFormError, clearFormError, busy, timeEl, localError,
} from '../ui.js';

// Suggested kinds of agency; the server keeps whatever text is given.
export const KINDS = ['police', 'government', 'social_work', 'ngo', 'international', 'other'];

function kindLabel(kind) {
	const key = `agencies.kind.${kind}`;
	const s = t(key);
	return s === key ? kind : s;
}

export function render(main, ctx) {
	const listBox = h('div', { class: 'list-box' }, h('p', { class: 'loading' }, t('common.loading')));
	const fCode = h('input', { name: 'code', type: 'text', required: true, autocomplete: 'off', spellcheck: 'false',
		maxlength: '32', pattern: '[A-Z0-9_\\-]{2,32}', class: 'input-code' });
	const fName = h('input', { name: 'name', type: 'text', required: true, autocomplete: 'off', maxlength: '200' });
	const fKind = h('select', { name: 'kind', required: true },
		h('option', { value: '' }, t('common.choose')),
		KINDS.map((k) => h('option', { value: k }, kindLabel(k))));
	const errBox = formErrorBox();
	const form = h('form', { class: 'form form-grid', novalidate: true, 'aria-labelledby': 'agencies-add-title' },
		errBox,
		field(t('agencies.code'), fCode, t('agencies.code_hint')),
		field(t('agencies.name'), fName),
		field(t('agencies.kind'), fKind),
		h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button' }, t('agencies.create'))));

	fCode.addEventListener('input', () => {
		const up = fCode.value.toUpperCase();
		if (up !== fCode.value) fCode.value = up;
	});

	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearFormError(form, errBox);
		const body = { code: fCode.value.trim(), name: fName.value.trim(), kind: fKind.value };
		const missing = [fCode, fName, fKind].find((el) => !el.value.trim());
		if (missing) {
			showFormError(form, errBox, localError(missing.name, t('common.fill_required')));
			return;
		}
		await busy(form, async () => {
			try {
				await api('POST', '/agencies', body);
				form.reset();
				announce(t('agencies.created', { code: body.code }), 'ok');
				await load();
				fCode.focus();
			} catch (err) {
				showFormError(form, errBox, err);
			}
		});
	});

	async function load() {
		let data;
		try {
			data = await api('GET', '/agencies');
		} catch (err) {
			listBox.replaceChildren(h('p', { class: 'message message-error' }, errorText(err)));
			return;
		}
		if (!ctx.stillCurrent()) return;
		listBox.replaceChildren(table(t('agencies.title'), [
			{ label: t('agencies.code') }, { label: t('agencies.name') }, { label: t('agencies.kind') },
			{ label: t('common.created') },
		], data.items.map((a) => [a.code, a.name, kindLabel(a.kind), timeEl(a.created_at, formatDateTime(a.created_at))]),
		t('agencies.empty')));
	}

	main.append(pageHeading(t('agencies.title')),
		h('p', { class: 'intro' }, t('agencies.intro')),
		h('section', { class: 'section', 'aria-labelledby': 'agencies-list-title' },
			h('h2', { id: 'agencies-list-title' }, t('agencies.list')), listBox),
		h('section', { class: 'section panel', 'aria-labelledby': 'agencies-add-title' },
			h('h2', { id: 'agencies-add-title' }, t('agencies.add')), form));
	load();
}

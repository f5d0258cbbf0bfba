// tokens.js - #/admin/tokens: API tokens; a new token is shown once, in a box to copy it from.
import { h, field, srOnly } from '../dom.js';
import { t, formatDateTime } from '../i18n.js';
import { api } from '../api.js';
import {
	pageHeading, announce, errorText, table, formErrorBox, showFormError, clearFormError, busy, timeEl, badge,
	holds, confirmDialog, localError,
} from '../ui.js';

export function render(main, ctx) {
	const me = ctx.me;
	const listBox = h('div', { class: 'list-box' }, h('p', { class: 'loading' }, t('common.loading')));
	const newBox = h('div', { class: 'new-token-slot' });
	const canListUsers = holds(me, 'users.admin');
	const fUser = canListUsers
		? h('select', { name: 'username', required: true }, h('option', { value: '' }, t('common.loading')))
		: h('input', { name: 'username', type: 'text', required: true, autocomplete: 'off', spellcheck: 'false', maxlength: '64' });
	const fName = h('input', { name: 'name', type: 'text', required: true, autocomplete: 'off', maxlength: '100' });
	const errBox = formErrorBox();
	const form = h('form', { class: 'form form-grid', novalidate: true, 'aria-labelledby': 'tokens-add-title' },
		errBox,
		field(t('tokens.user'), fUser, t('tokens.user_hint')),
		field(t('tokens.name'), fName, t('tokens.name_hint')),
		h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button' }, t('tokens.create'))));

	function showNewToken(res) {
		const value = h('input', { id: 'new-token-value', class: 'token-value', type: 'text', readonly: true,
			value: res.token, spellcheck: 'false', autocomplete: 'off' });
		const status = h('p', { class: 'hint', role: 'status' });
		const copy = h('button', { type: 'button', class: 'button' }, t('tokens.copy'));
		const done = h('button', { type: 'button', class: 'button button-secondary' }, t('tokens.done'));
		copy.addEventListener('click', async () => {
			value.select();
			try {
				await navigator.clipboard.writeText(res.token);
				status.textContent = t('tokens.copied');
			} catch {
				status.textContent = t('tokens.copy_failed');
			}
		});
		done.addEventListener('click', () => {
			newBox.replaceChildren();
			fName.focus();
		});
		const heading = h('h2', { tabindex: '-1', id: 'new-token-title' }, t('tokens.new_title', { name: res.name }));
		newBox.replaceChildren(h('section', { class: 'panel panel-warn new-token', 'aria-labelledby': 'new-token-title' },
			heading,
			h('p', { class: 'warning-text' }, h('strong', null, t('tokens.new_warning'))),
			h('label', { for: 'new-token-value' }, t('tokens.token')),
			h('div', { class: 'token-row' }, value, copy),
			status,
			h('div', { class: 'form-actions' }, done)));
		heading.focus();
	}

	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearFormError(form, errBox);
		const body = { username: fUser.value.trim(), name: fName.value.trim() };
		const missing = [fUser, fName].find((el) => !el.value.trim());
		if (missing) {
			showFormError(form, errBox, localError(missing.name, t('common.fill_required')));
			return;
		}
		await busy(form, async () => {
			try {
				const res = await api('POST', '/tokens', body);
				form.reset();
				await load();
				showNewToken({ ...res, name: res.name || body.name });
			} catch (err) {
				showFormError(form, errBox, err);
			}
		});
	});

	async function revoke(tok) {
		if (!(await confirmDialog(t('tokens.revoke_title', { name: tok.name }), t('tokens.revoke_text'), t('tokens.revoke'))))
			return;
		try {
			await api('DELETE', `/tokens/${encodeURIComponent(tok.id)}`);
			announce(t('tokens.revoked_msg', { name: tok.name }), 'ok');
			await load();
			const first = listBox.querySelector('button') || main.querySelector('h1');
			first.focus();
		} catch (err) {
			announce(errorText(err), 'error');
		}
	}

	async function load() {
		let data;
		try {
			data = await api('GET', '/tokens');
		} catch (err) {
			listBox.replaceChildren(h('p', { class: 'message message-error' }, errorText(err)));
			return;
		}
		if (!ctx.stillCurrent()) return;
		listBox.replaceChildren(table(t('tokens.title'), [
			{ label: t('tokens.name') }, { label: t('tokens.user') }, { label: t('common.created') },
			{ label: t('tokens.last_used') }, { label: t('tokens.status') }, { label: t('common.actions'), className: 'col-actions' },
		], data.items.map((k) => [
			k.name,
			k.username,
			timeEl(k.created_at, formatDateTime(k.created_at)),
			timeEl(k.last_used_at, formatDateTime(k.last_used_at)),
			k.revoked_at ? badge(t('tokens.revoked', { time: formatDateTime(k.revoked_at) }), 'muted') : badge(t('tokens.active'), 'ok'),
			k.revoked_at ? '' : h('button', { type: 'button', class: 'button button-small button-danger-outline',
				onclick: () => revoke(k) }, t('tokens.revoke'), srOnly(' ' + k.name)),
		]), t('tokens.empty')));
	}

	async function loadUsers() {
		try {
			const data = await api('GET', '/users');
			if (!ctx.stillCurrent()) return;
			fUser.replaceChildren(h('option', { value: '' }, t('common.choose')),
				...data.items.filter((u) => !u.disabled).map((u) => h('option', { value: u.username }, `${u.display_name} (${u.username})`)));
		} catch (err) {
			fUser.replaceChildren(h('option', { value: '' }, t('common.choose')));
			announce(errorText(err), 'error');
		}
	}

	main.append(pageHeading(t('tokens.title')),
		h('p', { class: 'intro' }, t('tokens.intro')),
		newBox,
		h('section', { class: 'section', 'aria-labelledby': 'tokens-list-title' },
			h('h2', { id: 'tokens-list-title' }, t('tokens.list')), listBox),
		h('section', { class: 'section panel', 'aria-labelledby': 'tokens-add-title' },
			h('h2', { id: 'tokens-add-title' }, t('tokens.add')), form));
	load();
	if (canListUsers) loadUsers();
}

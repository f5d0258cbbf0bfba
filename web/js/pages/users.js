// users.js - #/admin/users: the users, adding one, disabling and enabling, resetting a password.
import { h, field, srOnly } from '../dom.js';
import { t, formatDateTime } from '../i18n.js';
import { api } from '../api.js';
import {
	pageHeading, announce, errorText, table, formErrorBox, showFormError, clearFormError, busy,
	badge, timeEl, holds, roleLabel, confirmDialog, localError,
} from '../ui.js';

function statusCell(u) {
	if (u.disabled) return badge(t('users.disabled'), 'bad');
	if (u.locked_until && new Date(u.locked_until) > new Date())
		return badge(t('users.locked', { time: formatDateTime(u.locked_until) }), 'warn');
	return badge(t('users.active'), 'ok');
}

export function render(main, ctx) {
	const me = ctx.me;
	const listBox = h('div', { class: 'list-box' }, h('p', { class: 'loading' }, t('common.loading')));
	let roles = [];
	let agencies = [];

	main.append(pageHeading(t('users.title')),
		h('p', { class: 'intro' }, t('users.intro')));

	// ---- the create form
	const fUsername = h('input', { name: 'username', type: 'text', required: true, autocomplete: 'off',
		autocapitalize: 'none', spellcheck: 'false', maxlength: '64', pattern: '[a-z][a-z0-9._\\-]{2,63}' });
	const fDisplay = h('input', { name: 'display_name', type: 'text', required: true, autocomplete: 'off', maxlength: '200' });
	const fRole = h('select', { name: 'role', required: true });
	const fAgency = h('select', { name: 'agency', required: true });
	const fPassword = h('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password',
		minlength: '12', maxlength: '1024' });
	const createError = formErrorBox();
	const form = h('form', { class: 'form form-grid', novalidate: true, 'aria-labelledby': 'users-add-title' },
		createError,
		field(t('users.username'), fUsername, t('users.username_hint')),
		field(t('users.display_name'), fDisplay),
		field(t('users.role'), fRole),
		field(t('users.agency'), fAgency),
		field(t('users.password'), fPassword, t('users.password_hint')),
		h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button' }, t('users.create'))));

	function fillSelects() {
		fRole.replaceChildren(h('option', { value: '' }, t('common.choose')),
			...roles.map((r) => h('option', { value: r.name }, roleLabel(r.name, r.label))));
		fAgency.replaceChildren(h('option', { value: '' }, t('common.choose')),
			...agencies.map((a) => h('option', { value: a.code }, `${a.name} (${a.code})`)));
		if (agencies.length === 1) fAgency.value = agencies[0].code;
	}

	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearFormError(form, createError);
		const body = {
			username: fUsername.value.trim(),
			display_name: fDisplay.value.trim(),
			role: fRole.value,
			agency: fAgency.value,
			password: fPassword.value,
		};
		const missing = [fUsername, fDisplay, fRole, fAgency, fPassword].find((el) => !el.value.trim());
		if (missing) {
			showFormError(form, createError, localError(missing.name, t('common.fill_required')));
			return;
		}
		await busy(form, async () => {
			try {
				await api('POST', '/users', body);
				form.reset();
				fillSelects();
				announce(t('users.created', { username: body.username }), 'ok');
				await loadUsers();
				fUsername.focus();
			} catch (err) {
				showFormError(form, createError, err);
			}
		});
	});

	// ---- the password reset dialog
	function resetPassword(u) {
		const input = h('input', { id: 'reset-password', name: 'password', type: 'password', required: true,
			autocomplete: 'new-password', minlength: '12', maxlength: '1024' });
		const errBox = formErrorBox();
		const cancel = h('button', { type: 'button', class: 'button button-secondary' }, t('common.cancel'));
		const dform = h('form', { class: 'form', novalidate: true }, errBox,
			field(t('users.new_password'), input, t('users.password_hint')),
			h('div', { class: 'form-actions' }, cancel, h('button', { type: 'submit', class: 'button' }, t('common.save'))));
		const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'reset-title' },
			h('h2', { id: 'reset-title' }, t('users.reset_title', { username: u.username })), dform);
		cancel.addEventListener('click', () => dialog.close());
		dialog.addEventListener('close', () => dialog.remove());
		dform.addEventListener('submit', async (e) => {
			e.preventDefault();
			if (!input.value) {
				showFormError(dform, errBox, localError('password', t('common.fill_required')));
				return;
			}
			await busy(dform, async () => {
				try {
					await api('PUT', `/users/${encodeURIComponent(u.username)}/password`, { password: input.value });
					dialog.close();
					announce(t('users.reset_done', { username: u.username }), 'ok');
				} catch (err) {
					showFormError(dform, errBox, err);
				}
			});
		});
		document.body.append(dialog);
		dialog.showModal();
		input.focus();
	}

	async function setDisabled(u, disabled) {
		if (disabled && !(await confirmDialog(t('users.disable_title', { username: u.username }),
			t('users.disable_text'), t('users.disable')))) return;
		try {
			await api('POST', `/users/${encodeURIComponent(u.username)}/${disabled ? 'disable' : 'enable'}`);
			announce(t(disabled ? 'users.disabled_msg' : 'users.enabled_msg', { username: u.username }), 'ok');
			await loadUsers();
			const again = listBox.querySelector(`[data-user="${CSS.escape(u.username)}"][data-action="toggle"]`);
			if (again) again.focus();
		} catch (err) {
			announce(errorText(err), 'error');
		}
	}

	async function loadUsers() {
		let data;
		try {
			data = await api('GET', '/users');
		} catch (err) {
			listBox.replaceChildren(h('p', { class: 'message message-error' }, errorText(err)));
			return;
		}
		const agencyName = new Map(agencies.map((a) => [a.id, a.name]));
		const roleByName = new Map(roles.map((r) => [r.name, r.label]));
		const rows = data.items.map((u) => [
			u.username,
			u.display_name,
			roleLabel(u.role, roleByName.get(u.role)),
			h('span', { title: agencyName.get(u.agency_id) || null }, u.agency_code || ''),
			statusCell(u),
			timeEl(u.last_login_at, formatDateTime(u.last_login_at)),
			timeEl(u.created_at, formatDateTime(u.created_at)),
			h('div', { class: 'row-actions' },
				u.username === me.username ? null :
					h('button', { type: 'button', class: u.disabled ? 'button button-small' : 'button button-small button-danger-outline',
						'data-user': u.username, 'data-action': 'toggle',
						onclick: () => setDisabled(u, !u.disabled) },
					t(u.disabled ? 'users.enable' : 'users.disable'), srOnly(' ' + u.username)),
				h('button', { type: 'button', class: 'button button-small button-secondary',
					onclick: () => resetPassword(u) }, t('users.reset'), srOnly(' ' + u.username))),
		]);
		listBox.replaceChildren(table(t('users.title'), [
			{ label: t('users.username') }, { label: t('users.display_name') }, { label: t('users.role') },
			{ label: t('users.agency') }, { label: t('users.status') }, { label: t('users.last_login') },
			{ label: t('common.created') }, { label: t('common.actions'), className: 'col-actions' },
		], rows, t('users.empty')));
	}

	main.append(
		h('section', { class: 'section', 'aria-labelledby': 'users-list-title' },
			h('h2', { id: 'users-list-title' }, t('users.list')), listBox),
		h('section', { class: 'section panel', 'aria-labelledby': 'users-add-title' },
			h('h2', { id: 'users-add-title' }, t('users.add')), form));

	(async () => {
		const [r, a] = await Promise.allSettled([
			api('GET', '/roles'),
			holds(me, 'agencies.admin') ? api('GET', '/agencies') : Promise.resolve({ items: [] }),
		]);
		if (!ctx.stillCurrent()) return;
		roles = r.status === 'fulfilled' ? r.value.items : [];
		agencies = a.status === 'fulfilled' ? a.value.items : [];
		if (!agencies.length && me.agency && me.agency.code) agencies = [{ id: me.agency.id, code: me.agency.code, name: me.agency.name }];
		if (r.status === 'rejected') announce(errorText(r.reason), 'error');
		fillSelects();
		await loadUsers();
	})();
}

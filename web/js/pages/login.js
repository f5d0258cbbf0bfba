// login.js - #/login: username and password. A failure never says which of the two was wrong.
import { h, field } from '../dom.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { pageHeading, formErrorBox, busy, errorText } from '../ui.js';

export function render(main, ctx) {
	const username = h('input', { id: 'login-username', name: 'username', type: 'text', autocomplete: 'username',
		autocapitalize: 'none', spellcheck: 'false', required: true, maxlength: '64' });
	const password = h('input', { id: 'login-password', name: 'password', type: 'password',
		autocomplete: 'current-password', required: true, maxlength: '1024' });
	const errorBox = formErrorBox();
	errorBox.id = 'login-error';
	const form = h('form', { class: 'form login-form', novalidate: true, 'aria-describedby': 'login-intro' },
		errorBox,
		field(t('login.username'), username),
		field(t('login.password'), password),
		h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button' }, t('login.submit'))));

	function fail(text) {
		errorBox.replaceChildren(text);
		errorBox.hidden = false;
		password.value = '';
	}

	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		if (!username.value.trim() || !password.value) {
			fail(t('login.required'));
			(username.value.trim() ? password : username).focus();
			return;
		}
		await busy(form, async () => {
			try {
				const res = await api('POST', '/session', { username: username.value.trim(), password: password.value },
					{ quiet401: true });
				ctx.signedIn(res.user, res.csrf_token);
			} catch (err) {
				if (err.status === 401) fail(err.problem.detail ? t('login.failed_detail', { detail: err.problem.detail }) : t('login.failed'));
				else if (err.status === 429) fail(t('login.throttled', { seconds: err.retryAfter || 30 }));
				else fail(errorText(err));
				username.focus();
			}
		});
	});

	main.append(h('div', { class: 'login-panel' },
		pageHeading(t('login.title')),
		h('p', { id: 'login-intro', class: 'intro' }, t('login.intro')),
		form));
}

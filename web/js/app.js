// app.js - the shell: language, session, routes (#/…), the header and navigation, focus handling.
import { h } from './dom.js';
import { initI18n, setLanguage, currentLanguage, t } from './i18n.js';
import { api, setCsrfToken, onUnauthorized } from './api.js';
import { announce, clearMessages, clearMessagesOnNavigation, holds, roleLabel, pageHeading, errorText } from './ui.js';
import * as loginPage from './pages/login.js';
import * as homePage from './pages/home.js';
import * as usersPage from './pages/users.js';
import * as agenciesPage from './pages/agencies.js';
import * as tokensPage from './pages/tokens.js';
import * as auditPage from './pages/audit.js';
import * as soonPage from './pages/soon.js';
import * as borderPage from './pages/border.js';
import * as supervisorPage from './pages/supervisor.js';
import * as duplicatesPage from './pages/duplicates.js';
import * as casesPage from './pages/cases.js';
import * as casePage from './pages/case.js';
import * as screeningPage from './pages/screening.js';
import * as referralsPage from './pages/referrals.js';
import * as caseDashPage from './pages/casedash.js';
import * as statsPage from './pages/stats.js';
import * as factsPage from './pages/facts.js';
import * as regionalPage from './pages/regional.js';

// The routes; `perm` is the permission (from GET /api/v1/me) a route and its menu entry need.
// The server checks every call again: hiding a link is for clarity, not for security.
const routes = [
	{ path: '/login', page: loginPage, public: true },
	{ path: '/home', page: homePage, nav: 'nav.home' },
	{ path: '/border', page: borderPage, nav: 'nav.border', perm: 'border.write' },
	{ path: '/border/supervisor', page: supervisorPage, nav: 'nav.border_supervisor', perm: 'border.supervise' },
	{ path: '/border/duplicates', page: duplicatesPage, nav: 'nav.duplicates', perm: 'border.supervise' },
	{ path: '/cases', page: casesPage, nav: 'nav.cases', perm: 'case.read' },
	{ path: '/screening', page: screeningPage, nav: 'nav.screening', perm: 'case.write' },
	{ path: '/referrals', page: referralsPage, nav: 'nav.referrals', perm: 'case.read' },
	{ path: '/cases/dashboard', page: caseDashPage, nav: 'nav.case_dashboard', perm: 'case.supervise' },
	{ path: '/case', page: casePage, perm: 'case.read' },
	{ path: '/returns', page: soonPage, nav: 'nav.returns', perm: 'avrr.read' },
	{ path: '/statistics', page: statsPage, nav: 'nav.statistics', perm: 'stats.read' },
	{ path: '/statistics/facts', page: factsPage, perm: 'stats.read', navParent: '/statistics' },
	{ path: '/statistics/regional', page: regionalPage, perm: 'stats.read', navParent: '/statistics' },
	{ path: '/admin/users', page: usersPage, nav: 'nav.users', perm: 'users.admin' },
	{ path: '/admin/agencies', page: agenciesPage, nav: 'nav.agencies', perm: 'agencies.admin' },
	{ path: '/admin/tokens', page: tokensPage, nav: 'nav.tokens', perm: 'tokens.admin' },
	{ path: '/audit', page: auditPage, nav: 'nav.audit', perm: 'audit.read' },
];

const state = {
	me: null,          // the signed-in user (GET /api/v1/me), null when signed out
	afterLogin: null,  // the route someone wanted before being sent to sign in
	renderSeq: 0,
};

function parseHash() {
	const raw = location.hash.startsWith('#/') ? location.hash.slice(1) : '/';
	const q = raw.indexOf('?');
	return { path: q < 0 ? raw : raw.slice(0, q), query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

/**
 * Go to `hash`. A redirect (replace) takes the place of the current history entry and renders at
 * once; otherwise the hash changes and the hashchange handler renders. focus: move focus to the
 * new page's heading (not on the first page of a visit, so that the skip link stays first).
 */
export function navigate(hash, { replace = false, focus = true } = {}) {
	if (replace) {
		history.replaceState(null, '', hash);
		render(focus);
	} else if (location.hash === hash) {
		render(focus);
	} else {
		location.hash = hash;
	}
}

function setSession(me, csrf) {
	state.me = me;
	setCsrfToken(csrf || (me && me.csrf_token) || null);
}

function endSession() {
	state.me = null;
	setCsrfToken(null);
}

function renderChrome(current) {
	const me = state.me;
	const info = document.getElementById('user-info');
	const nav = document.getElementById('site-nav');
	const logout = document.getElementById('logout');
	info.hidden = nav.hidden = logout.hidden = !me;
	for (const b of document.querySelectorAll('.lang-button'))
		b.setAttribute('aria-pressed', String(b.dataset.lang === currentLanguage()));
	if (!me) return;
	document.getElementById('user-name').textContent = me.display_name || me.username;
	document.getElementById('user-agency').textContent = (me.agency && (me.agency.name || me.agency.code)) || '';
	document.getElementById('user-role').textContent = roleLabel(me.role, me.role_label);
	const list = document.getElementById('nav-list');
	list.replaceChildren();
	for (const r of routes) {
		if (!r.nav || (r.perm && !holds(me, r.perm))) continue;
		const active = current && (current.path === r.path || current.navParent === r.path);
		list.append(h('li', null, h('a', { href: '#' + r.path, 'aria-current': active ? 'page' : null,
			class: active ? 'active' : null }, t(r.nav))));
	}
}

function simplePage(main, titleKey, textKey) {
	main.append(pageHeading(t(titleKey)), h('p', null, t(textKey)),
		h('p', null, h('a', { href: '#/home' }, t('common.go_home'))));
}

/** Render the route in the hash. focusHeading: move focus to the new <h1> (not on a language switch). */
async function render(focusHeading = true) {
	const seq = ++state.renderSeq;
	const { path, query } = parseHash();
	const route = routes.find((r) => r.path === path);
	const main = document.getElementById('main');

	const redirect = { replace: true, focus: focusHeading };
	if (!route) {
		navigate(state.me ? '#/home' : '#/login', redirect);
		return;
	}
	if (!route.public && !state.me) {
		state.afterLogin = location.hash;
		navigate('#/login', redirect);
		return;
	}
	if (route.public && state.me) {
		navigate('#/home', redirect);
		return;
	}
	renderChrome(route);
	main.replaceChildren();
	const ctx = {
		me: state.me,
		query,
		route,
		navigate,
		stillCurrent: () => seq === state.renderSeq,
		signedIn: (me, csrf) => {
			setSession(me, csrf);
			const to = state.afterLogin && state.afterLogin !== '#/login' ? state.afterLogin : '#/home';
			state.afterLogin = null;
			clearMessages();
			navigate(to);
		},
	};
	if (route.perm && !holds(state.me, route.perm)) simplePage(main, 'denied.title', 'denied.text');
	else route.page.render(main, ctx);

	const heading = main.querySelector('h1');
	document.title = heading ? `${heading.textContent} — mmis` : 'mmis';
	if (focusHeading && heading) heading.focus();
}

async function logout() {
	try {
		await api('DELETE', '/session', undefined, { quiet401: true });
	} catch (err) {
		if (err.status !== 401) {
			announce(errorText(err), 'error');
			return;
		}
	}
	endSession();
	state.afterLogin = null;
	announce(t('login.signed_out'), 'info', true);
	navigate('#/login');
}

function wireChrome() {
	for (const b of document.querySelectorAll('.lang-button')) {
		b.addEventListener('click', async () => {
			await setLanguage(b.dataset.lang);
			clearMessages(); // they were written in the other language
			render(false);
		});
	}
	document.getElementById('logout').addEventListener('click', logout);
	// The skip link moves focus to the main content without changing the route in the hash.
	document.getElementById('skip-link').addEventListener('click', (e) => {
		e.preventDefault();
		const main = document.getElementById('main');
		(main.querySelector('h1') || main).focus();
	});
	window.addEventListener('hashchange', () => {
		clearMessagesOnNavigation();
		render();
	});
}

async function boot() {
	try {
		await initI18n();
	} catch (err) {
		document.getElementById('main').replaceChildren(h('p', { class: 'message message-error' }, String(err.message)));
		return;
	}
	wireChrome();
	onUnauthorized(() => {
		if (!state.me) return;
		endSession();
		state.afterLogin = location.hash;
		announce(t('login.expired'), 'info', true);
		navigate('#/login');
	});
	try {
		const me = await api('GET', '/me', undefined, { quiet401: true });
		setSession(me, me.csrf_token);
	} catch (err) {
		if (err.status !== 401) announce(errorText(err), 'error');
	}
	render(false);
}

boot();

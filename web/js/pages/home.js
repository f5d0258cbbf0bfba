// home.js - #/home: a greeting and the parts of mmis this user's role may use.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { pageHeading, holds, roleLabel } from '../ui.js';

const TILES = [
	{ href: '#/admin/users', perm: 'users.admin', title: 'nav.users', text: 'home.users' },
	{ href: '#/admin/agencies', perm: 'agencies.admin', title: 'nav.agencies', text: 'home.agencies' },
	{ href: '#/admin/tokens', perm: 'tokens.admin', title: 'nav.tokens', text: 'home.tokens' },
	{ href: '#/audit', perm: 'audit.read', title: 'nav.audit', text: 'home.audit' },
	{ href: '#/border', perm: 'border.write', title: 'nav.border', text: 'home.border' },
	{ href: '#/border/supervisor', perm: 'border.supervise', title: 'nav.border_supervisor', text: 'home.border_supervisor' },
	{ href: '#/border/duplicates', perm: 'border.supervise', title: 'nav.duplicates', text: 'home.duplicates' },
	{ href: '#/cases', perm: 'case.read', title: 'nav.cases', text: 'home.cases' },
	{ href: '#/screening', perm: 'case.write', title: 'nav.screening', text: 'home.screening' },
	{ href: '#/referrals', perm: 'case.read', title: 'nav.referrals', text: 'home.referrals' },
	{ href: '#/cases/dashboard', perm: 'case.supervise', title: 'nav.case_dashboard', text: 'home.case_dashboard' },
	{ href: '#/returns', perm: 'avrr.read', title: 'nav.returns', text: 'home.returns', soon: true },
	{ href: '#/statistics', perm: 'stats.read', title: 'nav.statistics', text: 'home.statistics' },
];

export function render(main, ctx) {
	const me = ctx.me;
	main.append(pageHeading(t('home.title', { name: me.display_name || me.username })));
	main.append(h('p', { class: 'intro' }, t('home.role', {
		role: roleLabel(me.role, me.role_label),
		agency: (me.agency && (me.agency.name || me.agency.code)) || '',
	})));
	const tiles = TILES.filter((x) => holds(me, x.perm));
	if (!tiles.length) {
		main.append(h('p', null, t('home.nothing')));
		return;
	}
	main.append(h('ul', { class: 'tiles' }, tiles.map((x) => h('li', { class: 'tile' },
		h('h2', null, h('a', { href: x.href }, t(x.title))),
		h('p', null, t(x.text)),
		x.soon ? h('p', { class: 'tile-soon' }, t('soon.title')) : null))));
}

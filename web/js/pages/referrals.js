// referrals.js - #/referrals: the referral inbox of the user's agency (GET /referrals?direction=in),
// waiting ones first, with accept, decline (with a reason) and complete; and the referrals the
// agency sent (direction=out). A receiving agency sees the person as far as the consent covers.
import { h } from '../dom.js';
import { t, formatDateTime } from '../i18n.js';
import { api } from '../api.js';
import { pageHeading, announce, errorText, table, badge, holds } from '../ui.js';
import { serviceLabel, typeBadges, referralStateLabel, scopeLabel, caseRef } from './case.js';

export function render(main, ctx) {
	const dir = ctx.query.get('direction') === 'out' ? 'out' : 'in';
	const writer = holds(ctx.me, 'case.write');
	const listBox = h('div', { class: 'list-box', id: 'referrals-list', 'aria-live': 'polite' }, h('p', { class: 'loading' }, t('common.loading')));
	main.append(pageHeading(t('referrals.title')),
		h('p', { class: 'intro' }, t(dir === 'in' ? 'referrals.intro_in' : 'referrals.intro_out', { agency: ctx.me.agency.name })),
		h('nav', { class: 'tabs', 'aria-label': t('referrals.title') },
			h('a', { href: '#/referrals', class: dir === 'in' ? 'tab tab-current' : 'tab', 'aria-current': dir === 'in' ? 'page' : null }, t('referrals.received')),
			h('a', { href: '#/referrals?direction=out', class: dir === 'out' ? 'tab tab-current' : 'tab', 'aria-current': dir === 'out' ? 'page' : null }, t('referrals.sent'))),
		listBox);

	async function act(r, action, body) {
		try {
			await api('POST', `/referrals/${r.id}/${action}`, body);
			announce(t(`referrals.done_${action}`), 'ok');
			load();
		} catch (err) {
			announce(errorText(err), 'error');
		}
	}

	function actions(r) {
		if (!writer || dir !== 'in') return '';
		if (r.state === 'pending') {
			const reason = h('input', { type: 'text', class: 'input-inline', 'aria-label': t('referrals.decline_reason'),
				placeholder: t('referrals.decline_reason'), id: `decline-${r.id}` });
			return h('div', { class: 'row-actions' },
				h('button', { type: 'button', class: 'button button-small', 'data-accept': r.id, onclick: () => act(r, 'accept') }, t('referrals.accept')),
				reason,
				h('button', { type: 'button', class: 'button button-small button-danger-outline', onclick: () => act(r, 'decline', { reason: reason.value.trim() }) }, t('referrals.decline')));
		}
		if (r.state === 'accepted')
			return h('button', { type: 'button', class: 'button button-small button-secondary', 'data-complete': r.id, onclick: () => act(r, 'complete') }, t('referrals.complete'));
		return r.decline_reason || '';
	}

	async function load() {
		let data;
		try {
			data = await api('GET', '/referrals', undefined, { query: { direction: dir } });
		} catch (err) {
			if (ctx.stillCurrent()) listBox.replaceChildren(h('p', { class: 'message message-error' }, errorText(err)));
			return;
		}
		if (!ctx.stillCurrent()) return;
		const open = (r) => ['pending', 'accepted'].includes(r.state);
		listBox.replaceChildren(table(t('referrals.title'), [
			{ label: t('referrals.person') }, { label: dir === 'in' ? t('referrals.from') : t('referrals.to') }, { label: t('case.service') },
			{ label: t('case.state') }, { label: t('referrals.shared') }, { label: t('referrals.received_at') }, { label: t('common.actions') },
		], data.items.map((r) => [
			h('span', null, (dir === 'out' || open(r))
				? h('a', { href: `#/case?id=${r.case_id}`, class: 'case-link' },
					[r.given_names, r.surname].filter(Boolean).join(' ') || t('case.ref', { ref: caseRef(r.case_id) }))
				: t('case.ref', { ref: caseRef(r.case_id) }),
			' ', typeBadges(r.case_types), r.is_child ? badge(t('case.child'), 'warn') : null),
			dir === 'in' ? `${r.from_agency_name} (${r.from_agency})` : `${r.to_agency_name} (${r.to_agency})`,
			serviceLabel(r.service),
			h('span', { class: `badge referral-${r.state}` }, referralStateLabel(r.state)),
			dir === 'in' ? ((r.scopes || []).map(scopeLabel).join(', ') || '—') : (r.with_consent ? t('case.with_consent') : t('case.override', { reason: r.override_reason || '' })),
			formatDateTime(r.created_at),
			actions(r),
		]), t('referrals.none')));
	}
	load();
}

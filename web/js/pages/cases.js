// cases.js - #/cases: the cases in the user's reach (GET /cases), those needing attention first:
// overdue follow-ups, then reflection periods ending. "Mine" narrows to the cases assigned to the
// user; filters by state and type; pages of 50. Screening a person and opening a case start here.
import { h, field } from '../dom.js';
import { t, formatDate } from '../i18n.js';
import { api } from '../api.js';
import { pageHeading, errorText, table, badge, holds } from '../ui.js';
import { STATES, CASE_TYPES, typeBadges, stateBadge, stateLabel, typeLabel, caseRef } from './case.js';

const PAGE = 50;

export function render(main, ctx) {
	const q = ctx.query;
	const supervisor = holds(ctx.me, 'case.supervise');
	const state = { mine: q.has('mine') ? q.get('mine') === '1' : !supervisor, open: q.get('open') !== '0',
		state: q.get('state') || '', type: q.get('type') || '', offset: Number(q.get('offset')) || 0 };
	const mine = h('input', { type: 'checkbox', id: 'cases-mine', checked: state.mine });
	const open = h('input', { type: 'checkbox', id: 'cases-open', checked: state.open });
	const stateSel = h('select', { id: 'cases-state' }, h('option', { value: '' }, t('cases.any_state')),
		STATES.map((s) => h('option', { value: s }, stateLabel(s))));
	stateSel.value = state.state;
	const typeSel = h('select', { id: 'cases-type' }, h('option', { value: '' }, t('cases.any_type')),
		CASE_TYPES.map((x) => h('option', { value: x }, typeLabel(x))));
	typeSel.value = state.type;
	const listBox = h('div', { class: 'list-box', id: 'cases-list', 'aria-live': 'polite' }, h('p', { class: 'loading' }, t('common.loading')));

	main.append(pageHeading(t('cases.title')),
		h('p', { class: 'intro' }, t('cases.intro')),
		holds(ctx.me, 'case.write') ? h('p', { class: 'form-actions' },
			h('a', { href: '#/screening', class: 'button', id: 'cases-screen' }, t('cases.screen')),
			h('a', { href: '#/screening?direct=1', class: 'button button-secondary', id: 'cases-open-direct' }, t('cases.open_direct'))) : null,
		h('div', { class: 'filter-grid panel filters' },
			h('label', { class: 'radio', for: mine.id }, mine, ' ', t('cases.mine')),
			h('label', { class: 'radio', for: open.id }, open, ' ', t('cases.open_only')),
			field(t('cases.state'), stateSel), field(t('cases.type'), typeSel)),
		listBox);

	function go(offset = 0) {
		const p = new URLSearchParams();
		p.set('mine', mine.checked ? '1' : '0');
		if (!open.checked) p.set('open', '0');
		if (stateSel.value) p.set('state', stateSel.value);
		if (typeSel.value) p.set('type', typeSel.value);
		if (offset) p.set('offset', String(offset));
		history.replaceState(null, '', `#/cases?${p}`);
		state.offset = offset;
		load();
	}
	for (const el of [mine, open, stateSel, typeSel]) el.addEventListener('change', () => go(0));

	async function load() {
		let data;
		try {
			data = await api('GET', '/cases', undefined, { query: { mine: mine.checked ? 'true' : 'false', open: open.checked ? 'true' : 'false',
				state: stateSel.value, type: typeSel.value, limit: PAGE, offset: state.offset } });
		} catch (err) {
			if (ctx.stillCurrent()) listBox.replaceChildren(h('p', { class: 'message message-error' }, errorText(err)));
			return;
		}
		if (!ctx.stillCurrent()) return;
		const rows = data.items.map((c) => [
			h('a', { href: `#/case?id=${c.id}`, class: 'case-link' },
				[c.given_names, c.surname].filter(Boolean).join(' ') || t('case.ref', { ref: caseRef(c.id) })),
			h('span', { class: 'attention' },
				c.overdue_followups ? badge(t('cases.overdue', { n: c.overdue_followups }), 'bad') : null,
				c.reflection_ending ? badge(t('cases.reflection_ends', { date: formatDate(c.reflection_end) }), 'warn') : null,
				c.pending_referrals ? badge(t('cases.referrals_waiting', { n: c.pending_referrals }), 'muted') : null,
				c.is_child ? badge(t('case.child'), 'warn') : null),
			h('span', null, typeBadges(c.types)),
			stateBadge(c.state),
			c.agency,
			c.worker || h('em', null, t('case.unassigned')),
			formatDate(c.opened_on),
		]);
		const pager = h('div', { class: 'pager' },
			h('span', { class: 'pager-info' }, t('cases.showing', { from: data.total ? data.offset + 1 : 0, to: data.offset + data.items.length, total: data.total })),
			h('span', { class: 'row-actions' },
				data.offset > 0 ? h('button', { type: 'button', class: 'button button-secondary button-small', onclick: () => go(Math.max(0, data.offset - PAGE)) }, t('cases.previous')) : null,
				data.offset + data.items.length < data.total ? h('button', { type: 'button', class: 'button button-secondary button-small', onclick: () => go(data.offset + PAGE) }, t('cases.next')) : null));
		listBox.replaceChildren(table(t('cases.title'), [
			{ label: t('cases.person') }, { label: t('cases.attention') }, { label: t('case.types') }, { label: t('case.state') },
			{ label: t('case.agency') }, { label: t('case.worker') }, { label: t('case.opened') },
		], rows, t('cases.none')), pager);
	}
	load();
}

// casedash.js - #/cases/dashboard: a case supervisor's view of the agency (GET
// /protection/dashboard): open cases by type and state, overdue follow-ups, reflection periods
// ending, unassigned cases and referrals waiting.
import { h } from '../dom.js';
import { t, formatDate } from '../i18n.js';
import { api } from '../api.js';
import { pageHeading, errorText, table, badge } from '../ui.js';
import { STATES, typeLabel, stateLabel, caseRef } from './case.js';

export function render(main, ctx) {
	const box = h('div', null, h('p', { class: 'loading' }, t('common.loading')));
	main.append(pageHeading(t('dash.title')), h('p', { class: 'intro' }, t('dash.intro', { agency: ctx.me.agency.name })), box);

	(async () => {
		let d;
		try {
			d = await api('GET', '/protection/dashboard');
		} catch (err) {
			if (ctx.stillCurrent()) box.replaceChildren(h('p', { class: 'message message-error' }, errorText(err)));
			return;
		}
		if (!ctx.stillCurrent()) return;
		const open = STATES.filter((s) => s !== 'closed');
		const types = [...new Set(d.open_by_type_state.map((r) => r.type))];
		const cell = (type, state) => (d.open_by_type_state.find((r) => r.type === type && r.state === state) || { count: 0 }).count;
		const total = (state) => (d.by_state.find((r) => r.state === state) || { count: 0 }).count;
		const openTotal = open.reduce((n, s) => n + total(s), 0);
		const name = (r) => [r.given_names, r.surname].filter(Boolean).join(' ') || t('case.ref', { ref: caseRef(r.case_id) });
		box.replaceChildren(
			h('ul', { class: 'totals', id: 'dash-totals' },
				h('li', { class: 'total total-entry' }, h('span', { class: 'total-n' }, String(openTotal)), h('span', { class: 'total-label' }, t('dash.open'))),
				h('li', { class: 'total total-refusal' }, h('span', { class: 'total-n' }, String(d.overdue_followups.length)), h('span', { class: 'total-label' }, t('dash.overdue'))),
				h('li', { class: 'total total-warn' }, h('span', { class: 'total-n' }, String(d.reflection_ending.length)), h('span', { class: 'total-label' }, t('dash.reflection_ending'))),
				h('li', { class: 'total total-exit' }, h('span', { class: 'total-n' }, String(d.unassigned)), h('span', { class: 'total-label' }, t('dash.unassigned'))),
				h('li', { class: 'total total-exit' }, h('span', { class: 'total-n' }, String(d.referrals_waiting_in)), h('span', { class: 'total-label' }, t('dash.waiting_in'))),
				h('li', { class: 'total total-exit' }, h('span', { class: 'total-n' }, String(d.referrals_waiting_out)), h('span', { class: 'total-label' }, t('dash.waiting_out')))),
			h('section', { class: 'section', id: 'dash-by-type', 'aria-labelledby': 'dash-type-title' },
				h('h2', { id: 'dash-type-title' }, t('dash.by_type_state')),
				table(t('dash.by_type_state'), [{ label: t('case.types') }, ...open.map((s) => ({ label: stateLabel(s), className: 'col-num' }))],
					types.map((x) => [typeLabel(x), ...open.map((s) => String(cell(x, s)))]), t('dash.no_open'))),
			h('div', { class: 'summary-grid' },
				h('section', { id: 'dash-overdue', 'aria-labelledby': 'dash-overdue-title' },
					h('h2', { id: 'dash-overdue-title' }, t('dash.overdue_followups')),
					table(t('dash.overdue_followups'), [{ label: t('cases.person') }, { label: t('case.due_on') }, { label: t('case.what') }, { label: t('case.worker') }],
						d.overdue_followups.map((r) => [h('a', { href: `#/case?id=${r.case_id}` }, name(r)),
							h('span', null, formatDate(r.due_on), ' ', badge(t('case.overdue'), 'bad')), r.text, r.worker || '—']), t('dash.none_overdue'))),
				h('section', { id: 'dash-reflection', 'aria-labelledby': 'dash-refl-title' },
					h('h2', { id: 'dash-refl-title' }, t('dash.reflection_ending_title', { days: d.reflection_warn_days })),
					table(t('dash.reflection_ending_title', { days: d.reflection_warn_days }), [{ label: t('cases.person') }, { label: t('case.reflection') }, { label: t('case.worker') }],
						d.reflection_ending.map((r) => [h('a', { href: `#/case?id=${r.case_id}` }, name(r)), formatDate(r.reflection_end), r.worker || '—']),
						t('dash.none_ending')))));
	})();
}

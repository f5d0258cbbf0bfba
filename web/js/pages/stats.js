// stats.js - #/statistics: the analyst's dashboard. Monthly crossings at a BCP (or all) beside the
// same month a year before, the top nationalities, refusals of entry by ground, protection cases by
// type and by state, seasonal alerts, and downloads of the tables (CSV, XLSX, SDMX-CSV). Every
// number comes from /api/v1/stats, already suppressed by the server (cells below the deployment's
// minimum are marked C, never zero; for cases, below 11 whatever the deployment's minimum).
import { h, field } from '../dom.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { pageHeading, errorText } from '../ui.js';
import { barChart, hbarChart, formatNumber } from '../chart.js';
import { groundText } from './border.js';

/** The tabs of the statistics pages. */
export function statsTabs(current) {
	const tabs = [
		['/statistics', 'stats.tab.dashboard'],
		['/statistics/facts', 'stats.tab.facts'],
		['/statistics/regional', 'stats.tab.regional'],
	];
	return h('nav', { class: 'tabs', 'aria-label': t('stats.tabs') }, h('ul', null, tabs.map(([path, key]) =>
		h('li', null, h('a', { href: '#' + path, class: path === current ? 'tab tab-current' : 'tab',
			'aria-current': path === current ? 'page' : null }, t(key))))));
}

/** "2025-03" → "Mar 2025" (the month named in the interface's language). */
export function monthLabel(ym, withYear = true) {
	const [y, m] = ym.split('-');
	return withYear ? `${t(`month.short.${Number(m)}`)} ${y}` : t(`month.short.${Number(m)}`);
}

function addMonths(ym, n) {
	const [y, m] = ym.split('-').map(Number);
	const k = y * 12 + (m - 1) + n;
	return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
}

function lastDay(ym) {
	const [y, m] = ym.split('-').map(Number);
	return `${ym}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

function lastCompleteMonth() {
	const d = new Date();
	return addMonths(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`, -1);
}

/** A table's count: a number, or null when suppressed. */
const countOf = (row) => (row.conf_status === 'C' ? null : row.count);

function exportLink(query, format, label) {
	const q = new URLSearchParams({ ...query, format });
	return h('a', { class: 'button button-secondary button-small', href: `/api/v1/stats/flows?${q}`,
		download: `crossings.${format === 'sdmx-csv' ? 'sdmx.csv' : format}` }, label);
}

export function render(main, ctx) {
	const end = /^\d{4}-\d{2}$/.test(ctx.query.get('month') || '') ? ctx.query.get('month') : lastCompleteMonth();
	const bcp = ctx.query.get('bcp') || '';
	const months = [];
	for (let i = 24 * 3; i >= 0; i--) months.push(addMonths(lastCompleteMonth(), -i));
	const monthSel = h('select', { id: 'st-month', name: 'month' },
		months.slice().reverse().map((m) => h('option', { value: m, selected: m === end }, monthLabel(m))));
	const bcpSel = h('select', { id: 'st-bcp', name: 'bcp' }, h('option', { value: '' }, t('stats.all_bcps')));
	const form = h('form', { class: 'filter-row', 'aria-label': t('stats.filters') },
		field(t('stats.month_ending'), monthSel), field(t('border.bcp'), bcpSel),
		h('button', { type: 'submit', class: 'button' }, t('stats.show')));
	const alertsBox = h('div', { id: 'st-alerts', 'aria-live': 'polite' });
	const monthlyBox = h('div', { id: 'st-monthly' }, h('p', { class: 'loading' }, t('common.loading')));
	const natBox = h('div', { id: 'st-nationalities' }, h('p', { class: 'loading' }, t('common.loading')));
	const refBox = h('div', { id: 'st-refusals' }, h('p', { class: 'loading' }, t('common.loading')));
	const noteBox = h('p', { class: 'muted stats-note', id: 'st-note' });
	const casesTotal = h('p', { id: 'st-cases-total', class: 'stats-total' });
	const casesTypeBox = h('div', { id: 'st-cases-type' }, h('p', { class: 'loading' }, t('common.loading')));
	const casesStateBox = h('div', { id: 'st-cases-state' }, h('p', { class: 'loading' }, t('common.loading')));
	const casesNote = h('p', { class: 'muted stats-note', id: 'st-cases-note' });
	const from24 = `${addMonths(end, -23)}-01`, from12 = `${addMonths(end, -11)}-01`, to = lastDay(end);
	const monthlyQuery = { from: from24, to, by: 'month,bcp', totals: 'true' };
	const exportQuery = { from: from12, to, by: 'month,bcp,nationality', totals: 'true' };

	main.append(pageHeading(t('stats.title')), statsTabs('/statistics'),
		h('p', { class: 'intro' }, t('stats.intro')), form, alertsBox,
		h('section', { class: 'section panel', 'aria-labelledby': 'st-monthly-title' },
			h('h2', { id: 'st-monthly-title' }, t('stats.monthly', { bcp: bcp || t('stats.all_bcps') })),
			h('p', { class: 'muted' }, t('stats.monthly_text')), monthlyBox),
		h('div', { class: 'stats-grid' },
			h('section', { class: 'section panel', 'aria-labelledby': 'st-nat-title' },
				h('h2', { id: 'st-nat-title' }, t('stats.top_nationalities')),
				h('p', { class: 'muted' }, t('stats.last_12', { from: monthLabel(addMonths(end, -11)), to: monthLabel(end) })), natBox),
			h('section', { class: 'section panel', 'aria-labelledby': 'st-ref-title' },
				h('h2', { id: 'st-ref-title' }, t('stats.refusals_by_ground')),
				h('p', { class: 'muted' }, t('stats.last_12', { from: monthLabel(addMonths(end, -11)), to: monthLabel(end) })), refBox),
			h('section', { class: 'section panel', id: 'st-cases', 'aria-labelledby': 'st-cases-title' },
				h('h2', { id: 'st-cases-title' }, t('stats.cases_title')),
				h('p', { class: 'muted' }, t('stats.cases_opened', { from: monthLabel(addMonths(end, -11)), to: monthLabel(end) })),
				casesTotal,
				h('h3', null, t('stats.cases_by_type')), casesTypeBox,
				h('h3', null, t('stats.cases_by_state')), casesStateBox,
				casesNote)),
		h('section', { class: 'section', 'aria-labelledby': 'st-dl-title' },
			h('h2', { id: 'st-dl-title' }, t('stats.downloads')),
			h('p', null, t('stats.downloads_text', { from: monthLabel(addMonths(end, -11)), to: monthLabel(end) })),
			h('p', { class: 'form-actions' }, exportLink(exportQuery, 'csv', 'CSV'), exportLink(exportQuery, 'xlsx', 'Excel (XLSX)'),
				exportLink(exportQuery, 'sdmx-csv', 'SDMX-CSV'))),
		noteBox);

	form.addEventListener('submit', (e) => {
		e.preventDefault();
		const q = new URLSearchParams({ month: monthSel.value });
		if (bcpSel.value) q.set('bcp', bcpSel.value);
		ctx.navigate(`#/statistics?${q}`);
	});

	const fail = (box, err) => {
		if (ctx.stillCurrent()) box.replaceChildren(h('p', { class: 'message message-error' }, errorText(err)));
	};

	(async () => {
		let data;
		try {
			data = await api('GET', '/stats/flows', undefined, { query: monthlyQuery });
		} catch (err) { fail(monthlyBox, err); return; }
		if (!ctx.stillCurrent()) return;
		const codes = [...new Set(data.rows.map((r) => r.bcp).filter((c) => c !== '_T'))].sort();
		for (const c of codes) bcpSel.append(h('option', { value: c, selected: c === bcp }, c));
		const want = bcp || '_T';
		const byMonth = new Map(data.rows.filter((r) => r.bcp === want && r.month !== '_T').map((r) => [r.month, countOf(r)]));
		const cats = [], now = [], before = [];
		for (let i = 11; i >= 0; i--) {
			const m = addMonths(end, -i);
			cats.push(monthLabel(m, i === 11 || m.endsWith('-01')));
			now.push(byMonth.has(m) ? byMonth.get(m) : 0);
			const p = addMonths(m, -12);
			before.push(byMonth.has(p) ? byMonth.get(p) : 0);
		}
		monthlyBox.replaceChildren(barChart({
			label: t('stats.monthly', { bcp: bcp || t('stats.all_bcps') }),
			description: t('stats.monthly_desc'),
			categories: cats,
			series: [{ name: t('stats.year_before'), values: before, colour: 1 }, { name: t('stats.this_year'), values: now, colour: 0 }],
		}));
		noteBox.textContent = t('stats.suppression_note', { k: data.min_cell });
	})();

	(async () => {
		let data;
		try {
			data = await api('GET', '/stats/flows', undefined, { query: { from: from12, to, by: 'bcp,nationality', totals: 'true' } });
		} catch (err) { fail(natBox, err); return; }
		if (!ctx.stillCurrent()) return;
		const rows = data.rows.filter((r) => r.bcp === (bcp || '_T') && r.nationality !== '_T');
		const shown = rows.filter((r) => r.conf_status !== 'C').sort((a, b) => b.count - a.count).slice(0, 10);
		const hidden = rows.filter((r) => r.conf_status === 'C').length;
		natBox.replaceChildren(...[shown.length ? hbarChart({ label: t('stats.top_nationalities'),
			items: shown.map((r) => ({ label: r.nationality, value: r.count })) }) : h('p', null, t('stats.no_data')),
		hidden ? h('p', { class: 'muted' }, t('stats.hidden_rows', { n: hidden })) : null].filter(Boolean));
	})();

	(async () => {
		let data;
		try {
			data = await api('GET', '/stats/refusals', undefined, { query: { from: from12, to, by: 'bcp,ground', totals: 'true' } });
		} catch (err) { fail(refBox, err); return; }
		if (!ctx.stillCurrent()) return;
		const rows = data.rows.filter((r) => r.bcp === (bcp || '_T') && r.ground !== '_T');
		refBox.replaceChildren(rows.length ? hbarChart({ label: t('stats.refusals_by_ground'), colour: 2,
			items: rows.map((r) => ({ label: `${r.ground} · ${groundText(r.ground)}`, value: countOf(r) })) })
			: h('p', null, t('stats.no_refusals')),
		h('p', { class: 'muted' }, t('stats.grounds_note')));
	})();

	// Protection cases opened in the twelve months, by type and by state: counts below 11 (and what
	// would give them away) come hidden from the server; with few cases most are, and the note says why.
	(async () => {
		let byType, byState;
		try {
			[byType, byState] = await Promise.all([
				api('GET', '/stats/cases', undefined, { query: { from: from12, to, by: 'case_type', totals: 'true' } }),
				api('GET', '/stats/cases', undefined, { query: { from: from12, to, by: 'state', totals: 'true' } })]);
		} catch (err) { fail(casesTypeBox, err); casesStateBox.replaceChildren(); return; }
		if (!ctx.stillCurrent()) return;
		const draw = (data, dim, prefix, title, colour) => {
			const rows = data.rows.filter((r) => r[dim] !== '_T');
			return rows.length ? hbarChart({ label: title, colour, labelWidth: 300,
				items: rows.map((r) => ({ label: t(`${prefix}.${r[dim]}`), value: countOf(r) })) })
				: h('p', null, t('stats.cases_none'));
		};
		casesTypeBox.replaceChildren(draw(byType, 'case_type', 'case.type', t('stats.cases_by_type'), 0));
		casesStateBox.replaceChildren(draw(byState, 'state', 'case.state', t('stats.cases_by_state'), 1));
		// Every case has one state: the total by state is the number of cases.
		const total = byState.rows.find((r) => r.state === '_T');
		casesTotal.textContent = !total ? t('stats.cases_none')
			: total.conf_status === 'C' ? t('stats.cases_total_hidden', { k: byState.min_cell })
				: t('stats.cases_total', { n: formatNumber(total.count) });
		const hidden = [...byType.rows, ...byState.rows].filter((r) => r.conf_status === 'C').length;
		casesNote.textContent = t('stats.cases_note', { k: byType.min_cell }) +
			(hidden ? ' ' + t('stats.cases_hidden', { n: hidden }) : '');
	})();

	(async () => {
		let a;
		try {
			a = await api('GET', '/stats/trends/alerts', undefined, { query: { month: end } });
		} catch (err) { fail(alertsBox, err); return; }
		if (!ctx.stillCurrent()) return;
		if (!a.alerts.length) {
			alertsBox.replaceChildren(h('p', { class: 'message message-info' }, t('stats.no_alerts', { month: monthLabel(a.month), n: a.checked })));
			return;
		}
		alertsBox.replaceChildren(h('section', { class: 'alerts panel-warn', 'aria-labelledby': 'st-alerts-title' },
			h('h2', { id: 'st-alerts-title' }, t('stats.alerts_title', { month: monthLabel(a.month) })),
			h('ul', { class: 'alert-list' }, a.alerts.map((x) => h('li', null,
				h('strong', null, `${x.name} (${x.bcp})`), ': ',
				t(x.direction === 'above' ? 'stats.alert_above' : 'stats.alert_below', {
					count: formatNumber(x.count), expected: formatNumber(x.expected),
					low: formatNumber(x.low), high: formatNumber(x.high),
				})))),
			h('p', { class: 'muted' }, t('stats.alerts_method'))));
	})();
}

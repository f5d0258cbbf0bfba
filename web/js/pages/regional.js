// regional.js - #/statistics/regional: Montenegro's indicators beside those of the neighbours
// whose series were imported (mmis series import with a country column): the net migration rate
// over the years as lines, and the latest year's figures side by side. GET /stats/regional.
import { h } from '../dom.js';
import { t, has } from '../i18n.js';
import { api } from '../api.js';
import { pageHeading, errorText, table } from '../ui.js';
import { lineChart, formatNumber } from '../chart.js';
import { statsTabs } from './stats.js';

function countryName(code) {
	return has(`country.${code}`) ? t(`country.${code}`) : code;
}

export function render(main, ctx) {
	const chartBox = h('div', { id: 'regional-chart' }, h('p', { class: 'loading' }, t('common.loading')));
	const tableBox = h('div', { id: 'regional-table' });
	main.append(pageHeading(t('regional.title')), statsTabs('/statistics/regional'),
		h('p', { class: 'intro' }, t('regional.intro')),
		h('section', { class: 'section panel', 'aria-labelledby': 'regional-nmr' },
			h('h2', { id: 'regional-nmr' }, t('regional.nmr')), chartBox),
		h('section', { class: 'section', 'aria-labelledby': 'regional-latest' },
			h('h2', { id: 'regional-latest' }, t('regional.latest')), tableBox));

	(async () => {
		let data;
		try {
			data = await api('GET', '/stats/regional');
		} catch (err) {
			if (ctx.stillCurrent()) chartBox.replaceChildren(h('p', { class: 'message message-error' }, errorText(err)));
			return;
		}
		if (!ctx.stillCurrent()) return;
		const rows = data.items;
		if (!rows.length) {
			chartBox.replaceChildren(h('p', { class: 'message message-info' }, t('regional.none')));
			return;
		}
		const years = [...new Set(rows.map((r) => r.year))].sort((a, b) => a - b);
		// Montenegro first, then the neighbours by name.
		const countries = [...new Set(rows.map((r) => r.country))]
			.sort((a, b) => (a === 'MNE' ? -1 : b === 'MNE' ? 1 : countryName(a).localeCompare(countryName(b))));
		const at = new Map(rows.map((r) => [`${r.country} ${r.year}`, r]));
		chartBox.replaceChildren(lineChart({
			label: t('regional.nmr'),
			description: t('regional.nmr_desc'),
			categories: years.map(String),
			series: countries.map((c, i) => ({ name: countryName(c), colour: i,
				values: years.map((y) => { const r = at.get(`${c} ${y}`); return r && r.net_migration_rate ? r.net_migration_rate.value : undefined; }) })),
		}));
		const latest = countries.map((c) => {
			const mine = rows.filter((r) => r.country === c && r.net_migration_rate).sort((a, b) => b.year - a.year);
			return mine[0] || rows.filter((r) => r.country === c).sort((a, b) => b.year - a.year)[0];
		});
		const dash = '–';
		tableBox.replaceChildren(table(t('regional.latest'), [
			{ label: t('regional.country') }, { label: t('regional.year'), className: 'col-num' },
			{ label: t('facts.nmr'), className: 'col-num' }, { label: t('facts.remittances_short'), className: 'col-num' },
			{ label: t('facts.women'), className: 'col-num' }, { label: t('facts.population'), className: 'col-num' },
			{ label: t('regional.source'), className: 'col-source' },
		], latest.map((r) => [
			`${countryName(r.country)} (${r.country})`,
			String(r.year),
			r.net_migration_rate ? formatNumber(r.net_migration_rate.value, 1) : dash,
			r.remittances_usd ? formatNumber(r.remittances_usd.value / 1e6, 0) : dash,
			r.women_pct_immigrants ? `${formatNumber(r.women_pct_immigrants.value, 1)} %` : dash,
			r.population ? formatNumber(r.population.value) : dash,
			(r.net_migration_rate && r.net_migration_rate.source) || (r.population && r.population.source) || dash,
		]), t('regional.none')));
	})();
}

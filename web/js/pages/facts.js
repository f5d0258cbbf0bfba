// facts.js - #/statistics/facts: Montenegro's "Facts and Figures", the way a country page shows
// them: the net migration rate, remittances, women among immigrants, immigrants and emigrants and
// the population, each with its source and period; beside the official net migration, the
// long-term migration estimated from the border records (12/16-month rule). GET /stats/series
// (which years have figures) and GET /stats/indicators?year=.
import { h, field } from '../dom.js';
import { t, formatDate } from '../i18n.js';
import { api } from '../api.js';
import { pageHeading, errorText } from '../ui.js';
import { formatNumber } from '../chart.js';
import { statsTabs } from './stats.js';

function signed(v, digits) {
	const s = formatNumber(Math.abs(v), digits);
	return v > 0 ? `+${s}` : v < 0 ? `−${s}` : s;
}

function source(f) {
	return h('p', { class: 'fact-source' }, t('facts.source', { source: f.source, period: f.period }));
}

function card(id, title, body, f, extra) {
	return h('li', { class: 'fact', id }, h('h2', { class: 'fact-title' }, title),
		f ? body : h('p', { class: 'fact-none' }, t('facts.no_figure')), f ? source(f) : null, extra || null);
}

function big(text, unit) {
	return h('p', { class: 'fact-value' }, h('span', { class: 'fact-number' }, text), unit ? h('span', { class: 'fact-unit' }, unit) : null);
}

export function render(main, ctx) {
	const yearSel = h('select', { id: 'facts-year', name: 'year' });
	const form = h('form', { class: 'filter-row', 'aria-label': t('facts.year') },
		field(t('facts.year'), yearSel), h('button', { type: 'submit', class: 'button' }, t('stats.show')));
	const box = h('div', { id: 'facts', 'aria-live': 'polite' }, h('p', { class: 'loading' }, t('common.loading')));
	main.append(pageHeading(t('facts.title')), statsTabs('/statistics/facts'),
		h('p', { class: 'intro' }, t('facts.intro')), form, box);
	form.addEventListener('submit', (e) => {
		e.preventDefault();
		ctx.navigate(`#/statistics/facts?year=${yearSel.value}`);
	});

	(async () => {
		let series, ind;
		try {
			series = await api('GET', '/stats/series', undefined, { query: { country: 'MNE', indicator: 'population' } });
		} catch (err) {
			if (ctx.stillCurrent()) box.replaceChildren(h('p', { class: 'message message-error' }, errorText(err)));
			return;
		}
		if (!ctx.stillCurrent()) return;
		const years = [...new Set(series.items.map((s) => s.period).filter((p) => /^\d{4}$/.test(p)))].sort().reverse();
		const asked = ctx.query.get('year');
		const year = years.includes(asked) ? asked : (/^\d{4}$/.test(asked || '') ? asked : years[0]);
		if (!year) {
			box.replaceChildren(h('p', { class: 'message message-info' }, t('facts.no_series')));
			return;
		}
		for (const y of years) yearSel.append(h('option', { value: y, selected: y === year }, y));
		try {
			ind = await api('GET', '/stats/indicators', undefined, { query: { year } });
		} catch (err) {
			if (ctx.stillCurrent()) box.replaceChildren(h('p', { class: 'message message-error' }, errorText(err)));
			return;
		}
		if (!ctx.stillCurrent()) return;
		const nmr = ind.net_migration_rate, rem = ind.remittances_usd, women = ind.women_pct_immigrants;
		const lt = ind.long_term;
		const ltBox = lt && !lt.travellers ? h('div', { class: 'fact-beside', id: 'facts-long-term' },
			h('h3', null, t('facts.lt_title')), h('p', null, t('facts.lt_none', { year })),
			h('p', { class: 'fact-source' }, t('facts.lt_method')))
			: lt ? h('div', { class: 'fact-beside', id: 'facts-long-term' },
			h('h3', null, t('facts.lt_title')),
			h('p', { class: 'fact-value fact-value-small' },
				h('span', { class: 'fact-number' }, lt.net_rate !== undefined ? signed(lt.net_rate, 1) : signed(lt.net, 0)),
				h('span', { class: 'fact-unit' }, lt.net_rate !== undefined ? t('facts.per_1000') : t('facts.persons'))),
			h('p', null, t('facts.lt_text', { arrivals: formatNumber(lt.arrivals), departures: formatNumber(lt.departures),
				net: signed(lt.net, 0) })),
			h('p', { class: lt.final ? 'fact-source' : 'fact-source fact-provisional' },
				lt.final ? t('facts.lt_final') : t('facts.lt_provisional', { date: formatDate(lt.final_on),
					undecided: formatNumber(lt.undecided_arrivals + lt.undecided_departures) })),
			h('p', { class: 'fact-source' }, t('facts.lt_method'))) : null;
		box.replaceChildren(
			h('p', { class: 'facts-country' }, h('span', { class: 'facts-flag', 'aria-hidden': 'true' }, 'ME'),
				t('facts.country', { year })),
			h('ul', { class: 'facts' },
				card('fact-nmr', t('facts.nmr'), nmr ? h('div', null, big(signed(nmr.value, 1), t('facts.per_1000')),
					h('p', { class: 'fact-formula' }, t('facts.nmr_formula'))) : null, nmr, ltBox),
				card('fact-remittances', t('facts.remittances'),
					rem ? big(`USD ${formatNumber(rem.value / 1e6, rem.value >= 1e8 ? 0 : 1)}`, t('facts.million')) : null, rem),
				card('fact-women', t('facts.women'), women ? big(formatNumber(women.value, 1), '%') : null, women),
				card('fact-immigrants', t('facts.immigrants'), ind.immigrants ? big(formatNumber(ind.immigrants.value), t('facts.persons')) : null, ind.immigrants),
				card('fact-emigrants', t('facts.emigrants'), ind.emigrants ? big(formatNumber(ind.emigrants.value), t('facts.persons')) : null, ind.emigrants),
				card('fact-population', t('facts.population'), ind.population ? big(formatNumber(ind.population.value), t('facts.inhabitants')) : null, ind.population)),
			h('p', { class: 'muted' }, t('facts.note')));
	})();
}

// supervisor.js - #/border/supervisor: a border supervisor's day. A day's crossings by BCP and
// refusals by ground (GET /border/summary?date=), and the travellers who overstay today
// (GET /overstayers, also as CSV for a spreadsheet), and the alert-list hits still waiting for a
// decision (GET /hits?status=pending). Bars are CSS classes in steps of 5 %.
import { h, field } from '../dom.js';
import { t, formatDate, formatDateTime, parseDate } from '../i18n.js';
import { api } from '../api.js';
import { pageHeading, errorText, table, localError, showFormError, clearFormError, formErrorBox, announce } from '../ui.js';
import { groundText, formatPartialDate } from './border.js';
import { pendingHits } from './hits.js';

/** A bar for `value` of `max`, in 5 % steps (class bar-w-N); the number is beside it in text. */
function bar(value, max, kind) {
	const pct = max > 0 ? Math.round((value / max) * 20) * 5 : 0;
	const w = value > 0 && pct === 0 ? 5 : pct;
	return h('span', { class: 'bar-track', 'aria-hidden': 'true' },
		h('span', { class: `bar bar-${kind} bar-w-${w}` }));
}

function todayLocal() {
	const d = new Date();
	return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function render(main, ctx) {
	// The day in the hash (#/border/supervisor?date=YYYY-MM-DD, for a bookmark), else today.
	const asked = ctx.query.get('date') || '';
	const initial = (/^\d{4}-\d{2}-\d{2}$/.test(asked) && parseDate(formatDate(asked))) || todayLocal();
	const dateInput = h('input', { id: 'sup-date', name: 'date', type: 'text', inputmode: 'numeric', autocomplete: 'off',
		placeholder: t('date.placeholder'), value: formatDate(initial), class: 'input-date' });
	const errBox = formErrorBox();
	const form = h('form', { class: 'form date-form', novalidate: true, 'aria-labelledby': 'sup-summary-title' },
		errBox,
		h('div', { class: 'date-row' },
			field(t('sup.date'), dateInput, t('date.hint')),
			h('button', { type: 'submit', class: 'button' }, t('sup.show'))));
	const summaryBox = h('div', { class: 'summary-box', 'aria-live': 'polite' }, h('p', { class: 'loading' }, t('common.loading')));
	const overBox = h('div', { class: 'list-box' }, h('p', { class: 'loading' }, t('common.loading')));
	const hitsBox = h('div', { class: 'list-box', id: 'sup-hits-box' }, h('p', { class: 'loading' }, t('common.loading')));

	main.append(pageHeading(t('sup.title')),
		h('p', { class: 'intro' }, t('sup.intro')),
		h('section', { class: 'section panel', 'aria-labelledby': 'sup-summary-title' },
			h('h2', { id: 'sup-summary-title' }, t('sup.summary')), form, summaryBox),
		h('section', { class: 'section', id: 'sup-hits', 'aria-labelledby': 'sup-hits-title' },
			h('h2', { id: 'sup-hits-title' }, t('sup.hits')),
			h('p', { class: 'intro' }, t('sup.hits_intro')),
			hitsBox),
		h('section', { class: 'section', 'aria-labelledby': 'sup-over-title' },
			h('div', { class: 'section-head' },
				h('h2', { id: 'sup-over-title' }, t('sup.overstayers')),
				h('a', { class: 'button button-secondary', id: 'sup-csv', href: '/api/v1/overstayers?format=csv',
					download: 'overstayers.csv' }, t('sup.download_csv'))),
			h('p', { class: 'intro' }, t('sup.overstayers_intro')),
			overBox));

	async function loadSummary(day) {
		let s;
		try {
			s = await api('GET', '/border/summary', undefined, { query: { date: day } });
		} catch (err) {
			if (!ctx.stillCurrent()) return false;
			if (err.field === 'date') showFormError(form, errBox, err);
			else summaryBox.replaceChildren(h('p', { class: 'message message-error' }, errorText(err)));
			return false;
		}
		if (!ctx.stillCurrent()) return false;
		const tot = s.totals || { entries: 0, exits: 0, refusals: 0 };
		const maxX = Math.max(0, ...s.crossings.map((c) => Math.max(c.entries, c.exits)));
		const maxR = Math.max(0, ...s.refusals.map((r) => r.count));
		summaryBox.replaceChildren(
			h('p', { class: 'summary-date' }, t('sup.on_day', { date: formatDate(s.date) })),
			h('ul', { class: 'totals', id: 'sup-totals' },
				h('li', { class: 'total total-entry' }, h('span', { class: 'total-n' }, String(tot.entries)), h('span', { class: 'total-label' }, t('sup.entries'))),
				h('li', { class: 'total total-exit' }, h('span', { class: 'total-n' }, String(tot.exits)), h('span', { class: 'total-label' }, t('sup.exits'))),
				h('li', { class: 'total total-refusal' }, h('span', { class: 'total-n' }, String(tot.refusals)), h('span', { class: 'total-label' }, t('sup.refusals')))),
			h('div', { class: 'summary-grid' },
				h('div', { id: 'sup-by-bcp' },
					h('h3', null, t('sup.by_bcp')),
					table(t('sup.by_bcp'), [
						{ label: t('border.bcp') }, { label: t('sup.entries'), className: 'col-num' }, { label: '', className: 'col-bar' },
						{ label: t('sup.exits'), className: 'col-num' }, { label: '', className: 'col-bar' },
					], s.crossings.map((c) => [
						`${c.name || c.bcp} (${c.bcp})`,
						String(c.entries), bar(c.entries, maxX, 'entry'),
						String(c.exits), bar(c.exits, maxX, 'exit'),
					]), t('sup.no_crossings'))),
				h('div', { id: 'sup-by-ground' },
					h('h3', null, t('sup.by_ground')),
					table(t('sup.by_ground'), [
						{ label: t('sup.ground') }, { label: t('sup.ground_text') },
						{ label: t('sup.count'), className: 'col-num' }, { label: '', className: 'col-bar' },
					], s.refusals.map((r) => [
						r.ground, groundText(r.ground, r.text), String(r.count), bar(r.count, maxR, 'refusal'),
					]), t('sup.no_refusals')))));
		return true;
	}

	async function loadOverstayers() {
		let data;
		try {
			data = await api('GET', '/overstayers');
		} catch (err) {
			if (ctx.stillCurrent()) overBox.replaceChildren(h('p', { class: 'message message-error' }, errorText(err)));
			return;
		}
		if (!ctx.stillCurrent()) return;
		overBox.replaceChildren(table(t('sup.overstayers'), [
			{ label: t('sup.name') }, { label: t('border.f.nationality') }, { label: t('border.f.document') },
			{ label: t('sup.entered') }, { label: t('border.bcp') },
			{ label: t('sup.days_used'), className: 'col-num' }, { label: t('sup.overstay_days'), className: 'col-num' },
		], data.items.map((o) => [
			`${o.surname} ${o.given_names || ''}`.trim(),
			o.nationality || '',
			`${o.document_number || ''} (${o.document_issuing_state || ''})`,
			o.entered_at ? h('time', { datetime: o.entered_at }, /T/.test(o.entered_at) ? formatDateTime(o.entered_at) : formatPartialDate(o.entered_at)) : '',
			o.bcp || '',
			String(o.days_used),
			h('strong', { class: 'overstay-n' }, String(o.overstay_days)),
		]), t('sup.no_overstayers')));
	}

	async function loadHits() {
		let data;
		try {
			data = await api('GET', '/hits', undefined, { query: { status: 'pending', limit: '100' } });
		} catch (err) {
			if (ctx.stillCurrent()) hitsBox.replaceChildren(h('p', { class: 'message message-error' }, errorText(err)));
			return;
		}
		if (!ctx.stillCurrent()) return;
		hitsBox.replaceChildren(data.items.length ? pendingHits(data.items, announce)
			: h('p', { class: 'message message-info', id: 'sup-no-hits' }, t('sup.no_hits')));
	}

	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearFormError(form, errBox);
		const day = parseDate(dateInput.value);
		if (!day) {
			showFormError(form, errBox, localError('date', t('date.invalid', { text: dateInput.value })));
			return;
		}
		dateInput.value = formatDate(day);
		history.replaceState(null, '', `#/border/supervisor?date=${day}`);
		await loadSummary(day);
	});

	loadSummary(initial);
	loadHits();
	loadOverstayers();
}

// audit.js - #/audit: whether the audit chain verifies, and the events with filters and paging.
import { h, field } from '../dom.js';
import { t, formatDateTime, parseDate } from '../i18n.js';
import { api } from '../api.js';
import { pageHeading, announce, errorText, table, badge, timeEl, localError, showFormError, clearFormError, formErrorBox } from '../ui.js';

const PAGE_SIZE = 50;
const FILTERS = ['actor', 'action', 'object_type', 'object_id', 'from', 'to'];

// A day picked in a date input, as the UTC instant that starts (or ends) that day where the user is.
function dayStart(value) {
	return value ? new Date(`${value}T00:00:00`).toISOString() : '';
}
function dayEnd(value) {
	return value ? new Date(`${value}T23:59:59.999`).toISOString() : '';
}

function outcomeBadge(outcome) {
	const kind = { ok: 'ok', denied: 'bad', failed: 'warn' }[outcome] || 'muted';
	const key = `audit.outcome.${outcome}`;
	const label = t(key);
	return badge(label === key ? String(outcome) : label, kind);
}

function viaLabel(via) {
	const key = `audit.via.${via}`;
	const s = t(key);
	return s === key ? (via || '') : s;
}

export function render(main, ctx) {
	const banner = h('div', { class: 'verify-slot', 'aria-live': 'polite' },
		h('p', { class: 'loading' }, t('audit.verifying')));
	const listBox = h('div', { class: 'list-box' }, h('p', { class: 'loading' }, t('common.loading')));
	const pager = h('div', { class: 'pager' });

	// Filters come from the hash (#/audit?actor=…), so that a filtered view can be bookmarked.
	const inputs = {
		actor: h('input', { name: 'actor', type: 'text', autocomplete: 'off', spellcheck: 'false' }),
		action: h('input', { name: 'action', type: 'text', autocomplete: 'off', spellcheck: 'false' }),
		object_type: h('input', { name: 'object_type', type: 'text', autocomplete: 'off', spellcheck: 'false' }),
		object_id: h('input', { name: 'object_id', type: 'text', autocomplete: 'off', spellcheck: 'false' }),
		from: h('input', { name: 'from', type: 'text', inputmode: 'numeric', autocomplete: 'off', placeholder: t('date.placeholder') }),
		to: h('input', { name: 'to', type: 'text', inputmode: 'numeric', autocomplete: 'off', placeholder: t('date.placeholder') }),
	};
	for (const k of FILTERS) inputs[k].value = ctx.query.get(k) || '';
	const errBox = formErrorBox();
	const clear = h('button', { type: 'button', class: 'button button-secondary' }, t('audit.clear'));
	const form = h('form', { class: 'form filter-grid', novalidate: true, role: 'search', 'aria-labelledby': 'audit-filter-title' },
		errBox,
		field(t('audit.actor'), inputs.actor),
		field(t('audit.action'), inputs.action, t('audit.action_hint')),
		field(t('audit.object_type'), inputs.object_type),
		field(t('audit.object_id'), inputs.object_id),
		field(t('audit.from'), inputs.from, t('date.hint')),
		field(t('audit.to'), inputs.to, t('date.hint')),
		h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button' }, t('audit.apply')), clear));

	// Paging: `before` is the seq to start below; `newer` the stack of pages seen before this one.
	let before = 0;
	let newer = [];

	function filterValues() {
		const v = {};
		for (const k of FILTERS) v[k] = inputs[k].value.trim();
		return v;
	}

	function remember(v) {
		const q = new URLSearchParams();
		for (const k of FILTERS) if (v[k]) q.set(k, v[k]);
		const s = q.toString();
		history.replaceState(null, '', '#/audit' + (s ? '?' + s : ''));
	}

	async function load() {
		const v = filterValues();
		v.from = parseDate(v.from) || '';
		v.to = parseDate(v.to) || '';
		const query = {
			actor: v.actor, action: v.action, object_type: v.object_type, object_id: v.object_id,
			from: dayStart(v.from), to: dayEnd(v.to), before: before || '', limit: PAGE_SIZE,
		};
		let data;
		try {
			data = await api('GET', '/audit', undefined, { query });
		} catch (err) {
			if (err.field) {
				const name = err.field === 'before' ? null : err.field;
				showFormError(form, errBox, { ...err, field: name });
			} else {
				listBox.replaceChildren(h('p', { class: 'message message-error' }, errorText(err)));
			}
			return false;
		}
		if (!ctx.stillCurrent()) return false;
		const rows = data.items.map((e) => [
			String(e.seq),
			timeEl(e.at, formatDateTime(e.at)),
			e.actor || '',
			viaLabel(e.via),
			h('code', null, e.action || ''),
			e.object_type || '',
			e.object_id ? h('code', { class: 'id' }, e.object_id) : '',
			outcomeBadge(e.outcome),
			e.detail || '',
		]);
		listBox.replaceChildren(table(t('audit.events'), [
			{ label: t('audit.seq'), className: 'col-num' }, { label: t('audit.at') }, { label: t('audit.actor_col') },
			{ label: t('audit.via') }, { label: t('audit.action') }, { label: t('audit.object_type') },
			{ label: t('audit.object_id') }, { label: t('audit.outcome') }, { label: t('audit.detail') },
		], rows, t('audit.empty')));
		const next = data.next_before;
		const prevButton = h('button', { type: 'button', class: 'button button-secondary', disabled: newer.length === 0 },
			'← ', t('audit.newer'));
		const nextButton = h('button', { type: 'button', class: 'button button-secondary', disabled: !next },
			t('audit.older'), ' →');
		prevButton.addEventListener('click', async () => {
			before = newer.pop() || 0;
			if (await load()) (pager.querySelector('button:not([disabled])') || listBox).focus();
		});
		nextButton.addEventListener('click', async () => {
			newer.push(before);
			before = next;
			if (await load()) (pager.querySelector('button:not([disabled]):last-child') || pager.querySelector('button:not([disabled])') || listBox).focus();
		});
		pager.replaceChildren(prevButton,
			h('span', { class: 'pager-info' }, data.items.length
				? t('audit.showing', { first: data.items[0].seq, last: data.items[data.items.length - 1].seq })
				: ''),
			nextButton);
		return true;
	}

	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearFormError(form, errBox);
		const v = filterValues();
		for (const k of ['from', 'to']) {
			if (v[k] && !parseDate(v[k])) {
				showFormError(form, errBox, localError(k, t('date.invalid', { text: v[k] })));
				return;
			}
		}
		if (v.from && v.to && parseDate(v.from) > parseDate(v.to)) {
			showFormError(form, errBox, localError('to', t('audit.bad_range')));
			return;
		}
		before = 0;
		newer = [];
		remember(v);
		if (await load()) announce(t('audit.filtered'), 'info');
	});
	clear.addEventListener('click', async () => {
		for (const k of FILTERS) inputs[k].value = '';
		clearFormError(form, errBox);
		before = 0;
		newer = [];
		remember(filterValues());
		await load();
		inputs.actor.focus();
	});

	async function verify() {
		try {
			const v = await api('GET', '/audit/verify');
			if (!ctx.stillCurrent()) return;
			if (v.intact) {
				banner.replaceChildren(h('div', { class: 'verify verify-ok', id: 'audit-verify' },
					h('p', { class: 'verify-title' }, h('span', { class: 'verify-icon', 'aria-hidden': 'true' }, '✓'),
						t('audit.intact', { n: v.checked })),
					v.head_seq ? h('p', { class: 'verify-head' }, t('audit.head', { seq: v.head_seq }), ' ',
						h('code', { class: 'mac' }, v.head_mac || '')) : null));
			} else {
				banner.replaceChildren(h('div', { class: 'verify verify-bad', id: 'audit-verify', role: 'alert' },
					h('p', { class: 'verify-title' }, h('span', { class: 'verify-icon', 'aria-hidden': 'true' }, '✗'),
						t('audit.broken', { seq: v.bad_seq, reason: v.reason || '' })),
					h('p', null, t('audit.broken_advice'))));
			}
		} catch (err) {
			banner.replaceChildren(h('div', { class: 'verify verify-bad', id: 'audit-verify', role: 'alert' },
				h('p', { class: 'verify-title' }, t('audit.verify_failed', { detail: errorText(err) }))));
		}
	}

	main.append(pageHeading(t('audit.title')),
		h('p', { class: 'intro' }, t('audit.intro')),
		banner,
		h('section', { class: 'section panel', 'aria-labelledby': 'audit-filter-title' },
			h('h2', { id: 'audit-filter-title' }, t('audit.filters')), form),
		h('section', { class: 'section', 'aria-labelledby': 'audit-list-title' },
			h('h2', { id: 'audit-list-title' }, t('audit.events')), listBox, pager));
	verify();
	load();
}

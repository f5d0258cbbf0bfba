// hits.js - alert-list hits raised on a crossing (POST /crossings answers them): what the list
// asks for (refuse entry above all, impossible to miss), who is listed, why mmis thinks it is the
// traveller and what speaks against it, and the officer's decision: confirm, or dismiss with a
// note (POST /hits/{id}/confirm|dismiss). Used by the border page (border.js) and, for the hits
// still waiting (imports, a busy shift), by the supervisor's page (supervisor.js).
import { h, uid } from '../dom.js';
import { t, has, formatDate, formatDateTime } from '../i18n.js';
import { api } from '../api.js';
import { errorText } from '../ui.js';
import { formatPartialDate } from './border.js';

export const ACTIONS = ['refuse_entry', 'detain', 'notify', 'check_further'];

function tr(prefix, code) {
	const key = `${prefix}.${code}`;
	return has(key) ? t(key) : String(code ?? '');
}

function pct(x) {
	return `${Math.round(Number(x || 0) * 100)} %`;
}

// Reasons that speak against the match (match.h): a negative effect, or a name part one side
// lacks or that differs.
const AGAINST = ['missing', 'extra', 'different', 'contradicts'];
function against(r) {
	return Number(r.effect || 0) < 0 || AGAINST.includes(r.how);
}

/** One reason (match.h): "Name: mohamed ↔ mukhamed — an equivalent spelling (95 %)". */
function reasonItem(r) {
	const sign = against(r) ? '−' : '+';
	const values = [];
	const fmt = (v) => (r.field === 'birth_date' ? formatPartialDate(v) : v);
	if (r.query && r.entry) values.push(`${fmt(r.query)} ↔ ${fmt(r.entry)}`);
	else if (r.query) values.push(fmt(r.query));
	else if (r.entry) values.push(fmt(r.entry));
	else if (r.text) values.push(r.text);
	let how = tr('hits.how', r.how);
	if (typeof r.similarity === 'number' && r.how !== 'exact') how += ` (${pct(r.similarity)})`;
	return h('li', { class: against(r) ? 'reason reason-against' : 'reason reason-for', title: r.text || null },
		h('span', { class: 'reason-sign', 'aria-hidden': 'true' }, sign),
		h('span', { class: 'reason-text' },
			h('span', { class: 'reason-field' }, tr('hits.field', r.field), ': '),
			values.length ? h('span', { class: 'reason-values' }, values.join(' '), ' — ') : null,
			h('span', { class: 'reason-how' }, how)));
}

function entryFacts(hit) {
	const e = hit.entry || {};
	const names = (Array.isArray(e.names) ? e.names : [hit.name]).filter(Boolean);
	const rows = [
		[t('hits.listed'), names[0] || t('hits.document_only')],
		names.length > 1 ? [t('hits.aliases'), names.slice(1).join(' · ')] : null,
		(e.birth_dates || []).length ? [t('hits.birth_dates'), e.birth_dates.map(formatPartialDate).join(', ')] : null,
		(e.nationalities || []).length ? [t('hits.nationalities'), e.nationalities.join(', ')] : null,
		(e.documents || []).length ? [t('hits.documents'), e.documents.join(', ')] : null,
		[t('hits.list'), `${hit.list} · ${tr('hits.category', hit.category)} · ${t('hits.entry_id', { id: hit.entry_id })}`],
	].filter(Boolean);
	return h('dl', { class: 'hit-facts' }, rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

function decisionLine(hit) {
	const when = hit.decided_at ? formatDateTime(hit.decided_at) : '';
	const who = hit.decided_by || '—';
	return h('p', { class: `hit-decided hit-decided-${hit.status}`, tabindex: '-1' },
		t(`hits.status.${hit.status}`, { who, when }),
		hit.note ? [h('br'), h('span', { class: 'hit-note' }, t('hits.note_said', { note: hit.note }))] : null);
}

/** The controls to decide a pending hit; `done(hit)` is called with the decided hit. */
function decisionForm(hit, done) {
	const note = h('textarea', { id: uid('hit-note'), rows: '2', maxlength: '2000', class: 'note-input', name: 'note' });
	const errBox = h('div', { class: 'form-error', role: 'alert', hidden: true });
	const confirmBtn = h('button', { type: 'button', class: 'button button-danger hit-confirm' }, t('hits.confirm'));
	const dismissBtn = h('button', { type: 'button', class: 'button button-secondary hit-dismiss' }, t('hits.dismiss'));
	async function decide(confirm) {
		errBox.hidden = true;
		note.removeAttribute('aria-invalid');
		const text = note.value.trim();
		if (!confirm && !text) {
			errBox.replaceChildren(t('hits.need_note'));
			errBox.hidden = false;
			note.setAttribute('aria-invalid', 'true');
			note.focus();
			return;
		}
		confirmBtn.disabled = dismissBtn.disabled = true;
		try {
			const res = await api('POST', `/hits/${encodeURIComponent(hit.id)}/${confirm ? 'confirm' : 'dismiss'}`,
				text ? { note: text } : {});
			done(res);
		} catch (err) {
			errBox.replaceChildren(errorText(err));
			errBox.hidden = false;
			confirmBtn.disabled = dismissBtn.disabled = false;
		}
	}
	confirmBtn.addEventListener('click', () => decide(true));
	dismissBtn.addEventListener('click', () => decide(false));
	const label = h('label', { for: note.id }, t('hits.note'));
	const hint = h('p', { class: 'hint', id: note.id + '-hint' }, t('hits.note_hint'));
	note.setAttribute('aria-describedby', hint.id);
	return h('div', { class: 'hit-decision' }, errBox, h('div', { class: 'field' }, label, note, hint),
		h('div', { class: 'form-actions' }, confirmBtn, dismissBtn));
}

function hitArticle(hit, announceFn) {
	const reasons = hit.reasons || [];
	const forIt = reasons.filter((r) => !against(r));
	const counter = reasons.filter(against);
	const titleId = uid('hit-title');
	const article = h('article', { class: `hit hit-${hit.action}`, 'data-hit': hit.id, 'data-status': hit.status, 'aria-labelledby': titleId });
	function fill(x) {
		article.dataset.status = x.status;
		article.replaceChildren(
			h('div', { class: 'hit-banner' },
				h('span', { class: `hit-action hit-action-${x.action}` }, h('span', { 'aria-hidden': 'true' }, '⚠ '), tr('hits.action', x.action)),
				h('span', { class: 'hit-score' }, t('hits.score', { pct: pct(x.score) }))),
			h('h3', { id: titleId, class: 'hit-title' }, t('hits.on_list', { name: x.name || (x.entry && (x.entry.documents || [])[0]) || x.entry_id, list: x.list })),
			h('p', { class: 'hit-action-help' }, tr('hits.action_help', x.action)),
			entryFacts(x),
			h('div', { class: 'hit-why' },
				h('div', null, h('h4', null, t('hits.why')),
					forIt.length ? h('ul', { class: 'reasons' }, forIt.map(reasonItem)) : h('p', { class: 'muted' }, '—')),
				h('div', null, h('h4', null, t('hits.against')),
					counter.length ? h('ul', { class: 'reasons' }, counter.map(reasonItem)) : h('p', { class: 'muted' }, t('hits.nothing_against')))),
			x.status === 'pending' ? decisionForm(x, (decided) => {
				fill(decided);
				if (announceFn) announceFn(t(`hits.decided_${decided.status}`), decided.status === 'confirmed' ? 'error' : 'ok');
				const next = article.querySelector('.hit-decided');
				if (next) next.focus();
			}) : decisionLine(x));
	}
	fill(hit);
	return article;
}

/**
 * The hits block for a crossing's answer, or null when there are none. `screening` is the
 * answer's {generation, current, entries}; `announceFn(text, kind)` reports decisions.
 */
export function hitsBlock(hits, screening, announceFn) {
	const stale = screening && screening.current === false
		? h('p', { class: 'message message-info hits-stale' }, t('hits.screening_stale')) : null;
	if (!hits || !hits.length) return stale;
	const sorted = [...hits].sort((a, b) => ACTIONS.indexOf(a.action) - ACTIONS.indexOf(b.action) || b.score - a.score);
	return h('section', { class: 'hits', id: 'border-hits', 'aria-labelledby': 'border-hits-title' },
		h('h2', { id: 'border-hits-title', class: 'hits-title', tabindex: '-1' },
			h('span', { 'aria-hidden': 'true' }, '⚠ '), t(hits.length === 1 ? 'hits.title_one' : 'hits.title', { n: hits.length })),
		h('p', { class: 'hits-intro' }, t('hits.intro')),
		stale,
		sorted.map((x) => hitArticle(x, announceFn)));
}

/** The sentence to announce for the hits of a crossing ("" when none). */
export function hitsAnnouncement(hits) {
	if (!hits || !hits.length) return '';
	const worst = [...hits].sort((a, b) => ACTIONS.indexOf(a.action) - ACTIONS.indexOf(b.action))[0];
	return t('hits.announce', { n: hits.length, action: tr('hits.action', worst.action) });
}

/**
 * The check made as soon as a document is read, before anything is recorded (POST /screen):
 * "not on the alert lists", or the possible hits with the list's action, so that an officer sees
 * "refuse entry" before pressing Entry. `onRefuse` (may be null) opens the refusal on ground H.
 */
export function precheckBlock(hits, onRefuse) {
	if (!hits.length) {
		return h('p', { class: 'precheck precheck-clear', id: 'border-precheck' },
			h('span', { 'aria-hidden': 'true' }, '✓ '), t('hits.precheck_clear'));
	}
	const sorted = [...hits].sort((a, b) => ACTIONS.indexOf(a.action) - ACTIONS.indexOf(b.action) || b.score - a.score);
	const refuse = sorted.some((x) => x.action === 'refuse_entry');
	return h('div', { class: 'precheck precheck-hit', id: 'border-precheck', role: 'alert' },
		h('p', { class: 'precheck-title' }, h('span', { 'aria-hidden': 'true' }, '⚠ '), t('hits.precheck_hit')),
		h('ul', null, sorted.map((x) => h('li', null,
			h('span', { class: `hit-action hit-action-small hit-action-${x.action}` }, tr('hits.action', x.action)), ' ',
			t('hits.on_list', { name: x.name || x.document || x.entry_id, list: x.list }), ' · ',
			t('hits.score', { pct: pct(x.score) })))),
		h('p', { class: 'hint' }, t('hits.precheck_hint')),
		refuse && onRefuse ? h('button', { type: 'button', class: 'button button-danger', id: 'border-precheck-refuse', onclick: onRefuse },
			t('hits.precheck_refuse')) : null);
}

/** Who crossed, with which document, where and when: the traveller a hit was raised on. */
function travellerLine(hit) {
	const x = hit.traveller || {};
	const name = [x.surname, x.given_names].filter(Boolean).join(' ') || '—';
	const when = x.crossing_at ? (/T/.test(x.crossing_at) ? formatDateTime(x.crossing_at) : formatDate(x.crossing_at)) : '';
	return h('p', { class: 'hit-traveller' },
		h('strong', null, name), x.nationality ? ` (${x.nationality})` : '',
		x.birth_date ? ` · ${t('hits.born', { date: formatPartialDate(x.birth_date) })}` : '',
		x.document_number ? ` · ${t('hits.document', { number: x.document_number, state: x.issuing_state || '' })}` : '',
		' · ', t(x.direction === 'exit' ? 'hits.crossed_exit' : 'hits.crossed_entry', { bcp: x.bcp || '', when }));
}

/**
 * The hits still waiting for a decision (GET /hits?status=pending), each with the traveller it
 * was raised on, for a supervisor to confirm or dismiss.
 */
export function pendingHits(hits, announceFn) {
	const sorted = [...hits].sort((a, b) => ACTIONS.indexOf(a.action) - ACTIONS.indexOf(b.action) || b.score - a.score);
	return h('div', { class: 'hits pending-hits' }, sorted.map((x) =>
		h('div', { class: 'pending-hit' }, travellerLine(x), hitArticle(x, announceFn))));
}

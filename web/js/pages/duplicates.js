// duplicates.js - #/border/duplicates: a supervisor's review of persons recorded more than once.
// The queue of open merge proposals (GET /merges), one proposal with both records side by side
// and the explanation of its score (GET /merges/{id}: which name parts matched and how, what
// counted against), the decision with a note (POST /merges/{id}/accept|reject), the history of
// decisions with undo (POST /merges/{id}/revert), and a detection run (POST /merges/detect).
// The proposal under review is in the hash (#/border/duplicates?id=…) so that it can be linked.
import { h, field, uid } from '../dom.js';
import { t, currentLanguage, formatDate, formatDateTime } from '../i18n.js';
import { api } from '../api.js';
import { pageHeading, announce, errorText, table, badge, busy, formErrorBox, showFormError, clearFormError, localError } from '../ui.js';
import { formatPartialDate, label } from './border.js';

const PAGE_SIZE = 20;
// The rows each record shows, in this order; `same` says whether the two agree on it.
const COUNTED = ['travel_document', 'crossing', 'refusal', 'stay_authorisation'];

function personName(p) {
	return [p.surname, p.given_names].filter(Boolean).join(', ');
}

function typedName(p) {
	return [p.surname_typed, p.given_names_typed].filter(Boolean).join(' ');
}

/** "SMIRNOV, DMITRII" and, when it says more, the name as typed ("Смирнов Дмитрий"). */
function nameCell(p) {
	const typed = typedName(p);
	const doc = personName(p);
	const showTyped = typed && typed.toUpperCase() !== [p.surname, p.given_names].filter(Boolean).join(' ').toUpperCase();
	return h('span', { class: 'dup-name' }, h('span', { class: 'dup-name-doc' }, doc),
		showTyped ? h('span', { class: 'dup-name-typed', lang: '' }, typed) : null);
}

function scoreText(score) {
	return Number(score).toFixed(2);
}

/** The score: strong evidence green, near the threshold amber (look twice). */
function scoreBadge(score) {
	return badge(scoreText(score), score >= 0.95 ? 'ok' : score >= 0.9 ? 'muted' : 'warn');
}

function statusBadge(status) {
	const kind = { proposed: 'muted', accepted: 'ok', rejected: 'warn', reverted: 'bad' }[status] || 'muted';
	return badge(label('dup.status', status), kind);
}

function howBadge(how) {
	const good = ['exact', 'equivalent', 'phonetic', 'similar', 'joined', 'agrees'];
	const bad = ['contradicts', 'different'];
	return badge(label('dup.how', how), good.includes(how) ? 'ok' : bad.includes(how) ? 'bad' : 'muted');
}

function effectText(effect) {
	if (typeof effect !== 'number' || Math.abs(effect) < 0.005) return '';
	return (effect > 0 ? '+' : '−') + Math.abs(effect).toFixed(2);
}

function dateText(value) {
	if (!value) return '';
	return /T/.test(value) ? formatDateTime(value) : formatPartialDate(value);
}

/** One piece of evidence: what was compared, how it came out, what it did to the score. */
function reasonItem(r) {
	const effect = effectText(r.effect);
	const kind = typeof r.effect === 'number' && r.effect < -0.004 ? 'against' : 'for';
	const values = (r.query || r.entry)
		? h('span', { class: 'reason-values' },
			h('q', null, r.query || '—'), h('span', { class: 'reason-vs', 'aria-hidden': 'true' }, ' ↔ '),
			h('span', { class: 'visually-hidden' }, ` ${t('dup.compared_with')} `), h('q', null, r.entry || '—'))
		: null;
	return h('li', { class: `reason reason-${kind}` },
		h('span', { class: 'reason-field' }, label('dup.field', r.field)),
		values,
		howBadge(r.how),
		typeof r.similarity === 'number' && r.field === 'name'
			? h('span', { class: 'reason-sim' }, t('dup.similarity', { value: r.similarity.toFixed(2) })) : null,
		effect ? h('span', { class: `reason-effect reason-effect-${kind}` }, effect) : null,
		// The engine's own sentence is English; it is shown when the interface is.
		r.text && currentLanguage() === 'en' ? h('span', { class: 'reason-text' }, r.text) : null);
}

/** Both records, one column each, a row per field; rows where they differ are marked. */
function comparison(m) {
	const [a, b] = m.persons;
	const accepted = m.status === 'accepted';
	const role = (p) => (m.survivor_id === p.id ? t('dup.survivor') : m.merged_id === p.id ? t('dup.merged') : '');
	const docs = (p) => (p.documents || []).length
		? h('ul', { class: 'dup-docs' }, p.documents.map((d) => h('li', null,
			`${label('border.doc', d.type)} ${d.issuing_state} `, h('strong', null, d.number),
			d.expiry_date ? ` (${t('dup.valid_until', { date: formatDate(d.expiry_date) })})` : '')))
		: h('span', { class: 'muted' }, t('dup.none'));
	const rows = [
		{ key: 'name', get: (p) => nameCell(p), cmp: (p) => personName(p) },
		{ key: 'typed', get: (p) => typedName(p) || h('span', { class: 'muted' }, t('dup.none')), cmp: (p) => typedName(p).toUpperCase() },
		{ key: 'sex', get: (p) => label('border.sex', p.sex), cmp: (p) => p.sex },
		{ key: 'birth_date', get: (p) => formatPartialDate(p.birth_date) || t('border.unknown'), cmp: (p) => p.birth_date || '' },
		{ key: 'nationality', get: (p) => p.nationality || t('border.unknown'), cmp: (p) => p.nationality || '' },
		{ key: 'documents', get: docs, cmp: null },
		...COUNTED.slice(1).map((k) => ({ key: `count.${k}`, get: (p) => String((p.counts || {})[k] ?? 0), cmp: null })),
		{ key: 'last_crossing', get: (p) => dateText(p.last_crossing_at) || t('dup.none'), cmp: null },
	];
	const head = (p, i) => h('th', { scope: 'col' },
		h('span', { class: 'dup-record' }, t('dup.record', { n: i + 1 })),
		role(p) ? h('span', { class: 'dup-role' }, ` · ${role(p)}`) : null,
		h('code', { class: 'id dup-id' }, p.id));
	return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('dup.side_by_side') },
		h('table', { class: 'data dup-compare', id: 'dup-compare' },
			h('caption', { class: 'visually-hidden' }, t('dup.side_by_side')),
			h('thead', null, h('tr', null, h('td', { class: 'dup-corner' }, accepted ? t('dup.as_before') : ''), head(a, 0), head(b, 1))),
			h('tbody', null, rows.map((r) => {
				// A value one record lacks is unknown, not different.
				const differs = r.cmp && r.cmp(a) && r.cmp(b) && r.cmp(a) !== r.cmp(b);
				return h('tr', { class: differs ? 'dup-differs' : null },
					h('th', { scope: 'row' }, t(`dup.row.${r.key}`),
						differs ? h('span', { class: 'dup-differs-mark' }, ` (${t('dup.differs')})`) : null),
					h('td', null, r.get(a)), h('td', null, r.get(b)));
			}))));
}

/** One line of the stay rule: "Record 1: Days used 61 / 90", and the overstay when there is one. */
function stayLine(name, st, strong) {
	if (!st) return null;
	const over = st.overstay_days > 0;
	const basis = st.authorisation && ['visa', 'long_stay_visa', 'residence_permit'].includes(st.basis)
		? ` ${t(`border.basis.${st.basis}`, { date: formatDate(st.authorisation.valid_to) })}` : '';
	return h('li', { class: over ? 'dup-stay-line dup-stay-over' : 'dup-stay-line' },
		h(strong ? 'strong' : 'span', null, `${name}: `),
		t('border.days_used', { used: st.days_used, limit: st.limit ?? 90 }), basis,
		over ? h('span', { class: 'dup-stay-overstay' }, ` — ${t('border.overstay', { n: st.overstay_days })}`) : null);
}

/** What the 90-in-180 rule says today of each record and of both taken together. */
function stayBox(m) {
	const s = m.stay;
	if (!s || !s.together) return null;
	const each = s.each || [];
	const reveals = s.together.overstay_days > 0 && each.length === 2 && each.every((x) => !(x.overstay_days > 0));
	return h('div', { class: reveals ? 'dup-stay dup-stay-reveals' : 'dup-stay', id: 'dup-stay' },
		h('h3', null, t('dup.stay')),
		reveals ? h('p', { class: 'dup-stay-alert', role: 'note' }, h('span', { 'aria-hidden': 'true' }, '⚠ '), t('dup.stay_reveals')) : null,
		h('ul', null,
			each.map((st, i) => stayLine(t('dup.record', { n: i + 1 }), st, false)),
			stayLine(m.status === 'accepted' ? t('dup.stay_merged') : t('dup.stay_together'), s.together, true)));
}

export function render(main, ctx) {
	const queueBox = h('div', { class: 'list-box', id: 'dup-queue' }, h('p', { class: 'loading' }, t('common.loading')));
	const queuePager = h('div', { class: 'pager' });
	const historyBox = h('div', { class: 'list-box', id: 'dup-history' }, h('p', { class: 'loading' }, t('common.loading')));
	const historyPager = h('div', { class: 'pager' });
	const review = h('section', { class: 'section panel dup-review', id: 'dup-review', 'aria-labelledby': 'dup-review-title', hidden: true });
	const detectOut = h('div', { class: 'dup-detect-out', 'aria-live': 'polite' });
	const detectButton = h('button', { type: 'button', class: 'button button-secondary', id: 'dup-detect' }, t('dup.detect'));
	let queueOffset = 0;
	let historyOffset = 0;

	main.append(pageHeading(t('dup.title')),
		h('p', { class: 'intro' }, t('dup.intro')),
		review,
		h('section', { class: 'section', 'aria-labelledby': 'dup-queue-title' },
			h('div', { class: 'section-head' },
				h('h2', { id: 'dup-queue-title' }, t('dup.queue')),
				detectButton),
			detectOut,
			queueBox, queuePager),
		h('section', { class: 'section', 'aria-labelledby': 'dup-history-title' },
			h('h2', { id: 'dup-history-title' }, t('dup.history')),
			h('p', { class: 'intro' }, t('dup.history_intro')),
			historyBox, historyPager));

	function pager(box, offset, total, shown, go) {
		box.replaceChildren();
		if (total <= PAGE_SIZE) return;
		const prev = h('button', { type: 'button', class: 'button button-secondary button-small', disabled: offset === 0 }, t('dup.prev'));
		const next = h('button', { type: 'button', class: 'button button-secondary button-small', disabled: offset + shown >= total }, t('dup.next'));
		prev.addEventListener('click', () => go(Math.max(0, offset - PAGE_SIZE)));
		next.addEventListener('click', () => go(offset + PAGE_SIZE));
		box.append(prev, h('span', { class: 'pager-info' }, t('dup.page', { from: offset + 1, to: offset + shown, total })), next);
	}

	function openReview(id) {
		history.replaceState(null, '', `#/border/duplicates?id=${encodeURIComponent(id)}`);
		loadReview(id, true);
	}

	async function loadQueue(offset = queueOffset) {
		queueOffset = offset;
		let data;
		try {
			data = await api('GET', '/merges', undefined, { query: { status: 'open', limit: PAGE_SIZE, offset } });
		} catch (err) {
			if (ctx.stillCurrent()) queueBox.replaceChildren(h('p', { class: 'message message-error' }, errorText(err)));
			return;
		}
		if (!ctx.stillCurrent()) return;
		queueBox.replaceChildren(table(t('dup.queue'), [
			{ label: t('dup.score'), className: 'col-num' }, { label: t('dup.record', { n: 1 }) }, { label: t('dup.record', { n: 2 }) },
			{ label: t('dup.proposed_at') }, { label: t('common.actions'), className: 'col-actions' },
		], data.items.map((m) => {
			const button = h('button', { type: 'button', class: 'button button-small', 'data-merge': m.id },
				t('dup.review'), h('span', { class: 'visually-hidden' }, ` ${personName(m.persons[0])} / ${personName(m.persons[1])}`));
			button.addEventListener('click', () => openReview(m.id));
			return [scoreBadge(m.score), nameCell(m.persons[0]), nameCell(m.persons[1]),
				h('time', { datetime: m.proposed_at }, formatDateTime(m.proposed_at)), button];
		}), t('dup.queue_empty')));
		pager(queuePager, offset, data.total, data.items.length, loadQueue);
	}

	async function loadHistory(offset = historyOffset) {
		historyOffset = offset;
		let data;
		try {
			data = await api('GET', '/merges', undefined, { query: { status: 'decided', limit: PAGE_SIZE, offset } });
		} catch (err) {
			if (ctx.stillCurrent()) historyBox.replaceChildren(h('p', { class: 'message message-error' }, errorText(err)));
			return;
		}
		if (!ctx.stillCurrent()) return;
		historyBox.replaceChildren(table(t('dup.history'), [
			{ label: t('dup.decision') }, { label: t('dup.record', { n: 1 }) }, { label: t('dup.record', { n: 2 }) },
			{ label: t('dup.decided') }, { label: t('dup.note') }, { label: t('common.actions'), className: 'col-actions' },
		], data.items.map((m) => {
			const reverted = m.status === 'reverted';
			const when = reverted ? m.reverted_at : m.decided_at;
			const by = reverted ? m.reverted_by : m.decided_by;
			const open = h('button', { type: 'button', class: m.status === 'accepted' ? 'button button-small button-danger-outline' : 'button button-secondary button-small', 'data-merge': m.id },
				m.status === 'accepted' ? t('dup.open_undo') : t('dup.open'),
				h('span', { class: 'visually-hidden' }, ` ${personName(m.persons[0])} / ${personName(m.persons[1])}`));
			open.addEventListener('click', () => openReview(m.id));
			return [statusBadge(m.status), nameCell(m.persons[0]), nameCell(m.persons[1]),
				h('span', null, when ? h('time', { datetime: when }, formatDateTime(when)) : '', by ? ` · ${by}` : ''),
				(reverted ? m.revert_note : m.note) || '', open];
		}), t('dup.history_empty')));
		pager(historyPager, offset, data.total, data.items.length, loadHistory);
	}

	function closeReview() {
		review.hidden = true;
		review.replaceChildren();
		history.replaceState(null, '', '#/border/duplicates');
	}

	/** The decision form: a note, for a merge who keeps the records, and the buttons. */
	function decisionForm(m) {
		const errBox = formErrorBox();
		const noteId = uid('dup-note');
		const note = h('textarea', { id: noteId, name: 'note', rows: '3', class: 'note-input', maxlength: '2000' });
		const form = h('form', { class: 'form dup-decide', novalidate: true });
		let survivorField = null;
		if (m.status === 'proposed') {
			// The record made first keeps the records unless the supervisor says otherwise.
			const [a, b] = m.persons;
			const hintId = uid('dup-keep');
			const radios = [a, b].map((p, i) => h('label', { class: 'dup-radio' },
				h('input', { type: 'radio', name: 'survivor', value: p.id, checked: i === 0 }),
				` ${t('dup.record', { n: i + 1 })}: ${personName(p)}`));
			survivorField = h('fieldset', { class: 'dup-survivor', 'aria-describedby': hintId }, h('legend', null, t('dup.keep')), radios,
				h('p', { class: 'hint', id: hintId }, t('dup.keep_hint')));
		}
		const actions = h('div', { class: 'form-actions' });
		form.append(errBox, survivorField, field(m.status === 'accepted' ? t('dup.revert_note') : t('dup.note_label'), note,
			m.status === 'accepted' ? t('dup.revert_hint') : t('dup.note_hint')), actions);
		if (m.status === 'accepted') note.required = true;

		async function act(verb) {
			clearFormError(form, errBox);
			const body = {};
			if (note.value.trim()) body.note = note.value.trim();
			if (verb === 'revert' && !body.note) {
				showFormError(form, errBox, localError('note', t('dup.revert_needs_note')));
				return;
			}
			if (verb === 'accept') {
				const chosen = form.querySelector('input[name="survivor"]:checked');
				if (chosen) body.survivor = chosen.value;
			}
			await busy(form, async () => {
				let res;
				try {
					res = await api('POST', `/merges/${encodeURIComponent(m.id)}/${verb}`, body);
				} catch (err) {
					showFormError(form, errBox, err);
					return;
				}
				if (!ctx.stillCurrent()) return;
				announce(t(`dup.done.${verb}`, { a: personName(res.persons[0]), b: personName(res.persons[1]) }), 'ok');
				closeReview();
				loadQueue();
				loadHistory();
				document.getElementById('main').querySelector('h1').focus();
			});
		}
		const button = (text, cls, verb) => {
			const b = h('button', { type: 'button', class: cls, 'data-verb': verb }, text);
			b.addEventListener('click', () => act(verb));
			return b;
		};
		if (m.status === 'proposed') {
			actions.append(button(t('dup.accept'), 'button', 'accept'), button(t('dup.reject'), 'button button-secondary', 'reject'));
		} else if (m.status === 'accepted') {
			actions.append(button(t('dup.revert'), 'button button-danger', 'revert'));
		}
		const close = h('button', { type: 'button', class: 'button button-secondary' }, t('dup.close'));
		close.addEventListener('click', closeReview);
		actions.append(close);
		return form;
	}

	async function loadReview(id, focus) {
		review.hidden = false;
		review.replaceChildren(h('p', { class: 'loading' }, t('common.loading')));
		let m;
		try {
			m = await api('GET', `/merges/${encodeURIComponent(id)}`);
		} catch (err) {
			if (!ctx.stillCurrent()) return;
			review.replaceChildren(h('h2', { id: 'dup-review-title' }, t('dup.review_title')),
				h('p', { class: 'message message-error' }, err.status === 404 ? t('dup.not_found') : errorText(err)));
			return;
		}
		if (!ctx.stillCurrent()) return;
		const reasons = m.reasons || [];
		const forIt = reasons.filter((r) => !(typeof r.effect === 'number' && r.effect < -0.004));
		const against = reasons.filter((r) => typeof r.effect === 'number' && r.effect < -0.004);
		const heading = h('h2', { id: 'dup-review-title', tabindex: '-1' }, t('dup.review_title'));
		const facts = [h('span', null, t('dup.score_is'), ' ', scoreBadge(m.score)), ' ', statusBadge(m.status)];
		if (m.status !== 'proposed' && m.decided_at)
			facts.push(' ', h('span', { class: 'muted' }, t('dup.decided_by', { who: m.decided_by || '', when: formatDateTime(m.decided_at) })));
		if (m.status === 'proposed' && !m.open)
			facts.push(h('p', { class: 'message message-info' }, t('dup.waiting')));
		const moved = m.moved && m.status === 'accepted'
			? h('p', { class: 'dup-moved' }, t('dup.moved', {
				documents: m.moved.travel_document || 0, crossings: m.moved.crossing || 0,
				refusals: m.moved.refusal || 0, authorisations: m.moved.stay_authorisation || 0 }))
			: null;
		review.replaceChildren(...[heading,
			h('p', { class: 'dup-facts' }, facts),
			m.note || m.revert_note ? h('p', { class: 'dup-note' }, h('strong', null, `${t('dup.note')}: `), m.revert_note || m.note) : null,
			comparison(m),
			moved,
			stayBox(m),
			h('div', { class: 'dup-reasons' },
				h('div', null, h('h3', null, t('dup.evidence_for')),
					forIt.length ? h('ul', { class: 'reasons', id: 'dup-for' }, forIt.map(reasonItem)) : h('p', { class: 'muted' }, t('dup.none'))),
				h('div', null, h('h3', null, t('dup.evidence_against')),
					against.length ? h('ul', { class: 'reasons', id: 'dup-against' }, against.map(reasonItem)) : h('p', { class: 'muted' }, t('dup.nothing_against')))),
			(m.status === 'proposed' && m.open) || m.status === 'accepted' ? decisionForm(m) :
				h('div', { class: 'form-actions' }, (() => {
					const b = h('button', { type: 'button', class: 'button button-secondary' }, t('dup.close'));
					b.addEventListener('click', closeReview);
					return b;
				})())].filter(Boolean));
		if (focus) {
			review.scrollIntoView({ block: 'start' });
			heading.focus();
		}
	}

	detectButton.addEventListener('click', async () => {
		detectButton.disabled = true;
		detectOut.replaceChildren(h('p', { class: 'loading' }, t('dup.detecting')));
		try {
			const r = await api('POST', '/merges/detect', {});
			if (!ctx.stillCurrent()) return;
			detectOut.replaceChildren(h('p', { class: 'message message-ok' },
				t('dup.detected', { persons: r.persons, found: r.found, proposed: r.proposed, skipped: r.skipped, names_only: r.names_only })));
			loadQueue(0);
		} catch (err) {
			if (ctx.stillCurrent()) detectOut.replaceChildren(h('p', { class: 'message message-error' }, errorText(err)));
		} finally {
			detectButton.disabled = false;
		}
	});

	loadQueue(0);
	loadHistory(0);
	const asked = ctx.query.get('id');
	if (asked) loadReview(asked, false);
}

// border.js - #/border: the crossing desk of a border officer. Read the MRZ (a document reader
// "types" it into the text box), check it, record the entry, exit or refusal at the officer's BCP,
// and show the traveller's days of stay and history. Made for the keyboard: focus starts in the
// MRZ box; Alt+E entry, Alt+X exit, Alt+R refusal; Escape or "Next traveller" starts again.
import { h, field } from '../dom.js';
import { t, has, formatDate, formatDateTime } from '../i18n.js';
import { api } from '../api.js';
import { pageHeading, announce, clearMessages, errorText, badge, table, holds } from '../ui.js';
import { hitsBlock, hitsAnnouncement, precheckBlock } from './hits.js';

export const GROUNDS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I'];
const TRANSPORT = ['car', 'bus', 'truck', 'motorcycle', 'bicycle', 'foot', 'train', 'aircraft', 'vessel', 'other'];
const PURPOSE = ['tourism', 'business', 'family', 'work', 'study', 'transit', 'medical', 'other'];
const CHECKS = ['document_number', 'birth_date', 'expiry_date', 'personal_number', 'composite'];
// The BCP is remembered for the officer's shift: at most 12 hours.
const BCP_KEY = 'mmis.border.bcp';
const SHIFT_MS = 12 * 3600 * 1000;
const PARSE_DELAY_MS = 120;

/** A date as written here, also a partial one: "1974-08" → "08.1974.", "1974" → "1974.". */
export function formatPartialDate(value) {
	if (!value) return '';
	if (/^\d{4}$/.test(value)) return `${value}.`;
	if (/^\d{4}-\d{2}$/.test(value)) return `${value.slice(5, 7)}.${value.slice(0, 4)}.`;
	return formatDate(value);
}

/** A translated label for a code (`prefix.code`), else the code itself. */
export function label(prefix, code) {
	if (code === null || code === undefined || code === '') return '';
	const key = `${prefix}.${code}`;
	return has(key) ? t(key) : String(code);
}

/** A refusal ground's text in the interface language (the server's English text as fallback). */
export function groundText(letter, serverText) {
	const key = `border.ground.${letter}`;
	return has(key) ? t(key) : (serverText || letter);
}

/** The server's English warnings that mmis knows, translated; others as they are. */
function warningText(w) {
	let m;
	if ((m = /^issuing state '([^']*)' is not a known code/.exec(w))) return t('border.warn.issuing_state', { code: m[1] });
	if ((m = /^nationality '([^']*)' is not a known code/.exec(w))) return t('border.warn.nationality', { code: m[1] });
	if (/name fills its field/.test(w)) return t('border.warn.name_truncated');
	if (/^no entry is recorded before this exit/.test(w)) return t('border.flag.exit_without_entry');
	if (/previous entry has no exit/.test(w)) return t('border.flag.entry_without_exit');
	if ((m = /^the document expired on (\d{4}-\d{2}-\d{2})/.exec(w))) return t('border.warn.expired_on', { date: formatDate(m[1]) });
	if (/document has expired/.test(w)) return t('border.flag.document_expired');
	return w;
}

/** Today as YYYY-MM-DD where the officer is. */
function localToday() {
	const d = new Date();
	return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * Whether `text` holds a whole MRZ: 2 lines of 44 or 36 characters or 3 lines of 30, ignoring
 * blanks around lines. Returns the normalised text (lines joined by "\n") or null.
 */
export function completeMrz(text) {
	const lines = String(text).split(/\r?\n|\r/).map((l) => l.trim()).filter((l) => l.length);
	const lens = lines.map((l) => l.length).join(',');
	if (lens === '44,44' || lens === '36,36' || lens === '30,30,30') return lines.join('\n');
	return null;
}

function rememberedBcp() {
	try {
		const v = JSON.parse(localStorage.getItem(BCP_KEY) || 'null');
		if (v && v.code && Date.now() - v.at < SHIFT_MS) return v.code;
	} catch { /* not remembered */ }
	return '';
}

function rememberBcp(code) {
	try {
		if (code) localStorage.setItem(BCP_KEY, JSON.stringify({ code, at: Date.now() }));
		else localStorage.removeItem(BCP_KEY);
	} catch { /* not remembered then */ }
}

/** el.replaceChildren(...) that leaves out null, undefined and false and flattens arrays. */
function put(el, ...children) {
	el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
}

function options(prefix, codes) {
	return [h('option', { value: '' }, t('border.not_given')),
		...codes.map((c) => h('option', { value: c }, t(`${prefix}.${c}`)))];
}

export function render(main, ctx) {
	let bcps = [];           // from GET /bcps
	let parsed = null;       // the last parse answer, for the text in `parsedFor`
	let parsedFor = null;
	let parseSeq = 0;
	let timer = null;
	let recorded = false;    // a result is shown: Escape starts the next traveller
	let working = false;

	// ---- the controls
	const mrz = h('textarea', { id: 'border-mrz', name: 'mrz', rows: '3', cols: '46', class: 'mrz-input',
		autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', wrap: 'off',
		'aria-describedby': 'border-mrz-hint border-mrz-state' });
	const mrzState = h('p', { id: 'border-mrz-state', class: 'mrz-state', 'aria-live': 'polite' }, t('border.mrz_waiting'));
	const bcp = h('select', { id: 'border-bcp', name: 'bcp', required: true },
		h('option', { value: '' }, t('common.loading')));
	const transport = h('select', { id: 'border-transport', name: 'transport' }, options('border.transport', TRANSPORT));
	const purpose = h('select', { id: 'border-purpose', name: 'purpose' }, options('border.purpose', PURPOSE));
	const entryBtn = h('button', { type: 'button', class: 'button button-entry', id: 'border-entry',
		'aria-keyshortcuts': 'Alt+E' }, t('border.entry'), h('kbd', { class: 'shortcut', 'aria-hidden': 'true' }, 'Alt+E'));
	const exitBtn = h('button', { type: 'button', class: 'button button-exit', id: 'border-exit',
		'aria-keyshortcuts': 'Alt+X' }, t('border.exit'), h('kbd', { class: 'shortcut', 'aria-hidden': 'true' }, 'Alt+X'));
	const refuseBtn = h('button', { type: 'button', class: 'button button-danger-outline', id: 'border-refuse',
		'aria-keyshortcuts': 'Alt+R', 'aria-expanded': 'false', 'aria-controls': 'border-refusal' },
	t('border.refuse'), h('kbd', { class: 'shortcut', 'aria-hidden': 'true' }, 'Alt+R'));
	const errBox = h('div', { class: 'form-error', role: 'alert', id: 'border-error', hidden: true });

	// ---- the refusal: grounds A to I (Schengen Borders Code, Annex V, Part B) and a note
	const groundBoxes = GROUNDS.map((g) => h('input', { type: 'checkbox', name: 'ground', value: g, id: `border-ground-${g}` }));
	const note = h('textarea', { id: 'border-note', name: 'note', rows: '2', maxlength: '2000', class: 'note-input' });
	const refuseConfirm = h('button', { type: 'button', class: 'button button-danger', id: 'border-refuse-confirm' }, t('border.refuse_record'));
	const refuseCancel = h('button', { type: 'button', class: 'button button-secondary' }, t('common.cancel'));
	const refusal = h('fieldset', { class: 'refusal', id: 'border-refusal', hidden: true },
		h('legend', null, t('border.grounds')),
		h('p', { class: 'hint' }, t('border.grounds_hint')),
		h('ul', { class: 'grounds' }, GROUNDS.map((g, i) => h('li', null, groundBoxes[i],
			h('label', { for: groundBoxes[i].id }, h('span', { class: 'ground-letter' }, g), ' ', groundText(g))))),
		field(t('border.note'), note, t('border.note_hint')),
		h('div', { class: 'form-actions' }, refuseConfirm, refuseCancel));

	const doc = h('section', { class: 'panel doc-panel', id: 'border-document', 'aria-labelledby': 'border-doc-title' },
		h('h2', { id: 'border-doc-title' }, t('border.document')),
		h('p', { class: 'muted' }, t('border.document_none')));
	const result = h('section', { class: 'result', id: 'border-result', 'aria-labelledby': 'border-result-title', hidden: true });

	const desk = h('div', { class: 'desk' },
		h('section', { class: 'panel desk-form', 'aria-labelledby': 'border-desk-title' },
			h('h2', { id: 'border-desk-title', class: 'visually-hidden' }, t('border.desk')),
			errBox,
			h('div', { class: 'field' },
				h('label', { for: mrz.id }, t('border.mrz')),
				mrz,
				h('p', { class: 'hint', id: 'border-mrz-hint' }, t('border.mrz_hint')),
				mrzState),
			h('div', { class: 'desk-selects' },
				field(t('border.bcp'), bcp, t('border.bcp_hint')),
				field(t('border.transport'), transport),
				field(t('border.purpose'), purpose)),
			h('div', { class: 'direction-buttons', role: 'group', 'aria-label': t('border.record') },
				entryBtn, exitBtn, refuseBtn),
			refusal),
		doc);

	main.append(pageHeading(t('border.title')),
		h('p', { class: 'intro' }, t('border.intro')),
		h('details', { class: 'keys' },
			h('summary', null, t('border.keys')),
			h('ul', null,
				h('li', null, h('kbd', null, 'Alt+E'), ' ', t('border.key_entry')),
				h('li', null, h('kbd', null, 'Alt+X'), ' ', t('border.key_exit')),
				h('li', null, h('kbd', null, 'Alt+R'), ' ', t('border.key_refuse')),
				h('li', null, h('kbd', null, 'Enter'), ' ', t('border.key_enter')),
				h('li', null, h('kbd', null, 'Esc'), ' ', t('border.key_escape')))),
		desk, result);

	// ---- errors
	function showError(text, focusEl) {
		for (const el of desk.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
		errBox.replaceChildren(text);
		errBox.hidden = false;
		if (focusEl) {
			focusEl.setAttribute('aria-invalid', 'true');
			focusEl.focus();
		}
	}
	function clearError() {
		for (const el of desk.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
		errBox.replaceChildren();
		errBox.hidden = true;
	}
	function apiError(err) {
		const named = { mrz, bcp, transport, purpose, note, grounds: groundBoxes[0] }[err.field] || null;
		showError(errorText(err), named);
	}

	// ---- the parsed document
	function showDocument(p) {
		const today = localToday();
		const expired = p.expiry_date && /^\d{4}-\d{2}-\d{2}$/.test(p.expiry_date) && p.expiry_date < today;
		const checks = CHECKS.filter((c) => c in p.checks).concat(Object.keys(p.checks).filter((c) => !CHECKS.includes(c)));
		const bad = checks.filter((c) => !p.checks[c]);
		const rows = [
			[t('border.f.surname'), p.surname],
			[t('border.f.given_names'), p.given_names || '—'],
			[t('border.f.document'), `${label('border.doc', p.document_code)} ${p.document_number}`],
			[t('border.f.issuing_state'), p.issuing_state],
			[t('border.f.nationality'), p.nationality],
			[t('border.f.birth_date'), formatPartialDate(p.birth_date) || t('border.unknown')],
			[t('border.f.sex'), label('border.sex', p.sex)],
			[t('border.f.expiry_date'), h('span', { class: expired ? 'expired' : null },
				formatPartialDate(p.expiry_date) || t('border.unknown'))],
			p.optional_data ? [t('border.f.optional_data'), p.optional_data] : null,
		].filter(Boolean);
		const warnings = (p.warnings || []).map(warningText);
		if (expired) warnings.unshift(t('border.warn.expired_on', { date: formatDate(p.expiry_date) }));

		put(doc,
			h('h2', { id: 'border-doc-title' }, t('border.document'), ' ',
				h('span', { class: 'doc-format' }, p.format)),
			p.valid
				? h('p', { class: 'doc-verdict doc-ok', id: 'border-verdict' }, h('span', { 'aria-hidden': 'true' }, '✓ '), t('border.checks_ok'))
				: h('p', { class: 'doc-verdict doc-bad', id: 'border-verdict' }, h('span', { 'aria-hidden': 'true' }, '✗ '),
					bad.length ? t('border.checks_bad', { fields: bad.map((c) => label('border.check', c)).join(', ') }) : t('border.doc_invalid')),
			h('dl', { class: 'doc-fields' }, rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)])),
			h('h3', null, t('border.checks')),
			h('ul', { class: 'checks', id: 'border-checks' }, checks.map((c) => h('li', {
				class: p.checks[c] ? 'check check-ok' : 'check check-bad', 'data-check': c,
			},
			h('span', { class: 'check-icon', 'aria-hidden': 'true' }, p.checks[c] ? '✓' : '✗'),
			h('span', { class: 'check-name' }, label('border.check', c)), ' ',
			p.checks[c] ? badge(t('border.check_ok'), 'ok') : badge(t('border.check_bad'), 'bad')))),
			warnings.length ? h('div', { class: 'doc-warnings', id: 'border-doc-warnings' },
				h('h3', null, t('border.warnings')),
				h('ul', null, warnings.map((w) => h('li', null, w)))) : null);
	}

	function resetDocument() {
		put(doc, h('h2', { id: 'border-doc-title' }, t('border.document')),
			h('p', { class: 'muted' }, t('border.document_none')));
	}

	// ---- parsing as the reader types
	async function parseNow() {
		timer = null;
		const text = completeMrz(mrz.value);
		if (!text) {
			parsed = null;
			parsedFor = null;
			mrzState.replaceChildren(mrz.value.trim() ? t('border.mrz_incomplete') : t('border.mrz_waiting'));
			mrzState.className = 'mrz-state';
			if (!mrz.value.trim()) resetDocument();
			return;
		}
		if (text === parsedFor) return;
		const seq = ++parseSeq;
		mrzState.replaceChildren(t('border.mrz_reading'));
		let p;
		try {
			p = await api('POST', '/mrz/parse', { mrz: text });
		} catch (err) {
			if (seq !== parseSeq || !ctx.stillCurrent()) return;
			parsed = null;
			parsedFor = null;
			mrzState.replaceChildren(err.status === 422 ? t('border.mrz_unreadable', { detail: err.problem.detail || '' }) : errorText(err));
			mrzState.className = 'mrz-state mrz-state-bad';
			mrz.setAttribute('aria-invalid', 'true');
			resetDocument();
			return;
		}
		if (seq !== parseSeq || !ctx.stillCurrent()) return;
		parsed = p;
		parsedFor = text;
		if (p.valid) mrz.removeAttribute('aria-invalid');
		else mrz.setAttribute('aria-invalid', 'true');
		mrzState.replaceChildren(p.valid
			? t('border.mrz_read', { name: `${p.surname} ${p.given_names}`.trim() })
			: t('border.mrz_bad'));
		mrzState.className = p.valid ? 'mrz-state mrz-state-ok' : 'mrz-state mrz-state-bad';
		showDocument(p);
		if (p.valid) precheck(p, seq);
	}

	// ---- the alert lists, checked as soon as the document is read (before anything is recorded)
	async function precheck(p, seq) {
		if (!holds(ctx.me, 'screen')) return;
		const q = { name: `${p.given_names || ''} ${p.surname || ''}`.trim(), document_number: p.document_number };
		if (/^\d{4}(-\d{2}(-\d{2})?)?$/.test(p.birth_date || '')) q.birth_date = p.birth_date;
		if (/^[A-Z]{1,3}$/.test(p.nationality || '')) q.nationality = p.nationality;
		if (p.sex === 'F' || p.sex === 'M') q.sex = p.sex;
		const box = h('div', { id: 'border-precheck-box' }, h('p', { class: 'loading' }, t('hits.precheck_running')));
		doc.append(box);
		let res;
		try {
			res = await api('POST', '/screen', q);
		} catch (err) {
			if (seq !== parseSeq || !ctx.stillCurrent()) return;
			box.replaceChildren(h('p', { class: 'message message-error' }, t('hits.precheck_failed', { detail: errorText(err) })));
			return;
		}
		if (seq !== parseSeq || !ctx.stillCurrent() || !doc.contains(box)) return;
		box.replaceChildren(precheckBlock(res.hits || [], () => {
			openRefusal();
			const hBox = groundBoxes[GROUNDS.indexOf('H')];
			hBox.checked = true;
			hBox.focus();
		}));
		if ((res.hits || []).length) announce(hitsAnnouncement(res.hits), 'error');
	}

	mrz.addEventListener('input', () => {
		if (recorded) hideResult();
		clearError();
		if (timer) clearTimeout(timer);
		timer = setTimeout(parseNow, PARSE_DELAY_MS);
	});

	/** Wait for a parse that is due, then say whether the MRZ may be used. */
	async function readyMrz() {
		if (timer) {
			clearTimeout(timer);
			await parseNow();
		} else if (completeMrz(mrz.value) !== parsedFor) {
			await parseNow();
		}
		if (!parsed) {
			showError(mrz.value.trim() ? t('border.need_complete') : t('border.need_mrz'), mrz);
			return null;
		}
		if (!parsed.valid) {
			showError(t('border.need_valid'), mrz);
			return null;
		}
		if (!bcp.value) {
			showError(t('border.need_bcp'), bcp);
			return null;
		}
		return parsedFor;
	}

	// ---- recording
	function setWorking(on) {
		working = on;
		for (const b of [entryBtn, exitBtn, refuseBtn, refuseConfirm]) b.disabled = on;
	}

	async function record(direction) {
		if (working || recorded) return;
		clearError();
		const text = await readyMrz();
		if (!text) return;
		setWorking(true);
		try {
			const res = await api('POST', '/crossings', {
				mrz: text, bcp: bcp.value, direction, transport: transport.value || undefined, purpose: purpose.value || undefined,
			});
			if (!ctx.stillCurrent()) return;
			await showResult({ kind: direction, person: res.person, document: res.document, status: res.status,
				flags: res.flags || [], warnings: res.warnings || [], newPerson: res.new_person,
				hits: res.hits || [], screening: res.screening });
		} catch (err) {
			apiError(err);
		} finally {
			setWorking(false);
		}
	}

	function openRefusal() {
		if (recorded || working) return;
		refusal.hidden = false;
		refuseBtn.setAttribute('aria-expanded', 'true');
		groundBoxes[0].focus();
	}
	function closeRefusal() {
		refusal.hidden = true;
		refuseBtn.setAttribute('aria-expanded', 'false');
		for (const b of groundBoxes) b.checked = false;
		note.value = '';
	}

	async function refuse() {
		if (working || recorded) return;
		clearError();
		const grounds = groundBoxes.filter((b) => b.checked).map((b) => b.value);
		const text = await readyMrz();
		if (!text) return;
		if (!grounds.length) {
			showError(t('border.need_ground'), groundBoxes[0]);
			return;
		}
		setWorking(true);
		try {
			const res = await api('POST', '/refusals', { mrz: text, bcp: bcp.value, grounds, note: note.value.trim() || undefined });
			if (!ctx.stillCurrent()) return;
			await showResult({ kind: 'refusal', person: res.person, document: res.document, grounds: res.refusal.grounds,
				flags: [], warnings: res.warnings || [] });
		} catch (err) {
			apiError(err);
		} finally {
			setWorking(false);
		}
	}

	entryBtn.addEventListener('click', () => record('entry'));
	exitBtn.addEventListener('click', () => record('exit'));
	refuseBtn.addEventListener('click', () => (refusal.hidden ? openRefusal() : closeRefusal()));
	refuseConfirm.addEventListener('click', refuse);
	refuseCancel.addEventListener('click', () => {
		closeRefusal();
		refuseBtn.focus();
	});
	// At an airport, a port or a railway station the transport is almost always the same.
	function guessTransport() {
		const kind = (bcps.find((b) => b.code === bcp.value) || {}).kind;
		const guess = { air: 'aircraft', sea: 'vessel', rail: 'train' }[kind];
		if (guess && !transport.value) transport.value = guess;
	}
	bcp.addEventListener('change', () => {
		rememberBcp(bcp.value);
		guessTransport();
	});

	// ---- the result: what was recorded, days of stay, history
	function bcpName(code) {
		const b = bcps.find((x) => x.code === code);
		return b ? `${b.name} (${code})` : code;
	}

	function stayBlock(s) {
		if (!s) return null;
		const over = s.overstay_days > 0;
		const lines = [];
		if (s.authorisation && ['visa', 'long_stay_visa', 'residence_permit'].includes(s.basis)) {
			lines.push(h('p', { class: 'stay-basis' }, t(`border.basis.${s.basis}`, { date: formatDate(s.authorisation.valid_to) })));
		}
		const big = [t('border.days_used', { used: s.days_used, limit: s.limit ?? 90 }),
			t('border.days_left', { n: s.days_remaining })];
		if (s.may_stay_until && s.present !== false) big.push(t('border.may_stay_until', { date: formatDate(s.may_stay_until) }));
		return h('div', { class: over ? 'stay stay-over' : 'stay', id: 'border-stay' },
			h('p', { class: 'stay-big' }, big.join(' — ').replace(/\.?$/, '.')),
			over ? h('p', { class: 'stay-overstay', role: 'alert' }, h('span', { 'aria-hidden': 'true' }, '⚠ '),
				t('border.overstay', { n: s.overstay_days })) : null,
			!s.may_stay_until && !over ? h('p', { class: 'stay-overstay' }, t('border.no_days_left')) : null,
			s.present === false ? h('p', { class: 'muted' }, t('border.not_present')) : null,
			lines);
	}

	function historyTable(person) {
		const rows = (person.crossings || []).map((c) => [
			h('time', { datetime: c.time }, formatDateTime(c.time)),
			c.direction === 'entry' ? badge(t('border.entry'), 'ok') : badge(t('border.exit'), 'muted'),
			bcpName(c.bcp),
			label('border.transport', c.transport),
			label('border.purpose', c.purpose),
			(c.flags || []).map((f) => badge(label('border.flag', f), 'bad')),
		]);
		const parts = [table(t('border.crossings'), [
			{ label: t('border.time') }, { label: t('border.direction') }, { label: t('border.bcp') },
			{ label: t('border.transport') }, { label: t('border.purpose') }, { label: t('border.flags') },
		], rows, t('border.no_crossings'))];
		if ((person.refusals || []).length) {
			parts.push(h('h3', null, t('border.refusals')), table(t('border.refusals'), [
				{ label: t('border.time') }, { label: t('border.bcp') }, { label: t('border.grounds_col') }, { label: t('border.note') },
			], person.refusals.map((r) => [
				h('time', { datetime: r.time }, formatDateTime(r.time)),
				bcpName(r.bcp),
				(r.grounds || []).map((g) => h('abbr', { title: groundText(g.letter, g.text), class: 'ground-chip' }, g.letter)),
				r.note || '',
			]), ''));
		}
		return parts;
	}

	async function showResult(r) {
		recorded = true;
		closeRefusal();
		const p = r.person;
		const name = `${p.surname} ${p.given_names || ''}`.trim();
		const headKey = { entry: 'border.recorded_entry', exit: 'border.recorded_exit', refusal: 'border.recorded_refusal' }[r.kind];
		const notes = [];
		for (const f of r.flags) notes.push(label('border.flag', f));
		for (const w of r.warnings) {
			const text = warningText(w);
			if (!notes.includes(text)) notes.push(text);
		}
		const next = h('button', { type: 'button', class: 'button', id: 'border-next' }, t('border.next'),
			h('kbd', { class: 'shortcut', 'aria-hidden': 'true' }, 'Esc'));
		next.addEventListener('click', nextTraveller);
		const history = h('div', { class: 'history', id: 'border-history' }, h('p', { class: 'loading' }, t('common.loading')));
		const hits = r.hits || [];
		result.className = `result result-${r.kind}${hits.length ? ' result-hit' : ''}`;
		put(result,
			h('h2', { id: 'border-result-title', tabindex: '-1' }, t(headKey, { name })),
			h('p', { class: 'result-who' },
				`${name} · ${p.nationality || ''} · ${formatPartialDate(p.birth_date)} · `,
				`${label('border.doc', r.document.type)} ${r.document.number} (${r.document.issuing_state})`,
				r.newPerson ? [' ', badge(t('border.new_person'), 'muted')] : null),
			hitsBlock(hits, r.screening, announce),
			r.kind === 'refusal'
				? h('ul', { class: 'result-grounds' }, (r.grounds || []).map((g) =>
					h('li', null, h('span', { class: 'ground-letter' }, g.letter), ' ', groundText(g.letter, g.text))))
				: stayBlock(r.status),
			notes.length ? h('div', { class: 'result-flags', id: 'border-flags', role: 'alert' },
				h('h3', null, t('border.attention')),
				h('ul', null, notes.map((n) => h('li', null, n)))) : null,
			h('div', { class: 'form-actions' }, next,
				// A person who may be vulnerable: screen them (docs/protection.md).
				holds(ctx.me, 'case.write') ? h('a', { class: 'button button-secondary', id: 'border-screen',
					href: `#/screening?person=${encodeURIComponent(p.id)}&bcp=${encodeURIComponent(bcp.value || '')}` },
				t('border.screen_person')) : null),
			h('h3', null, t('border.history')),
			history);
		result.hidden = false;

		// The announcement: what was recorded and the days, in one sentence.
		let said = t(headKey, { name }) + '.';
		if (r.status) said += ' ' + t('border.days_used', { used: r.status.days_used, limit: 90 }) + ', ' +
			t('border.days_left', { n: r.status.days_remaining }) + '.';
		if (r.grounds) said += ' ' + t('border.grounds_col') + ': ' + r.grounds.map((g) => g.letter).join(', ') + '.';
		if (r.status && r.status.overstay_days > 0) said += ' ' + t('border.overstay', { n: r.status.overstay_days });
		if (notes.length) said += ' ' + notes.join('. ') + '.';
		if (hits.length) said = hitsAnnouncement(hits) + ' ' + said;
		announce(said, r.kind === 'refusal' || (r.status && r.status.overstay_days > 0) || notes.length || hits.length ? 'error' : 'ok');
		// With a hit the officer reads it first; otherwise the next traveller is one key away.
		const hitsTitle = hits.length ? result.querySelector('#border-hits-title') : null;
		(hitsTitle || next).focus();

		try {
			const person = await api('GET', `/persons/${encodeURIComponent(p.id)}`);
			if (!ctx.stillCurrent() || !result.contains(history)) return;
			history.replaceChildren(...historyTable(person));
		} catch (err) {
			if (result.contains(history)) history.replaceChildren(h('p', { class: 'message message-error' }, errorText(err)));
		}
	}

	function hideResult() {
		recorded = false;
		result.hidden = true;
		result.replaceChildren();
	}

	function nextTraveller() {
		hideResult();
		closeRefusal();
		clearError();
		clearMessages();
		if (timer) clearTimeout(timer);
		timer = null;
		parseSeq++;
		parsed = null;
		parsedFor = null;
		mrz.value = '';
		mrz.removeAttribute('aria-invalid');
		mrzState.replaceChildren(t('border.mrz_waiting'));
		mrzState.className = 'mrz-state';
		resetDocument();
		transport.value = '';
		purpose.value = '';
		guessTransport();
		mrz.focus();
	}

	// ---- keyboard shortcuts, for as long as this page is shown
	function onKey(e) {
		if (!main.contains(desk)) {
			document.removeEventListener('keydown', onKey);
			return;
		}
		if (document.querySelector('dialog[open]')) return;
		if (e.altKey && !e.ctrlKey && !e.metaKey) {
			const action = { KeyE: () => record('entry'), KeyX: () => record('exit'), KeyR: openRefusal }[e.code];
			if (action) {
				e.preventDefault();
				action();
			}
			return;
		}
		if (e.key === 'Escape' && !e.altKey && !e.ctrlKey && !e.metaKey) {
			if (recorded) {
				e.preventDefault();
				nextTraveller();
			} else if (!refusal.hidden && refusal.contains(document.activeElement)) {
				e.preventDefault();
				closeRefusal();
				refuseBtn.focus();
			}
		}
	}
	document.addEventListener('keydown', onKey);

	// ---- the BCPs
	(async () => {
		try {
			const data = await api('GET', '/bcps');
			if (!ctx.stillCurrent()) return;
			bcps = data.items || [];
			bcp.replaceChildren(h('option', { value: '' }, t('common.choose')),
				...bcps.map((b) => h('option', { value: b.code }, `${b.name} (${b.code})`)));
			const saved = rememberedBcp();
			if (saved && bcps.some((b) => b.code === saved)) {
				bcp.value = saved;
				guessTransport();
			}
		} catch (err) {
			bcp.replaceChildren(h('option', { value: '' }, '—'));
			showError(errorText(err));
		}
	})();

	// Focus starts in the MRZ box, after the router has focused the heading.
	setTimeout(() => { if (ctx.stillCurrent() && main.contains(mrz)) mrz.focus(); }, 0);
}

// formrender.js - a form rendered from its definition (GET /api/v1/forms/{id}; the data in
// lib/protect/forms/): sections, questions of each type, required marks, questions shown only
// when their condition holds (the same rules the server checks), labels in the interface
// language. The server checks the answers again and names the field when one is wrong.
import { h, uid } from './dom.js';
import { t, currentLanguage, parseDate, formatDate } from './i18n.js';
import { localError } from './ui.js';

/** A {en, cnr} label in the interface language. */
export function lbl(label) {
	if (!label) return '';
	return label[currentLanguage()] || label.en || '';
}

function countIndicators(def, answers) {
	let strong = 0, total = 0;
	for (const f of def.fields) {
		if (!f.indicator) continue;
		const a = answers[f.id];
		const holds = f.type === 'bool' ? a === true : (f.indicator_choices || []).includes(a);
		if (holds) {
			total += 1;
			if (f.indicator === 'strong') strong += 1;
		}
	}
	return { strong, total };
}

/** Whether condition `c` holds for `answers` (lib/protect/forms.c, cond_holds). */
export function condHolds(def, c, answers) {
	if (c.all) return c.all.every((x) => condHolds(def, x, answers));
	if (c.any) return c.any.some((x) => condHolds(def, x, answers));
	if (c.not) return !condHolds(def, c.not, answers);
	if (c.indicators_at_least !== undefined) {
		const n = countIndicators(def, answers);
		return (c.strength ? n.strong : n.total) >= c.indicators_at_least;
	}
	const a = answers[c.field];
	const answered = a !== undefined && a !== null;
	if ('equals' in c) return answered && a === c.equals;
	if ('in' in c) return answered && (Array.isArray(a) ? a.some((x) => c.in.includes(x)) : c.in.includes(a));
	return Boolean(c.answered) === answered;
}

/**
 * Render `def` into a block; returns {el, collect, markError}. collect() returns the answers of
 * the questions shown, or throws a localError naming the first required one unanswered.
 * `initial` (answers) fills the questions.
 */
export function renderForm(def, initial = {}) {
	const prefix = uid('form');
	const readers = new Map(); // field id -> () => value or undefined
	const boxes = new Map();   // field id -> the question's element
	const root = h('div', { class: 'dyn-form' });

	function control(f) {
		const id = `${prefix}-${f.id}`;
		const required = Boolean(f.required);
		const mark = required ? h('span', { class: 'required-mark', 'aria-hidden': 'true' }, ' *') : null;
		const help = f.help ? h('p', { class: 'hint', id: `${id}-hint` }, lbl(f.help)) : null;
		const tag = f.indicator === 'strong' ? h('span', { class: 'badge badge-warn indicator-tag' }, t('form.strong_indicator')) : null;
		if (f.type === 'bool' || (f.type === 'choice' && f.choices.length <= 5)) {
			const opts = f.type === 'bool'
				? [{ value: 'true', text: t('form.yes') }, { value: 'false', text: t('form.no') }]
				: f.choices.map((c) => ({ value: c.id, text: lbl(c.label) }));
			const inputs = opts.map((o) => h('input', { type: 'radio', name: f.id, value: o.value, id: `${id}-${o.value}` }));
			const init = initial[f.id];
			for (const i of inputs) if (init !== undefined && String(init) === i.value) i.checked = true;
			readers.set(f.id, () => {
				const c = inputs.find((i) => i.checked);
				if (!c) return undefined;
				return f.type === 'bool' ? c.value === 'true' : c.value;
			});
			return h('fieldset', { class: `question question-${f.type === 'bool' ? 'bool' : 'choice'}`, 'aria-describedby': help ? help.id : null },
				h('legend', null, lbl(f.label), mark, tag ? ' ' : null, tag),
				help,
				h('div', { class: f.type === 'bool' ? 'radio-row' : 'radio-list' },
					inputs.map((i, k) => h('label', { class: 'radio', for: i.id }, i, ' ', opts[k].text))));
		}
		if (f.type === 'multi_choice') {
			const inputs = f.choices.map((c) => h('input', { type: 'checkbox', name: f.id, value: c.id, id: `${id}-${c.id}` }));
			const init = initial[f.id] || [];
			for (const i of inputs) if (init.includes(i.value)) i.checked = true;
			readers.set(f.id, () => {
				const v = inputs.filter((i) => i.checked).map((i) => i.value);
				return v.length ? v : undefined;
			});
			return h('fieldset', { class: 'question question-multi' },
				h('legend', null, lbl(f.label), mark), help,
				h('div', { class: 'check-grid' }, inputs.map((i, k) => h('label', { class: 'radio', for: i.id }, i, ' ', lbl(f.choices[k].label)))));
		}
		let input;
		if (f.type === 'choice') {
			input = h('select', { id, name: f.id },
				h('option', { value: '' }, t('common.choose')),
				f.choices.map((c) => h('option', { value: c.id }, lbl(c.label))));
			if (initial[f.id]) input.value = initial[f.id];
			readers.set(f.id, () => input.value || undefined);
		} else if (f.type === 'date') {
			input = h('input', { id, name: f.id, type: 'text', inputmode: 'numeric', autocomplete: 'off',
				placeholder: t('date.placeholder'), class: 'input-date', value: initial[f.id] ? formatDate(initial[f.id]) : null });
			readers.set(f.id, () => {
				const s = input.value.trim();
				if (!s) return undefined;
				const d = parseDate(s);
				if (!d) throw localError(f.id, t('date.invalid', { text: s }));
				return d;
			});
		} else if (f.type === 'number') {
			input = h('input', { id, name: f.id, type: 'text', inputmode: 'decimal', autocomplete: 'off', class: 'input-number',
				value: initial[f.id] !== undefined ? String(initial[f.id]) : null });
			readers.set(f.id, () => {
				const s = input.value.trim().replace(',', '.');
				if (!s) return undefined;
				const n = Number(s);
				if (!Number.isFinite(n)) throw localError(f.id, t('form.not_number', { label: lbl(f.label) }));
				return n;
			});
		} else {
			const long = (f.max_len || 2000) > 200;
			input = long
				? h('textarea', { id, name: f.id, rows: '3', maxlength: String(f.max_len || 2000) })
				: h('input', { id, name: f.id, type: 'text', autocomplete: 'off', maxlength: String(f.max_len || 200) });
			if (initial[f.id]) input.value = initial[f.id];
			readers.set(f.id, () => input.value.trim() || undefined);
		}
		if (help) input.setAttribute('aria-describedby', help.id);
		if (required) input.setAttribute('aria-required', 'true');
		return h('div', { class: 'field question' }, h('label', { for: id }, lbl(f.label), mark), input, help);
	}

	for (const s of def.sections) {
		const fields = def.fields.filter((f) => f.section === s.id);
		if (!fields.length) continue;
		const set = h('fieldset', { class: 'form-section', 'data-section': s.id },
			h('legend', null, lbl(s.title)),
			s.help ? h('p', { class: 'hint' }, lbl(s.help)) : null);
		for (const f of fields) {
			const box = h('div', { class: 'question-box', 'data-field': f.id }, control(f));
			boxes.set(f.id, box);
			set.append(box);
		}
		root.append(set);
	}

	/** The answers of the questions shown, in order (a later question's condition sees earlier answers). */
	function current(strict) {
		const answers = {};
		for (const f of def.fields) {
			const box = boxes.get(f.id);
			const shown = !f.shown_if || condHolds(def, f.shown_if, answers);
			box.hidden = !shown;
			if (!shown) continue;
			let v;
			try {
				v = readers.get(f.id)();
			} catch (err) {
				if (strict) throw err;
				v = undefined;
			}
			if (v === undefined) {
				if (strict && f.required) throw localError(f.id, t('form.required', { label: lbl(f.label) }));
				continue;
			}
			answers[f.id] = v;
		}
		return answers;
	}

	root.addEventListener('change', () => current(false));
	root.addEventListener('input', () => current(false));
	current(false);

	return {
		el: root,
		collect: () => current(true),
		/** Mark the question `id` as invalid and focus it. */
		markError(id) {
			for (const el of root.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
			const box = boxes.get(id);
			if (!box) return false;
			const el = box.querySelector('input, select, textarea');
			if (el) {
				el.setAttribute('aria-invalid', 'true');
				el.focus();
			}
			box.classList.add('question-error');
			return true;
		},
	};
}

/** Answers as a definition list: the question's label, and the answer in words. */
export function answersList(def, answers) {
	const rows = [];
	for (const f of (def ? def.fields : [])) {
		if (!(f.id in answers)) continue;
		const a = answers[f.id];
		let text;
		if (f.type === 'bool') text = a ? t('form.yes') : t('form.no');
		else if (f.type === 'choice') text = lbl((f.choices.find((c) => c.id === a) || {}).label) || a;
		else if (f.type === 'multi_choice') text = a.map((x) => lbl((f.choices.find((c) => c.id === x) || {}).label) || x).join(', ');
		else if (f.type === 'date') text = formatDate(a);
		else text = String(a);
		rows.push(h('dt', null, lbl(f.label)), h('dd', { class: f.indicator && a === true ? 'answer-flag' : null }, text));
	}
	return rows.length ? h('dl', { class: 'answers' }, rows) : h('p', { class: 'muted' }, t('case.nothing_shared'));
}

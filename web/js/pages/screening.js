// screening.js - #/screening: the vulnerability screening a border officer or first responder
// completes in minutes, rendered from the form's definition (GET /forms/vulnerability_screening);
// the server answers the suggested outcome (POST /screenings), and the case is opened from it
// (POST /cases). #/screening?person=ID&bcp=CODE comes from the crossing desk; #/screening?direct=1
// opens a case without a screening (a child brought in by the police, a call to the helpline).
import { h, field } from '../dom.js';
import { t, parseDate } from '../i18n.js';
import { api } from '../api.js';
import { pageHeading, formErrorBox, showFormError, clearFormError, busy, localError, holds, errorText } from '../ui.js';
import { renderForm, lbl } from '../formrender.js';
import { CASE_TYPES, typeLabel } from './case.js';

/** The open-a-case form: types (suggested ones ticked) and the person's particulars. */
export function openCaseForm(ctx, { screening = null, suggested = [], person = null, bcp = null } = {}) {
	const err = formErrorBox();
	const typeBoxes = CASE_TYPES.filter((x) => x !== 'victim_of_trafficking').map((x) =>
		h('input', { type: 'checkbox', name: 'types', value: x, id: `open-type-${x}`, checked: suggested.includes(x) }));
	const inp = (name, attrs = {}) => h('input', { name, type: 'text', autocomplete: 'off', id: `open-${name}`, ...attrs });
	const surname = inp('surname', { maxlength: '200' });
	const given = inp('given_names', { maxlength: '200' });
	const sex = h('select', { name: 'sex', id: 'open-sex' }, h('option', { value: '' }, t('common.choose')),
		['F', 'M', 'X'].map((s) => h('option', { value: s }, t(`case.sex.${s}`))));
	const birth = inp('birth_date', { placeholder: t('case.birth_placeholder'), class: 'input-date' });
	const citizenship = inp('citizenship', { maxlength: '3', class: 'input-code', placeholder: 'UKR' });
	const languages = inp('languages', { maxlength: '200' });
	const phone = inp('phone', { maxlength: '200' });
	const story = h('textarea', { name: 'story', id: 'open-story', rows: '3', maxlength: '8000' });
	const form = h('form', { class: 'form', novalidate: true, id: 'open-case-form', 'aria-labelledby': 'open-case-title' },
		h('h2', { id: 'open-case-title' }, t('screen.open_case')),
		err,
		h('fieldset', { class: 'question question-multi' },
			h('legend', null, t('case.types'), h('span', { class: 'required-mark', 'aria-hidden': 'true' }, ' *')),
			h('div', { class: 'check-grid' }, typeBoxes.map((b) => h('label', { class: 'radio', for: b.id }, b, ' ', typeLabel(b.value))))),
		person ? h('p', { class: 'hint', id: 'open-from-document' }, t('screen.names_from_document')) : null,
		h('div', { class: 'form-grid' },
			field(t('case.f.surname'), surname), field(t('case.f.given_names'), given), field(t('case.f.sex'), sex),
			field(t('case.f.birth_date'), birth, t('case.birth_hint')),
			field(t('case.f.citizenship'), citizenship, t('case.citizenship_hint')),
			field(t('case.f.languages'), languages), field(t('case.f.phone'), phone)),
		field(t('case.f.story'), story, t('case.story_hint')),
		h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button', id: 'open-case-submit' }, t('screen.open_case'))));
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearFormError(form, err);
		const body = {};
		const types = typeBoxes.filter((b) => b.checked).map((b) => b.value);
		if (!types.length) {
			showFormError(form, err, localError('types', t('screen.types_required')));
			return;
		}
		body.types = types;
		if (screening) body.screening_id = screening;
		if (person && !screening) body.person_id = person;
		if (bcp && !screening) body.bcp = bcp;
		for (const [k, el] of [['surname', surname], ['given_names', given], ['sex', sex], ['citizenship', citizenship],
			['languages', languages], ['phone', phone], ['story', story]])
			if (el.value.trim()) body[k] = k === 'citizenship' ? el.value.trim().toUpperCase() : el.value.trim();
		const b = birth.value.trim();
		if (b) {
			// A date of birth may be a year, month.year or the whole date.
			const full = parseDate(b);
			const m = /^\s*(\d{1,2})\.\s*(\d{4})\.?\s*$/.exec(b);
			const y = /^\s*(\d{4})\.?\s*$/.exec(b);
			body.birth_date = full || (m ? `${m[2]}-${String(m[1]).padStart(2, '0')}` : y ? y[1] : b);
		}
		await busy(form, async () => {
			try {
				const c = await api('POST', '/cases', body);
				ctx.navigate(`#/case?id=${c.id}`);
			} catch (er) {
				showFormError(form, err, er);
			}
		});
	});
	return form;
}

export function render(main, ctx) {
	const person = ctx.query.get('person');
	const bcpAsked = ctx.query.get('bcp') || '';
	main.append(pageHeading(t('screen.title')));
	if (ctx.query.get('direct')) {
		main.append(h('p', { class: 'intro' }, t('screen.direct_intro')),
			h('section', { class: 'panel' }, openCaseForm(ctx, { person, bcp: bcpAsked || null })));
		return;
	}
	const box = h('div', null, h('p', { class: 'loading' }, t('common.loading')));
	main.append(box);

	(async () => {
		let def, bcps = [];
		try {
			def = await api('GET', `/forms/vulnerability_screening`);
			if (holds(ctx.me, 'border.read')) bcps = (await api('GET', '/bcps')).items;
		} catch (err) {
			if (ctx.stillCurrent()) box.replaceChildren(h('p', { class: 'message message-error' }, errorText(err)));
			return;
		}
		if (!ctx.stillCurrent()) return;
		const rendered = renderForm(def);
		const err = formErrorBox();
		const bcp = h('select', { name: 'bcp', id: 'screen-bcp' }, h('option', { value: '' }, t('screen.no_bcp')),
			bcps.map((b) => h('option', { value: b.code }, `${b.name} (${b.code})`)));
		bcp.value = bcpAsked;
		const result = h('section', { class: 'result', id: 'screen-result', hidden: true, 'aria-labelledby': 'screen-result-title' });
		const form = h('form', { class: 'form screening-form', novalidate: true, id: 'screening-form' },
			h('p', { class: 'intro' }, lbl(def.intro)),
			person ? h('p', { class: 'panel panel-info' }, t('screen.from_crossing')) : null,
			err,
			bcps.length ? field(t('screen.bcp'), bcp, t('screen.bcp_hint')) : null,
			rendered.el,
			h('div', { class: 'form-actions' },
				h('button', { type: 'submit', class: 'button', id: 'screen-submit' }, t('screen.submit')),
				h('a', { href: '#/screening?direct=1', class: 'button button-secondary' }, t('screen.direct'))));
		box.replaceChildren(form, result);

		form.addEventListener('submit', async (e) => {
			e.preventDefault();
			clearFormError(form, err);
			let answers;
			try {
				answers = rendered.collect();
			} catch (er) {
				showFormError(form, err, er);
				rendered.markError(er.field);
				return;
			}
			const body = { answers };
			if (person) body.person_id = person;
			if (bcp.value) body.bcp = bcp.value;
			await busy(form, async () => {
				let s;
				try {
					s = await api('POST', '/screenings', body);
				} catch (er) {
					showFormError(form, err, er);
					rendered.markError(er.field);
					return;
				}
				const concern = !s.outcomes.some((o) => o.id === 'no_concern');
				form.hidden = true;
				result.className = concern ? 'result result-concern' : 'result';
				result.hidden = false;
				result.replaceChildren(
					h('h2', { id: 'screen-result-title', tabindex: '-1' }, t('screen.outcome')),
					h('ul', { class: 'outcomes', id: 'screen-outcomes' }, s.outcomes.map((o) =>
						h('li', { class: `outcome outcome-${o.id}`, 'data-outcome': o.id }, lbl(o.label)))),
					h('p', null, t('screen.indicators', { strong: s.indicators.strong, total: s.indicators.total })),
					s.case_types.length ? h('p', null, t('screen.suggested_types'), ' ',
						s.case_types.map((x) => h('span', { class: 'badge badge-muted type-badge' }, typeLabel(x)))) : null,
					concern || s.case_types.length
						? openCaseForm(ctx, { screening: s.id, suggested: s.case_types, person: s.person_id })
						: h('div', null,
							h('p', null, t('screen.no_case_needed')),
							h('details', null, h('summary', null, t('screen.open_anyway')),
								openCaseForm(ctx, { screening: s.id, suggested: [], person: s.person_id }))),
					h('p', { class: 'screen-again' }, h('button', { type: 'button', class: 'button button-secondary', id: 'screen-again',
						onclick: () => ctx.navigate('#/screening') }, t('screen.again'))));
				result.querySelector('h2').focus();
			});
		});
	})();
}

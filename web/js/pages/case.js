// case.js - #/case?id=…: one protection case as the user may see it (GET /cases/{id}): the
// person, the story, health; the workflow and what the user may do next (the server's "allowed");
// formal identification, assignment and transfer; forms, consents, referrals, services,
// follow-ups, notes and the timeline. A receiving agency sees only what the person consented to
// share, and says so. Every action goes to /api/v1 and the page is drawn again from the answer.
import { h, field } from '../dom.js';
import { t, has, formatDate, formatDateTime, parseDate } from '../i18n.js';
import { api } from '../api.js';
import { pageHeading, announce, errorText, table, badge, formErrorBox, showFormError, clearFormError, busy, localError } from '../ui.js';
import { renderForm, answersList, lbl } from '../formrender.js';
import { formatPartialDate } from './border.js';

export const CASE_TYPES = ['presumed_victim_of_trafficking', 'victim_of_trafficking', 'unaccompanied_child',
	'separated_child', 'smuggled_migrant', 'other_vulnerable'];
export const STATES = ['identified', 'assessment', 'case_plan', 'services', 'services_implemented', 'closed'];
export const SERVICES = ['shelter', 'medical', 'psychosocial', 'legal_aid', 'interpretation', 'education',
	'family_tracing', 'financial', 'documents', 'return_counselling'];
export const SCOPES = ['identity', 'contact', 'story', 'health'];
const CLOSURE = ['objectives_met', 'voluntary_return', 'moved_away', 'lost_contact', 'declined_assistance',
	'not_a_victim', 'transferred_abroad', 'deceased', 'other'];
const EXPLOITATION = ['ForcedLabour', 'SexualExploitation', 'ChildLabour', 'ForcedMarriage', 'Servitude',
	'ForcedMilitaryByNonStateActors', 'OrganRemoval', 'ForcedBegging', 'ForcedAdoption', 'Surrogacy',
	'ForcedCriminality', 'Other'];
const CONTROL = ['PhysicalThreats', 'PhysicalAbuse', 'SexualAbuse', 'PsychologicalAbuse', 'DebtBondage',
	'FalsePromises', 'WithholdsDocuments', 'TakesEarnings', 'RestrictsMovement', 'ThreatsToFamily',
	'SubstanceAbuse', 'Isolation', 'Other'];
const RELATIONSHIP = ['Familial', 'Acquainted', 'Unacquainted'];
const CASE_FORMS = ['assessment', 'case_plan', 'guardian', 'best_interests', 'best_interests_determination'];

function code(prefix, x) {
	const key = `${prefix}.${x}`;
	return has(key) ? t(key) : String(x);
}
export const typeLabel = (x) => code('case.type', x);
export const stateLabel = (x) => code('case.state', x);
export const serviceLabel = (x) => code('service', x);
export const scopeLabel = (x) => code('scope', x);
export const referralStateLabel = (x) => code('referral.state', x);

const codes = (list, label) => String(list || '').split(',').map((x) => x.trim()).filter(Boolean).map(label).join(', ');
const withReason = (text, reason) => (reason ? `${text}: ${reason}` : text);

/* What each kind of event says, from its data (lib/protect), in the reader's language. */
const EVENT_TEXT = {
	created: (d) => t('case.ev.created', { types: codes(d.types, typeLabel) }),
	update: (d) => t('case.ev.update', { fields: d.fields }),
	transition: (d) => withReason(d.closure_reason ? code('closure', d.closure_reason) : '', d.reason).replace(/^: /, ''),
	identification: (d) => withReason(t(d.outcome === 'victim' ? 'case.ev.victim' : 'case.ev.not_victim',
		{ date: formatDate(d.on) }), d.note),
	assignment: (d) => t('case.ev.assignment', { worker: d.worker }),
	transfer: (d) => withReason(t('case.ev.transfer', { agency: `${d.agency_name} (${d.agency})` }) +
		(d.worker ? `, ${d.worker}` : ''), d.reason),
	form: (d) => code('case.form', d.form),
	followup: (d) => t('case.ev.followup', { date: formatDate(d.due) }),
	consent: (d) => t(d.given_by === 'guardian' ? 'case.ev.consent_guardian' : 'case.ev.consent_person',
		{ agency: d.agency, scopes: codes(d.scopes, scopeLabel) }),
	referral: (d) => (d.override_reason
		? withReason(t('case.ev.referral_override', { agency: d.agency, service: serviceLabel(d.service),
			scopes: codes(d.override_scopes, scopeLabel) }), d.override_reason)
		: t('case.ev.referral', { agency: d.agency, service: serviceLabel(d.service) })),
	referral_update: (d) => withReason(t('case.ev.referral_update', { service: serviceLabel(d.service),
		state: referralStateLabel(d.state), agency: d.agency }), d.reason),
	service: (d) => t('case.ev.service', { service: serviceLabel(d.service), provider: d.provider, date: formatDate(d.on) }) +
		(d.project ? ` · ${t('case.ev.project', { project: d.project })}` : ''),
};

/** What an event says: from its data in the reader's language, else the English detail (events
 * recorded before their data was kept). */
export function eventText(e) {
	const write = e.data && EVENT_TEXT[e.kind];
	return (write ? write(e.data) : e.detail) || '';
}

/** The short reference people read aloud: the id's last 8 characters. */
export function caseRef(id) {
	return String(id || '').slice(-8).toUpperCase();
}

export function typeBadges(types) {
	return (types || []).map((x) => h('span', { class: `badge type-badge type-${x}` }, typeLabel(x)));
}

export function stateBadge(s) {
	return h('span', { class: `badge state-badge state-${s}` }, stateLabel(s));
}

export function reflectionBadge(r) {
	if (!r) return null;
	if (r.status === 'ended') return badge(t('case.reflection_ended', { date: formatDate(r.end) }), 'muted');
	if (r.status === 'ending') return badge(t('case.reflection_ending', { date: formatDate(r.end), days: r.days_left }), 'warn');
	return badge(t('case.reflection_until', { date: formatDate(r.end) }), 'ok');
}

function personName(c) {
	const i = c.identity;
	if (!i) return t('case.ref', { ref: caseRef(c.id) });
	const n = [i.given_names, i.surname].filter(Boolean).join(' ');
	return n || t('case.ref', { ref: caseRef(c.id) });
}

function dl(rows) {
	const items = rows.filter((r) => r && r[1] !== null && r[1] !== undefined && r[1] !== '' &&
		!(Array.isArray(r[1]) && !r[1].length));
	if (!items.length) return h('p', { class: 'muted' }, t('case.nothing_recorded'));
	return h('dl', { class: 'answers' }, items.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

function options(values, labelFn, empty) {
	return [empty ? h('option', { value: '' }, empty) : null, ...values.map((v) => h('option', { value: v }, labelFn(v)))];
}

function checkboxes(name, values, labelFn, checked = []) {
	return values.map((v) => {
		const i = h('input', { type: 'checkbox', name, value: v, id: `${name}-${v}`, checked: checked.includes(v) });
		return h('label', { class: 'radio', for: i.id }, i, ' ', labelFn(v));
	});
}

function checked(form, name) {
	return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
}

/** A small form that posts and then redraws; `build` returns [fields...], `body` the request. */
function actionForm({ id, title, build, submit, body, method = 'POST', path, done, extraClass }) {
	const err = formErrorBox();
	const form = h('form', { class: `form action-form ${extraClass || ''}`, novalidate: true, id },
		title ? h('h3', null, title) : null, err, ...build(),
		h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button' }, submit)));
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearFormError(form, err);
		let b;
		try {
			b = body(form);
		} catch (er) {
			showFormError(form, err, er);
			return;
		}
		await busy(form, async () => {
			try {
				const res = await api(method, typeof path === 'function' ? path(form) : path, b);
				await done(res);
			} catch (er) {
				showFormError(form, err, er);
				if (form.onApiError) form.onApiError(er);
			}
		});
	});
	return form;
}

export function render(main, ctx) {
	const id = ctx.query.get('id') || '';
	const box = h('div', null, h('p', { class: 'loading' }, t('common.loading')));
	main.append(pageHeading(t('case.title')), box);
	const defs = {};
	let providers = null, projects = null;

	async function def(formId) {
		if (!defs[formId]) defs[formId] = await api('GET', `/forms/${formId}`);
		return defs[formId];
	}

	async function load(message) {
		let c;
		try {
			c = await api('GET', `/cases/${encodeURIComponent(id)}`);
			for (const f of [c.screening, ...(c.forms || [])]) if (f) await def(f.form);
			if (!providers) providers = (await api('GET', '/protection/providers')).items;
			if (!projects) projects = (await api('GET', '/projects')).items;
		} catch (err) {
			if (!ctx.stillCurrent()) return;
			box.replaceChildren(h('p', { class: 'message message-error', id: 'case-error' },
				err.status === 404 ? t('case.not_found') : errorText(err)),
			h('p', null, h('a', { href: '#/cases' }, t('case.back'))));
			return;
		}
		if (!ctx.stillCurrent()) return;
		draw(c);
		if (message) announce(message, 'ok');
	}

	function draw(c) {
		const allowed = new Set((c.allowed && c.allowed.actions) || []);
		const full = c.access === 'full';
		const h1 = main.querySelector('h1');
		h1.textContent = personName(c);
		document.title = `${h1.textContent} — mmis`;
		const parts = [];

		// ---- summary
		parts.push(h('section', { class: 'panel case-summary', id: 'case-summary', 'aria-label': t('case.summary') },
			h('p', { class: 'case-badges' }, stateBadge(c.state), ' ', typeBadges(c.types), c.is_child ? badge(t('case.child'), 'warn') : null),
			dl([
				[t('case.ref_label'), h('code', { class: 'case-ref' }, caseRef(c.id))],
				[t('case.agency'), `${c.agency.name} (${c.agency.code})`],
				[t('case.worker'), c.worker ? c.worker.display_name : h('em', null, t('case.unassigned'))],
				[t('case.opened'), formatDate(c.opened_on)],
				c.closed_at ? [t('case.closed'), `${formatDateTime(c.closed_at)} — ${code('closure', c.closure_reason)}`] : null,
				c.reflection ? [t('case.reflection'), reflectionBadge(c.reflection)] : null,
			]),
			full ? null : h('p', { class: 'panel-note', id: 'case-referred-note' },
				t('case.referred_view', { scopes: (c.scopes || []).map(scopeLabel).join(', ') || t('case.nothing') }))));
		if (c.reflection && c.reflection.status === 'ending')
			parts.push(h('p', { class: 'message message-info', id: 'case-reflection-warning' },
				t('case.reflection_warning', { date: formatDate(c.reflection.end), days: c.reflection.days_left })));

		// ---- workflow
		if (full) {
			const steps = (c.allowed && c.allowed.transitions) || [];
			const wf = h('section', { class: 'section', 'aria-labelledby': 'case-wf-title' },
				h('h2', { id: 'case-wf-title' }, t('case.workflow')),
				h('ol', { class: 'workflow' }, STATES.map((s) => h('li', {
					class: s === c.state ? 'wf-step wf-current' : STATES.indexOf(s) < STATES.indexOf(c.state) ? 'wf-step wf-done' : 'wf-step',
					'aria-current': s === c.state ? 'step' : null,
				}, stateLabel(s)))));
			if (steps.length) {
				const to = h('select', { name: 'to', id: 'case-to' }, options(steps, stateLabel));
				const closure = h('select', { name: 'closure_reason', id: 'case-closure' }, options(CLOSURE, (x) => code('closure', x), t('common.choose')));
				const reason = h('input', { type: 'text', name: 'reason', id: 'case-reason', maxlength: '2000' });
				const closureField = field(t('case.closure_reason'), closure);
				const reasonField = field(t('case.reason'), reason, t('case.reason_hint'));
				const sync = () => {
					closureField.hidden = to.value !== 'closed';
					reasonField.hidden = !(c.state === 'closed' || (c.state === 'services_implemented' && to.value === 'services'));
				};
				to.addEventListener('change', sync);
				sync();
				wf.append(actionForm({
					id: 'case-transition', build: () => [h('div', { class: 'form-grid' }, field(t('case.move_to'), to), closureField, reasonField)],
					submit: t('case.move'), path: `/cases/${c.id}/transitions`,
					body: () => {
						const b = { to: to.value };
						if (to.value === 'closed' && closure.value) b.closure_reason = closure.value;
						if (!reasonField.hidden && reason.value.trim()) b.reason = reason.value.trim();
						return b;
					},
					done: () => load(t('case.moved', { state: stateLabel(to.value) })),
				}));
			}
			parts.push(wf);
		}

		// ---- identification, assignment, transfer
		const acts = [];
		if (allowed.has('case.identify')) {
			acts.push(actionForm({
				id: 'case-identify', title: t('case.identify_title'), extraClass: 'panel identify-form',
				build: () => [
					h('p', { class: 'hint' }, t('case.identify_hint')),
					h('fieldset', { class: 'question' }, h('legend', null, t('case.identify_outcome')),
						h('div', { class: 'radio-row' },
							['victim', 'not_victim'].map((o) => {
								const i = h('input', { type: 'radio', name: 'outcome', value: o, id: `identify-${o}` });
								return h('label', { class: 'radio', for: i.id }, i, ' ', t(`case.identify_${o}`));
							}))),
					field(t('case.note'), h('input', { type: 'text', name: 'note', maxlength: '2000', id: 'identify-note' }))],
				submit: t('case.identify_submit'), path: `/cases/${c.id}/identification`,
				body: (form) => {
					const o = checked(form, 'outcome')[0];
					if (!o) throw localError('outcome', t('case.identify_choose'));
					const b = { outcome: o };
					const n = form.querySelector('#identify-note').value.trim();
					if (n) b.note = n;
					return b;
				},
				done: () => load(t('case.identified')),
			}));
		}
		if (allowed.has('case.take')) {
			acts.push(h('div', { class: 'panel' }, h('p', null, t('case.unassigned_text')),
				h('button', { type: 'button', class: 'button', id: 'case-take', onclick: async () => {
					try {
						await api('POST', `/cases/${c.id}/assignment`, { worker: ctx.me.username });
						load(t('case.taken'));
					} catch (err) { announce(errorText(err), 'error'); }
				} }, t('case.take'))));
		}
		if (allowed.has('case.assign')) {
			acts.push(actionForm({
				id: 'case-assign', title: t('case.assign_title'), extraClass: 'panel',
				build: () => [field(t('case.worker_username'), h('input', { type: 'text', name: 'worker', id: 'assign-worker', autocomplete: 'off' }))],
				submit: t('case.assign'), path: `/cases/${c.id}/assignment`,
				body: (form) => ({ worker: form.querySelector('#assign-worker').value.trim() }),
				done: () => load(t('case.assigned')),
			}));
		}
		if (allowed.has('case.transfer')) {
			acts.push(actionForm({
				id: 'case-transfer', title: t('case.transfer_title'), extraClass: 'panel',
				build: () => [
					field(t('case.to_agency'), h('select', { name: 'to_agency', id: 'transfer-agency' },
						options(providers.filter((p) => p.code !== c.agency.code).map((p) => p.code),
							(x) => `${(providers.find((p) => p.code === x) || {}).name} (${x})`, t('common.choose')))),
					field(t('case.worker_username_optional'), h('input', { type: 'text', name: 'worker', id: 'transfer-worker', autocomplete: 'off' })),
					field(t('case.reason'), h('input', { type: 'text', name: 'reason', id: 'transfer-reason', maxlength: '2000' }))],
				submit: t('case.transfer'), path: `/cases/${c.id}/transfer`,
				body: (form) => {
					const b = { to_agency: form.querySelector('#transfer-agency').value, reason: form.querySelector('#transfer-reason').value.trim() };
					const w = form.querySelector('#transfer-worker').value.trim();
					if (w) b.worker = w;
					return b;
				},
				done: (res) => {
					if (res.access === 'none') {
						announce(t('case.transferred_away', { agency: res.to_agency }), 'ok', true);
						ctx.navigate('#/cases');
					} else {
						load(t('case.transferred'));
					}
				},
			}));
		}
		if (acts.length)
			parts.push(h('details', { class: 'section case-actions', open: allowed.has('case.identify') || allowed.has('case.take') },
				h('summary', null, t('case.actions')), h('div', { class: 'action-grid' }, acts)));

		// ---- the person
		const sections = [];
		if (c.identity) sections.push(h('section', { class: 'panel', id: 'case-identity' }, h('h2', null, t('scope.identity')), dl([
			[t('case.f.surname'), c.identity.surname], [t('case.f.given_names'), c.identity.given_names],
			[t('case.f.sex'), c.identity.sex ? t(`case.sex.${c.identity.sex}`) : null],
			[t('case.f.birth_date'), formatPartialDate(c.identity.birth_date)], [t('case.f.citizenship'), c.identity.citizenship],
			[t('case.f.languages'), c.identity.languages]])));
		if (c.contact) sections.push(h('section', { class: 'panel', id: 'case-contact' }, h('h2', null, t('scope.contact')),
			dl([[t('case.f.phone'), c.contact.phone], [t('case.f.address'), c.contact.address]])));
		if (c.story) sections.push(h('section', { class: 'panel', id: 'case-story' }, h('h2', null, t('scope.story')), dl([
			[t('case.f.story'), c.story.story],
			[t('case.f.trafficking_status'), c.story.trafficking_status ? code('htcds.status', c.story.trafficking_status) : null],
			[t('case.f.exploitation'), (c.story.exploitation || []).map((x) => code('htcds', x)).join(', ')],
			[t('case.f.means_of_control'), (c.story.means_of_control || []).map((x) => code('htcds', x)).join(', ')],
			[t('case.f.relationship_to_trafficker'), c.story.relationship_to_trafficker ? code('htcds', c.story.relationship_to_trafficker) : null],
			[t('case.f.country_of_exploitation'), c.story.country_of_exploitation],
			c.story.identification ? [t('case.identification'), t(`case.identification_${c.story.identification.outcome}`,
				{ date: formatDate(c.story.identification.decided_on), by: c.story.identification.by || '' })] : null])));
		if (c.health) sections.push(h('section', { class: 'panel', id: 'case-health' }, h('h2', null, t('scope.health')),
			dl([[t('case.f.health'), c.health.health]])));
		parts.push(h('div', { class: 'case-grid' }, sections));
		if (allowed.has('case.update')) parts.push(editForm(c));

		// ---- screening and forms
		const formBox = h('section', { class: 'section', id: 'case-forms', 'aria-labelledby': 'case-forms-title' },
			h('h2', { id: 'case-forms-title' }, t('case.forms')));
		if (c.screening) formBox.append(h('details', { class: 'form-record', open: !full },
			h('summary', null, `${lbl(defs[c.screening.form].title)} — ${formatDateTime(c.screening.created_at)}`,
				c.screening.outcomes ? [' ', ...c.screening.outcomes.map((o) => badge(code('outcome', o), o === 'no_concern' ? 'muted' : 'warn'))] : null),
			answersList(defs[c.screening.form], c.screening.answers)));
		for (const f of c.forms || [])
			formBox.append(h('details', { class: 'form-record', 'data-form': f.form },
				h('summary', null, `${lbl(defs[f.form].title)} — ${formatDateTime(f.created_at)}${f.by ? ` (${f.by})` : ''}`),
				answersList(defs[f.form], f.answers)));
		if (!c.screening && !(c.forms || []).length) formBox.append(h('p', { class: 'muted' }, t('case.no_forms')));
		if (allowed.has('case.form')) {
			const slot = h('div', { class: 'form-slot' });
			formBox.append(h('div', { class: 'form-actions' }, CASE_FORMS
				.filter((f) => c.is_child || !['guardian', 'best_interests', 'best_interests_determination'].includes(f))
				.map((f) => h('button', { type: 'button', class: 'button button-secondary', 'data-open-form': f, onclick: async () => {
					const d = await def(f);
					const rendered = renderForm(d);
					const err = formErrorBox();
					const form = h('form', { class: 'form panel', novalidate: true, id: `case-form-${f}` },
						h('h3', null, lbl(d.title)), d.intro ? h('p', { class: 'hint' }, lbl(d.intro)) : null, err, rendered.el,
						h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'button' }, t('case.save_form'))));
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
						await busy(form, async () => {
							try {
								await api('POST', `/cases/${c.id}/forms/${f}`, { answers });
								load(t('case.form_saved', { form: lbl(d.title) }));
							} catch (er) {
								showFormError(form, err, er);
								rendered.markError(er.field);
							}
						});
					});
					slot.replaceChildren(form);
					form.querySelector('input, select, textarea').focus();
				} }, t('case.complete_form', { form: t(`case.form.${f}`) })))), slot);
		}
		parts.push(formBox);

		// ---- consents (the case's own side only)
		if (full) {
			const rows = (c.consents || []).map((k) => [
				`${k.to_agency_name} (${k.to_agency})`, k.scopes.map(scopeLabel).join(', '),
				k.given_by === 'guardian' ? t('case.by_guardian', { name: k.guardian_name }) : t('case.by_person'),
				formatDate(k.given_on),
				k.withdrawn_at ? badge(t('case.withdrawn'), 'muted') : (allowed.has('consent.create')
					? h('button', { type: 'button', class: 'button button-small button-danger-outline', onclick: async () => {
						try {
							await api('POST', `/cases/${c.id}/consents/${k.id}/withdraw`);
							load(t('case.consent_withdrawn'));
						} catch (err) { announce(errorText(err), 'error'); }
					} }, t('case.withdraw')) : badge(t('case.active'), 'ok')),
			]);
			const sec = h('section', { class: 'section', id: 'case-consents', 'aria-labelledby': 'case-consents-title' },
				h('h2', { id: 'case-consents-title' }, t('case.consents')),
				table(t('case.consents'), [{ label: t('case.to_agency') }, { label: t('case.scopes') }, { label: t('case.given_by') },
					{ label: t('case.given_on') }, { label: t('common.actions') }], rows, t('case.no_consents')));
			if (allowed.has('consent.create')) sec.append(consentForm(c));
			parts.push(sec);
		}

		// ---- referrals
		const refRows = (c.referrals || []).map((r) => [
			`${r.to_agency_name} (${r.to_agency})`, serviceLabel(r.service),
			h('span', { class: `badge referral-${r.state}` }, referralStateLabel(r.state)),
			r.with_consent ? t('case.with_consent') : t('case.override', { reason: r.override_reason || '' }),
			formatDateTime(r.created_at),
			full && ['pending', 'accepted'].includes(r.state) && allowed.has('referral.create')
				? h('button', { type: 'button', class: 'button button-small button-secondary', onclick: async () => {
					try {
						await api('POST', `/referrals/${r.id}/withdraw`);
						load(t('case.referral_withdrawn'));
					} catch (err) { announce(errorText(err), 'error'); }
				} }, t('case.withdraw')) : (!full ? receiverActions(r) : (r.decline_reason || '')),
		]);
		const refSec = h('section', { class: 'section', id: 'case-referrals', 'aria-labelledby': 'case-referrals-title' },
			h('h2', { id: 'case-referrals-title' }, t('case.referrals')),
			table(t('case.referrals'), [{ label: t('case.to_agency') }, { label: t('case.service') }, { label: t('case.state') },
				{ label: t('case.basis') }, { label: t('case.sent') }, { label: '' }], refRows, t('case.no_referrals')));
		if (allowed.has('referral.create')) refSec.append(referralForm(c, allowed.has('referral.override')));
		parts.push(refSec);

		// ---- services
		const svcSec = h('section', { class: 'section', id: 'case-services', 'aria-labelledby': 'case-services-title' },
			h('h2', { id: 'case-services-title' }, t('case.services')),
			table(t('case.services'), [{ label: t('case.service') }, { label: t('case.provider') }, { label: t('case.project') },
				{ label: t('case.delivered_on') }], (c.services || []).map((s) => [serviceLabel(s.service),
				`${s.provider_name} (${s.provider})`, s.project_name ? `${s.project_name} (${s.project})` : '—', formatDate(s.delivered_on)]),
			t('case.no_services')));
		if (allowed.has('service.create')) svcSec.append(serviceForm(c, full));
		parts.push(svcSec);

		// ---- follow-ups, notes, timeline
		if (full) {
			const fu = h('section', { class: 'section', id: 'case-followups', 'aria-labelledby': 'case-fu-title' },
				h('h2', { id: 'case-fu-title' }, t('case.followups')),
				table(t('case.followups'), [{ label: t('case.due_on') }, { label: t('case.what') }, { label: t('common.actions') }],
					(c.followups || []).map((f) => [
						h('span', null, formatDate(f.due_on), ' ', f.overdue ? badge(t('case.overdue'), 'bad') : null),
						f.text,
						f.done_at ? badge(t('case.done_on', { date: formatDate(f.done_at) }), 'ok')
							: h('button', { type: 'button', class: 'button button-small button-secondary', onclick: async () => {
								try {
									await api('POST', `/followups/${f.id}/done`);
									load(t('case.followup_done'));
								} catch (err) { announce(errorText(err), 'error'); }
							} }, t('case.mark_done'))]), t('case.no_followups')));
			if (allowed.has('followup.create')) fu.append(actionForm({
				id: 'case-followup-form', build: () => [h('div', { class: 'form-grid' },
					field(t('case.due_on'), h('input', { type: 'text', name: 'due_on', id: 'fu-due', class: 'input-date', placeholder: t('date.placeholder') })),
					field(t('case.what'), h('input', { type: 'text', name: 'text', id: 'fu-text', maxlength: '2000' })))],
				submit: t('case.add_followup'), path: `/cases/${c.id}/followups`,
				body: (form) => {
					const raw = form.querySelector('#fu-due').value;
					const d = parseDate(raw);
					if (!d) throw localError('due_on', t('date.invalid', { text: raw }));
					return { due_on: d, text: form.querySelector('#fu-text').value.trim() };
				},
				done: () => load(t('case.followup_added')),
			}));
			parts.push(fu);
			const notes = h('section', { class: 'section', id: 'case-notes', 'aria-labelledby': 'case-notes-title' },
				h('h2', { id: 'case-notes-title' }, t('case.notes')),
				(c.notes || []).length ? h('ul', { class: 'notes' }, c.notes.map((n) => h('li', null,
					h('p', { class: 'note-meta' }, `${formatDateTime(n.created_at)} — ${n.by || ''}`), h('p', null, n.text))))
					: h('p', { class: 'muted' }, t('case.no_notes')));
			if (allowed.has('note.create')) notes.append(actionForm({
				id: 'case-note-form', build: () => [field(t('case.note'), h('textarea', { name: 'text', id: 'note-text', rows: '2', maxlength: '8000' }))],
				submit: t('case.add_note'), path: `/cases/${c.id}/notes`,
				body: (form) => ({ text: form.querySelector('#note-text').value.trim() }),
				done: () => load(t('case.note_added')),
			}));
			parts.push(notes);
			parts.push(h('section', { class: 'section', id: 'case-timeline', 'aria-labelledby': 'case-tl-title' },
				h('h2', { id: 'case-tl-title' }, t('case.timeline')),
				h('ol', { class: 'timeline' }, (c.timeline || []).map((e) => h('li', { class: `tl tl-${e.kind}` },
					h('time', { datetime: e.at }, formatDateTime(e.at)), ' ',
					h('strong', null, code('event', e.kind)),
					e.from || e.to ? ` ${e.from ? stateLabel(e.from) : ''} → ${e.to ? stateLabel(e.to) : ''}` : '',
					eventText(e) ? ` — ${eventText(e)}` : '',
					h('span', { class: 'tl-by' }, ` · ${e.by}${e.agency ? ` (${e.agency})` : ''}`))))));
		}
		box.replaceChildren(...parts);
	}

	/** The receiving agency answers the referral from the case page too. */
	function receiverActions(r) {
		const act = async (action, body) => {
			try {
				await api('POST', `/referrals/${r.id}/${action}`, body);
				if (action === 'accept') {
					load(t('referrals.done_accept'));
				} else {
					announce(t(`referrals.done_${action}`), 'ok', true);
					ctx.navigate('#/referrals');
				}
			} catch (err) { announce(errorText(err), 'error'); }
		};
		if (r.state === 'pending') {
			const reason = h('input', { type: 'text', class: 'input-inline', id: `case-decline-${r.id}`,
				'aria-label': t('referrals.decline_reason'), placeholder: t('referrals.decline_reason') });
			return h('div', { class: 'row-actions' },
				h('button', { type: 'button', class: 'button button-small', id: 'case-referral-accept', onclick: () => act('accept') }, t('referrals.accept')),
				reason,
				h('button', { type: 'button', class: 'button button-small button-danger-outline', onclick: () => act('decline', { reason: reason.value.trim() }) }, t('referrals.decline')));
		}
		if (r.state === 'accepted')
			return h('button', { type: 'button', class: 'button button-small button-secondary', id: 'case-referral-complete', onclick: () => act('complete') }, t('referrals.complete'));
		return r.decline_reason || '';
	}

	function editForm(c) {
		const i = c.identity || {}, k = c.contact || {}, s = c.story || {}, hl = c.health || {};
		const inp = (name, value, attrs = {}) => h('input', { type: 'text', name, id: `edit-${name}`, value: value || '', autocomplete: 'off', ...attrs });
		const rel = h('select', { name: 'relationship_to_trafficker', id: 'edit-relationship' }, options(RELATIONSHIP, (x) => code('htcds', x), '—'));
		rel.value = s.relationship_to_trafficker || '';
		const story = h('textarea', { name: 'story', id: 'edit-story', rows: '3', maxlength: '8000' });
		story.value = s.story || '';
		const health = h('textarea', { name: 'health', id: 'edit-health', rows: '2', maxlength: '8000' });
		health.value = hl.health || '';
		const fields = [['surname', i.surname], ['given_names', i.given_names], ['birth_date', i.birth_date], ['citizenship', i.citizenship],
			['languages', i.languages], ['phone', k.phone], ['address', k.address], ['country_of_exploitation', s.country_of_exploitation]]
			.map(([n, v]) => [n, inp(n, v)]);
		const form = actionForm({
			id: 'case-edit', method: 'PATCH', path: `/cases/${c.id}`, submit: t('common.save'),
			build: () => [
				h('div', { class: 'form-grid' }, fields.map(([n, el]) => field(t(`case.f.${n}`), el))),
				field(t('case.f.story'), story), field(t('case.f.health'), health),
				h('fieldset', { class: 'question question-multi' }, h('legend', null, t('case.types')),
					h('div', { class: 'check-grid' }, checkboxes('edit-types', CASE_TYPES.filter((x) => x !== 'victim_of_trafficking'), typeLabel,
						c.types))),
				h('fieldset', { class: 'question question-multi' }, h('legend', null, t('case.f.exploitation')),
					h('div', { class: 'check-grid' }, checkboxes('edit-exploitation', EXPLOITATION, (x) => code('htcds', x), s.exploitation || []))),
				h('fieldset', { class: 'question question-multi' }, h('legend', null, t('case.f.means_of_control')),
					h('div', { class: 'check-grid' }, checkboxes('edit-control', CONTROL, (x) => code('htcds', x), s.means_of_control || []))),
				field(t('case.f.relationship_to_trafficker'), rel)],
			body: (f) => {
				const b = {};
				for (const [n, el] of fields) b[n] = el.value.trim() ? (n.includes('country') || n === 'citizenship' ? el.value.trim().toUpperCase() : el.value.trim()) : null;
				b.story = story.value.trim() || null;
				b.health = health.value.trim() || null;
				b.relationship_to_trafficker = rel.value || null;
				const types = checked(f, 'edit-types');
				if (c.types.includes('victim_of_trafficking')) types.push('victim_of_trafficking');
				b.types = types;
				b.exploitation = checked(f, 'edit-exploitation');
				b.means_of_control = checked(f, 'edit-control');
				return b;
			},
			done: () => load(t('case.saved')),
		});
		return h('details', { class: 'section', id: 'case-edit-box' }, h('summary', null, t('case.edit')), form);
	}

	function consentForm(c) {
		const agency = h('select', { name: 'to_agency', id: 'consent-agency' },
			options(providers.filter((p) => p.code !== c.agency.code).map((p) => p.code), (x) => `${(providers.find((p) => p.code === x) || {}).name} (${x})`, t('common.choose')));
		const guardian = h('input', { type: 'text', name: 'guardian_name', id: 'consent-guardian', maxlength: '200' });
		const byGuardian = h('input', { type: 'radio', name: 'given_by', value: 'guardian', id: 'consent-by-guardian', checked: c.is_child });
		const byPerson = h('input', { type: 'radio', name: 'given_by', value: 'person', id: 'consent-by-person', checked: !c.is_child, disabled: c.is_child });
		return actionForm({
			id: 'case-consent-form', title: t('case.add_consent'), submit: t('case.record_consent'), path: `/cases/${c.id}/consents`,
			build: () => [
				h('p', { class: 'hint' }, t(c.is_child ? 'case.consent_hint_child' : 'case.consent_hint')),
				h('div', { class: 'form-grid' }, field(t('case.to_agency'), agency),
					h('fieldset', { class: 'question' }, h('legend', null, t('case.given_by')), h('div', { class: 'radio-row' },
						h('label', { class: 'radio', for: byPerson.id }, byPerson, ' ', t('case.the_person')),
						h('label', { class: 'radio', for: byGuardian.id }, byGuardian, ' ', t('case.the_guardian')))),
					field(t('case.guardian_name'), guardian)),
				h('fieldset', { class: 'question question-multi' }, h('legend', null, t('case.scopes')),
					h('div', { class: 'check-grid' }, checkboxes('consent-scopes', SCOPES, (x) => `${scopeLabel(x)} — ${t(`scope.${x}_hint`)}`)))],
			body: (f) => {
				const b = { to_agency: agency.value, scopes: checked(f, 'consent-scopes'), given_by: byGuardian.checked ? 'guardian' : 'person' };
				if (guardian.value.trim()) b.guardian_name = guardian.value.trim();
				return b;
			},
			done: () => load(t('case.consent_recorded')),
		});
	}

	function referralForm(c, mayOverride) {
		const agencies = providers.filter((p) => p.code !== c.agency.code && p.services.length);
		const agency = h('select', { name: 'to_agency', id: 'referral-agency' },
			options(agencies.map((p) => p.code), (x) => `${(providers.find((p) => p.code === x) || {}).name} (${x})`, t('common.choose')));
		const service = h('select', { name: 'service', id: 'referral-service' }, options([], serviceLabel, t('common.choose')));
		agency.addEventListener('change', () => {
			const p = providers.find((x) => x.code === agency.value);
			service.replaceChildren(...options(p ? p.services : [], serviceLabel, t('common.choose')));
		});
		const note = h('input', { type: 'text', name: 'note', id: 'referral-note', maxlength: '2000' });
		const overrideBox = h('div', { class: 'override', id: 'referral-override', hidden: true },
			h('p', { class: 'warning-text' }, t('case.override_hint')),
			field(t('case.override_reason'), h('input', { type: 'text', name: 'override_reason', id: 'referral-override-reason', maxlength: '2000' })),
			h('fieldset', { class: 'question question-multi' }, h('legend', null, t('case.override_scopes')),
				h('div', { class: 'check-grid' }, checkboxes('referral-scopes', SCOPES, scopeLabel))));
		const form = actionForm({
			id: 'case-referral-form', title: t('case.refer'), submit: t('case.refer_submit'), path: `/cases/${c.id}/referrals`,
			build: () => [h('div', { class: 'form-grid' }, field(t('case.to_agency'), agency), field(t('case.service'), service),
				field(t('case.note'), note)), overrideBox],
			body: (f) => {
				const b = { to_agency: agency.value, service: service.value };
				if (note.value.trim()) b.note = note.value.trim();
				if (!overrideBox.hidden) {
					b.override_reason = f.querySelector('#referral-override-reason').value.trim();
					b.scopes = checked(f, 'referral-scopes');
				}
				return b;
			},
			done: () => load(t('case.referred')),
		});
		// No consent covers it: say so, and let a supervisor override with a reason.
		form.onApiError = (er) => {
			if (er.status === 409 && er.field === 'consent' && mayOverride) overrideBox.hidden = false;
		};
		return form;
	}

	function serviceForm(c, full) {
		const mine = ctx.me.agency.code;
		const prov = providers.find((p) => p.code === mine);
		const provider = h('select', { name: 'provider', id: 'service-provider', disabled: !full },
			options(full ? providers.map((p) => p.code) : [mine], (x) => `${(providers.find((p) => p.code === x) || {}).name || x} (${x})`));
		provider.value = mine;
		const service = h('select', { name: 'service', id: 'service-service' },
			options(full || !prov ? SERVICES : prov.services, serviceLabel, t('common.choose')));
		const project = h('select', { name: 'project', id: 'service-project' },
			options(projects.map((p) => p.code), (x) => `${(projects.find((p) => p.code === x) || {}).name} — ${(projects.find((p) => p.code === x) || {}).donor}`, t('case.no_project')));
		const date = h('input', { type: 'text', name: 'delivered_on', id: 'service-date', class: 'input-date', placeholder: t('date.placeholder') });
		return actionForm({
			id: 'case-service-form', title: t('case.record_service'), submit: t('case.record_service'), path: `/cases/${c.id}/services`,
			build: () => [h('div', { class: 'form-grid' }, field(t('case.service'), service), field(t('case.delivered_on'), date),
				field(t('case.provider'), provider), field(t('case.project'), project))],
			body: () => {
				const d = parseDate(date.value);
				if (!d) throw localError('delivered_on', t('date.invalid', { text: date.value }));
				const b = { service: service.value, delivered_on: d, provider: provider.value };
				if (project.value) b.project = project.value;
				return b;
			},
			done: () => load(t('case.service_recorded')),
		});
	}

	if (!id) {
		box.replaceChildren(h('p', { class: 'message message-error' }, t('case.not_found')));
		return;
	}
	load();
}

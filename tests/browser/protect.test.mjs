// Browser test of protection (web/js/pages/screening.js, case.js, cases.js, referrals.js,
// casedash.js): issue 6's "Done when", in a real browser. A presumed victim found at a BCP is
// screened by a border officer, referred with consent to a shelter and handed to the
// identification team; the shelter accepts and assists; the team formally identifies and closes
// the case — three users of three agencies, each seeing only what they may. Also the
// supervisor's dashboard, the Montenegrin interface, and an analyst who sees no case.
//
//   MMIS=build/src/mmis node --test --test-reporter=tap tests/browser/protect.test.mjs
//
// Environment: MMIS (required); MMIS_CHROMIUM (default /usr/bin/chromium); MMIS_SCREENSHOTS
// (default $TMPDIR/mmis-browser-screenshots). A missing chromium fails the suite.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { harness, sourceRoot } from './lib.mjs';

const h = harness({ prefix: 'mmis-protect-browser-' });
const { mmis, secretFile, newPage, shot, signIn, problems } = h;

const ADMIN_PASSWORD = 'Admin-pass-for-protection-tests-7';
const USER_PASSWORD = 'Worker-pass-for-protection-tests-3';

let base;        // http://127.0.0.1:PORT once the server answers
let caseId;      // the walk-through's case
let mrzText;     // the presumed victim's passport

function today() {
	const d = new Date();
	return `${String(d.getUTCDate()).padStart(2, '0')}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${d.getUTCFullYear()}.`;
}

/** Answer a yes/no or choice question rendered from a form definition. */
async function answer(scope, field, value) {
	await scope.locator(`input[name="${field}"][value="${value}"]`).check();
}

before(async () => {
	h.setUp();
	mmis('init', '--admin-password-file', secretFile('admin.pw', ADMIN_PASSWORD));
	const pw = secretFile('user.pw', USER_PASSWORD);
	mmis('agency', 'add', 'BP', '--name', 'Border Police', '--kind', 'police');
	mmis('agency', 'add', 'NGO-SHELTER', '--name', 'Safe House NGO', '--kind', 'ngo');
	mmis('agency', 'add', 'POL-AT', '--name', 'Anti-trafficking unit', '--kind', 'police');
	mmis('agency', 'add', 'DM', '--name', 'Directorate for Migration', '--kind', 'government');
	mmis('user', 'add', 'officer', '--display-name', 'Marko Marković', '--role', 'border_officer', '--agency', 'BP', '--password-file', pw);
	mmis('user', 'add', 'shelter', '--display-name', 'Jelena Janković', '--role', 'case_worker', '--agency', 'NGO-SHELTER', '--password-file', pw);
	mmis('user', 'add', 'ident', '--display-name', 'Ivana Ivanović', '--role', 'identification_officer', '--agency', 'POL-AT', '--password-file', pw);
	mmis('user', 'add', 'teamlead', '--display-name', 'Tomislav Tomić', '--role', 'case_supervisor', '--agency', 'POL-AT', '--password-file', pw);
	mmis('user', 'add', 'analyst', '--display-name', 'Ana Analitić', '--role', 'analyst', '--agency', 'DM', '--password-file', pw);
	mrzText = h.makeMrz('MELNYK', 'OLENA', 'FA1234567', 'UKR', '1998-04-02', 'F', '2031-01-01');

	base = await h.start();

	// What the shelter offers and the project that funds it: the administrator's set-up.
	const admin = await h.session('admin', ADMIN_PASSWORD);
	let r = await h.api('PUT', '/agencies/NGO-SHELTER/services', { services: ['shelter', 'psychosocial', 'legal_aid'] }, admin);
	assert.equal(r.status, 200, JSON.stringify(r.json));
	r = await h.api('POST', '/projects', { code: 'CT-CRISIS-WB', name: 'Enhancing Counter Trafficking in Crisis in the Western Balkans',
		donor: 'US Department of State J/TIP' }, admin);
	assert.equal(r.status, 201, JSON.stringify(r.json));

	await h.launch();
});

after(() => h.tearDown());

test('the protection strings are in both catalogues', () => {
	const en = JSON.parse(fs.readFileSync(path.join(sourceRoot, 'web/i18n/en.json'), 'utf8'));
	const cnr = JSON.parse(fs.readFileSync(path.join(sourceRoot, 'web/i18n/cnr.json'), 'utf8'));
	assert.deepEqual(Object.keys(en).sort(), Object.keys(cnr).sort());
	for (const k of Object.keys(en).filter((x) => /^(case|cases|screen|referrals|dash|scope|service)\./.test(x)))
		assert.ok(cnr[k], `cnr ${k}`);
	assert.equal(cnr['case.type.presumed_victim_of_trafficking'], 'pretpostavljena žrtva trgovine ljudima');
});

test('1. border officer: a traveller at the BCP, screened, the case opened, consent, referral, handed to the team', async (t) => {
	const page = await newPage();
	await signIn(page, 'officer', USER_PASSWORD);
	// The crossing desk: her entry at Debeli Brijeg.
	await page.goto(base + '/#/border');
	await page.locator('#border-bcp option[value="MNE-DBR"]').waitFor({ state: 'attached' });
	await page.locator('#border-bcp').selectOption('MNE-DBR');
	await page.locator('#border-mrz').focus();
	await page.keyboard.type(mrzText);
	await page.locator('#border-verdict').waitFor();
	await page.locator('#border-entry').click();
	await page.locator('#border-result h2', { hasText: 'Entry recorded: MELNYK OLENA' }).waitFor();
	// Her companion holds her passport: the officer screens her.
	await page.locator('#border-screen').click();
	await page.locator('main h1', { hasText: 'Vulnerability screening' }).waitFor();
	const form = page.locator('#screening-form');
	await form.locator('input[name="documents_held"]').first().waitFor();
	assert.equal(await page.locator('#screen-bcp').inputValue(), 'MNE-DBR', 'the BCP comes from the crossing');
	assert.ok((await form.textContent()).includes('linked to the traveller'));
	// Submitting unanswered names the first required question.
	await page.locator('#screen-submit').click();
	await page.locator('.form-error', { hasText: 'Where is the person met?' }).waitFor();
	await answer(form, 'place', 'bcp');
	await form.locator('input[name="language"]').fill('Ukrainian');
	await answer(form, 'interpreter', 'true');
	for (const q of ['documents_held', 'debt', 'restricted_communication'])
		await answer(form, q, 'true');
	for (const q of ['not_free_to_leave', 'violence_or_threats', 'forced_begging_or_crime', 'sexual_exploitation',
		'deceived_about_work', 'excessive_hours', 'address_unknown', 'someone_speaks_for_them', 'fear_or_anxiety',
		'injuries', 'serious_health_need', 'disability', 'smuggled'])
		await answer(form, q, 'false');
	// A child's questions appear only for a child.
	assert.equal(await form.locator('[data-field="care"]').isHidden(), true);
	await answer(form, 'age_group', 'child');
	assert.equal(await form.locator('[data-field="care"]').isVisible(), true);
	await answer(form, 'age_group', 'adult');
	assert.equal(await form.locator('[data-field="care"]').isHidden(), true);
	await form.locator('textarea[name="observations"]').fill('The man with her answered every question; he keeps her passport and says she owes him for the trip.');
	t.diagnostic(`screenshot ${await shot(page, 'protect-1-screening-en')}`);
	await page.locator('#screen-submit').click();
	const result = page.locator('#screen-result');
	await result.locator('[data-outcome="refer_identification"]').waitFor();
	assert.match(await result.textContent(), /Refer to the anti-trafficking identification team/);
	assert.match(await result.textContent(), /2 strong, 3 in all/);
	assert.equal(await page.locator('#open-type-presumed_victim_of_trafficking').isChecked(), true, 'the suggested type is ticked');
	t.diagnostic(`screenshot ${await shot(page, 'protect-2-outcome-en')}`);
	// Open the case.
	await page.locator('#open-citizenship').fill('ukr');
	await page.locator('#open-languages').fill('Ukrainian, some Russian');
	await page.locator('#open-phone').fill('+382 67 000 111');
	await page.locator('#open-story').fill('Recruited in Kharkiv for work in a coastal hotel; the recruiter kept her passport.');
	await page.locator('#open-case-submit').click();
	await page.locator('main h1', { hasText: 'OLENA MELNYK' }).waitFor();
	caseId = new URL(page.url().replace('#/', '')).searchParams.get('id');
	assert.match(caseId, /^[0-9a-f-]{36}$/);
	const summary = await page.locator('#case-summary').textContent();
	assert.ok(summary.includes('presumed victim of trafficking') && summary.includes('identified'), summary);
	assert.match(summary, /Reflection period\s*until \d{2}\.\d{2}\.\d{4}\./, 'the 90-day reflection period is shown');
	assert.match(await page.locator('#case-story').textContent(), /possible victim/);

	// A referral without consent: refused, saying so.
	await page.locator('#referral-agency').selectOption('NGO-SHELTER');
	await page.locator('#referral-service').selectOption('shelter');
	await page.locator('#case-referral-form button[type=submit]').click();
	await page.locator('#case-referral-form .form-error', { hasText: 'no recorded consent covers' }).waitFor();
	assert.equal(await page.locator('#referral-override').isHidden(), true, 'an officer cannot override');
	// Her consent: the shelter may see who she is, how to reach her and her health; not her story.
	await page.locator('#consent-agency').selectOption('NGO-SHELTER');
	for (const s of ['identity', 'contact', 'health']) await page.locator(`#consent-scopes-${s}`).check();
	await page.locator('#case-consent-form button[type=submit]').click();
	await page.locator('#messages', { hasText: 'The consent is recorded.' }).waitFor();
	assert.match(await page.locator('#case-consents').textContent(), /Safe House NGO.*Identity, Contact, Health.*the person/);
	await page.locator('#referral-agency').selectOption('NGO-SHELTER');
	await page.locator('#referral-service').selectOption('shelter');
	await page.locator('#case-referral-form button[type=submit]').click();
	await page.locator('#messages', { hasText: 'The referral is sent.' }).waitFor();
	assert.match(await page.locator('#case-referrals').textContent(), /Safe House NGO.*shelter.*waiting.*the person's consent/);
	t.diagnostic(`screenshot ${await shot(page, 'protect-3-case-border-en')}`);
	// Handed to the identification team: then out of the officer's reach.
	await page.locator('.case-actions summary').click();
	await page.locator('#transfer-agency').selectOption('POL-AT');
	await page.locator('#transfer-reason').fill('Presumed victim: for formal identification by the team.');
	await page.locator('#case-transfer button[type=submit]').click();
	await page.locator('main h1', { hasText: 'Cases' }).waitFor();
	await page.locator('#messages', { hasText: 'no longer in your reach' }).waitFor();
	await page.goto(`${base}/#/case?id=${caseId}`);
	await page.locator('#case-error', { hasText: 'There is no such case' }).waitFor();
	t.diagnostic(`screenshot ${await shot(page, 'protect-4-border-no-reach-en')}`);
	await page.close();
});

test('2. shelter: the referral in the inbox, accepted; sees only what she consented to; records the shelter', async (t) => {
	assert.ok(caseId, 'the walk-through runs in order');
	const page = await newPage();
	await signIn(page, 'shelter', USER_PASSWORD);
	await page.locator('#site-nav').getByRole('link', { name: 'Referrals' }).click();
	await page.locator('main h1', { hasText: 'Referrals' }).waitFor();
	const row = page.locator('#referrals-list tbody tr', { hasText: 'OLENA' });
	await row.waitFor();
	assert.match(await row.textContent(), /presumed victim of trafficking.*Border Police \(BP\).*shelter.*waiting.*Identity, Contact, Health/);
	t.diagnostic(`screenshot ${await shot(page, 'protect-5-inbox-en')}`);
	await row.locator('a.case-link').click();
	await page.locator('main h1', { hasText: 'OLENA MELNYK' }).waitFor();
	// What the consent covers, and nothing else: no story, no indicators, no notes or timeline.
	assert.match(await page.locator('#case-referred-note').textContent(), /only what the person consented to share: Identity, Contact, Health/);
	assert.ok(await page.locator('#case-identity').isVisible());
	assert.match(await page.locator('#case-contact').textContent(), /\+382 67 000 111/);
	assert.equal(await page.locator('#case-story').count(), 0, 'the story is not shared');
	assert.equal(await page.locator('#case-timeline').count(), 0);
	assert.equal(await page.locator('#case-consents').count(), 0);
	const forms = await page.locator('#case-forms').textContent();
	assert.ok(!forms.includes('held by someone else') && !forms.includes('owe a debt'), 'no trafficking indicator is shown');
	assert.ok(forms.includes('Language spoken'), 'the identity answers are');
	assert.equal(await page.locator('#case-transition').count(), 0, 'the shelter does not run the case');
	// Accept from the case page; then record the night in the shelter, funded by the project.
	await page.locator('#case-referral-accept').click();
	await page.locator('#messages', { hasText: 'The referral is accepted.' }).waitFor();
	await page.locator('#service-service').selectOption('shelter');
	await page.locator('#service-date').fill(today());
	await page.locator('#service-project').selectOption('CT-CRISIS-WB');
	assert.equal(await page.locator('#service-provider').isDisabled(), true, 'a receiving agency records its own services');
	await page.locator('#case-service-form button[type=submit]').click();
	await page.locator('#messages', { hasText: 'The service is recorded.' }).waitFor();
	assert.match(await page.locator('#case-services').textContent(), /shelter.*Safe House NGO.*Enhancing Counter Trafficking in Crisis in the Western Balkans/);
	t.diagnostic(`screenshot ${await shot(page, 'protect-6-case-shelter-en')}`);
	await page.close();
});

test('3. identification team: takes the case, assesses, formally identifies, plans, closes', async (t) => {
	assert.ok(caseId, 'the walk-through runs in order');
	const page = await newPage();
	await signIn(page, 'ident', USER_PASSWORD);
	await page.locator('#site-nav').getByRole('link', { name: 'Cases', exact: true }).click();
	await page.locator('main h1', { hasText: 'Cases' }).waitFor();
	await page.locator('#cases-mine').uncheck(); // unassigned, the team's
	const row = page.locator('#cases-list tbody tr', { hasText: 'OLENA' });
	await row.waitFor();
	assert.match(await row.textContent(), /unassigned/);
	await row.locator('a.case-link').click();
	await page.locator('main h1', { hasText: 'OLENA MELNYK' }).waitFor();
	// The whole case: the story and the indicators, the timeline with the border's steps.
	assert.match(await page.locator('#case-story').textContent(), /Kharkiv/);
	assert.match(await page.locator('#case-forms').textContent(), /held by someone else/);
	assert.match(await page.locator('#case-timeline').textContent(), /Transferred.*Anti-trafficking unit/);
	await page.locator('#case-take').click();
	await page.locator('#messages', { hasText: 'The case is yours now.' }).waitFor();
	// identified -> assessment; the assessment; formal identification.
	await page.locator('#case-to').selectOption('assessment');
	await page.locator('#case-transition button[type=submit]').click();
	await page.locator('#messages', { hasText: 'The case is now in: assessment.' }).waitFor();
	// A step missing what it requires: named, nothing changes.
	await page.locator('#case-to').selectOption('case_plan');
	await page.locator('#case-transition button[type=submit]').click();
	await page.locator('#case-transition .form-error', { hasText: 'assessment must be completed first' }).waitFor();
	await page.locator('button[data-open-form="assessment"]').click();
	const af = page.locator('#case-form-assessment');
	await answer(af, 'risk_level', 'high');
	await af.locator('input[name="needs"][value="shelter"]').check();
	await af.locator('input[name="needs"][value="legal_aid"]').check();
	await answer(af, 'wish', 'stay');
	await af.locator('textarea[name="summary"]').fill('Safe in the shelter; wants legal advice before deciding to testify.');
	await af.locator('button[type=submit]').click();
	await page.locator('#messages', { hasText: 'Saved: Needs and risk assessment.' }).waitFor();
	await page.locator('.case-actions summary').waitFor();
	if (!(await page.locator('#case-identify').isVisible())) await page.locator('.case-actions summary').click();
	await page.locator('#identify-victim').check();
	await page.locator('#identify-note').fill('Decision of the Team for Formal Identification.');
	await page.locator('#case-identify button[type=submit]').click();
	await page.locator('#messages', { hasText: 'The formal identification is recorded.' }).waitFor();
	const summary = await page.locator('#case-summary').textContent();
	assert.ok(summary.includes('victim of trafficking') && !summary.includes('presumed'), summary);
	assert.match(await page.locator('#case-story').textContent(), /victim \(formally identified\)/);
	t.diagnostic(`screenshot ${await shot(page, 'protect-7-identified-en')}`);
	// Plan, services (the shelter's counts), implemented, closed with a reason.
	await page.locator('#case-to').selectOption('case_plan');
	await page.locator('#case-transition button[type=submit]').click();
	await page.locator('#messages', { hasText: 'case plan' }).waitFor();
	await page.locator('button[data-open-form="case_plan"]').click();
	const pf = page.locator('#case-form-case_plan');
	await pf.locator('textarea[name="objectives"]').fill('Safety, recovery, legal advice, a residence permit.');
	await pf.locator('input[name="services_planned"][value="shelter"]').check();
	await pf.locator('input[name="services_planned"][value="legal_aid"]').check();
	await pf.locator('input[name="review_on"]').fill(today());
	await pf.locator('button[type=submit]').click();
	await page.locator('#messages', { hasText: 'Saved: Case plan.' }).waitFor();
	for (const [to, text] of [['services', 'services.'], ['services_implemented', 'services implemented.']]) {
		await page.locator('#case-to').selectOption(to);
		await page.locator('#case-transition button[type=submit]').click();
		await page.locator('#messages', { hasText: `The case is now in: ${text}` }).waitFor();
	}
	await page.locator('#case-to').selectOption('closed');
	await page.locator('#case-transition button[type=submit]').click();
	await page.locator('#case-transition .form-error', { hasText: 'closing a case needs a closure reason' }).waitFor();
	await page.locator('#case-closure').selectOption('objectives_met');
	await page.locator('#case-transition button[type=submit]').click();
	await page.locator('#messages', { hasText: 'The case is now in: closed.' }).waitFor();
	const closed = await page.locator('#case-summary').textContent();
	assert.match(closed, /closed/);
	assert.match(closed, /the plan's objectives met/);
	const tl = await page.locator('#case-timeline').textContent();
	for (const s of ['Opened', 'Consent recorded', 'Referred', 'Transferred', 'Assigned', 'Formal identification', 'Service', 'Moved'])
		assert.ok(tl.includes(s), `the timeline holds ${s}`);
	t.diagnostic(`screenshot ${await shot(page, 'protect-8-closed-en')}`);
	await page.close();
});

test('4. the shelter marks its referral done; the case leaves its reach', async (t) => {
	const page = await newPage();
	await signIn(page, 'shelter', USER_PASSWORD);
	await page.goto(base + '/#/referrals');
	const row = page.locator('#referrals-list tbody tr', { hasText: 'OLENA' });
	await row.waitFor();
	assert.match(await row.textContent(), /accepted/);
	await row.locator('button[data-complete]').click();
	await page.locator('#messages', { hasText: 'The referral is done.' }).waitFor();
	await page.locator('#referrals-list tbody tr', { hasText: 'done' }).waitFor();
	await page.goto(`${base}/#/case?id=${caseId}`);
	await page.locator('#case-error', { hasText: 'There is no such case' }).waitFor();
	t.diagnostic(`screenshot ${await shot(page, 'protect-9-shelter-done-en')}`);
	await page.close();
});

test('5. the team lead\'s dashboard; in Montenegrin', async (t) => {
	const page = await newPage();
	await signIn(page, 'teamlead', USER_PASSWORD);
	await page.locator('#site-nav').getByRole('link', { name: 'Case supervision' }).click();
	await page.locator('main h1', { hasText: 'Case supervision' }).waitFor();
	await page.locator('#dash-totals').waitFor();
	assert.match(await page.locator('#dash-totals').textContent(), /0\s*open cases/, 'the walk-through case is closed');
	t.diagnostic(`screenshot ${await shot(page, 'protect-10-dashboard-en')}`);
	await page.locator('.lang-button[data-lang="cnr"]').click();
	await page.locator('main h1', { hasText: 'Nadzor slučajeva' }).waitFor();
	await page.goto(`${base}/#/case?id=${caseId}`);
	await page.locator('#case-summary', { hasText: 'žrtva trgovine ljudima' }).waitFor();
	assert.match(await page.locator('#case-summary').textContent(), /zatvoren/);
	// The timeline is written in Montenegrin from the events' data, not in the English detail.
	const timeline = await page.locator('#case-timeline').textContent();
	for (const s of ['za NGO-SHELTER, usluga: sklonište, uz saglasnost', 'sklonište, NGO-SHELTER: prihvaćeno', 'otvoren kao pretpostavljena žrtva trgovine ljudima'])
		assert.ok(timeline.includes(s), `the timeline says "${s}"`);
	assert.ok(!timeline.includes('with consent'), 'and no English glue words');
	t.diagnostic(`screenshot ${await shot(page, 'protect-11-case-cnr')}`);
	await page.close();
});

test('6. an analyst never sees a case, nor a name', async (t) => {
	const page = await newPage();
	await signIn(page, 'analyst', USER_PASSWORD);
	assert.equal(await page.locator('#site-nav').getByRole('link', { name: 'Cases' }).count(), 0);
	await page.goto(`${base}/#/case?id=${caseId}`);
	await page.locator('main h1', { hasText: 'Not allowed' }).waitFor();
	assert.ok(!(await page.locator('main').textContent()).includes('MELNYK'));
	t.diagnostic(`screenshot ${await shot(page, 'protect-12-analyst-en')}`);
	await page.close();
});

test('no page errors and no CSP violations', () => {
	assert.deepEqual(problems, []);
});

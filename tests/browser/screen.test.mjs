// Browser test of alert-list hits on the border page (web/js/pages/hits.js, border.js): a real
// `mmis serve` on a temporary SQLite database with two alert lists imported by the command line,
// driven by Playwright (playwright-core only) in Debian's headless chromium. A border officer
// records the entry of a traveller whose passport (Latin letters) matches a list entry written in
// Cyrillic: the hit is shown with the list's action ("refuse entry", unmissable) and its
// explanation; the officer dismisses it with a note, and the same document raises it no more.
// A lost document hits the second list; the Montenegrin interface says it in Montenegrin.
//
//   MMIS=build/src/mmis node --test --test-reporter=tap tests/browser/screen.test.mjs
//
// Environment: MMIS (required) the built mmis program; MMIS_CHROMIUM (default /usr/bin/chromium);
// MMIS_SCREENSHOTS where screenshots go (default $TMPDIR/mmis-browser-screenshots).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { harness, sourceRoot } from './lib.mjs';

const h = harness({ prefix: 'mmis-screen-browser-' });
const { mmis, secretFile, writeFile, makeMrz, newPage, shot, signIn, problems } = h;

const ADMIN_PASSWORD = 'Admin-pass-for-browser-tests-7';
const USER_PASSWORD = 'Officer-pass-for-browser-tests-3';

let base;        // http://127.0.0.1:PORT once the server answers
const mrz = {};

async function openDesk(page) {
	await page.goto(base + '/#/border');
	await page.locator('main h1', { hasText: /Border crossing|Granični prelaz/ }).waitFor();
	await page.locator('#border-bcp option[value="MNE-TGD"]').waitFor({ state: 'attached' });
	await page.locator('#border-bcp').selectOption('MNE-TGD');
}

async function readDocument(page, text) {
	const box = page.locator('#border-mrz');
	await box.focus();
	await page.keyboard.press('Control+A');
	await page.keyboard.press('Delete');
	await page.keyboard.type(text);
	await page.locator('#border-verdict.doc-ok').waitFor();
}

before(async () => {
	h.setUp();
	mmis('init', '--admin-password-file', secretFile('admin.pw', ADMIN_PASSWORD));
	const pw = secretFile('user.pw', USER_PASSWORD);
	mmis('agency', 'add', 'BP', '--name', 'Border Police', '--kind', 'police');
	mmis('user', 'add', 'officer', '--display-name', 'Marko Marković', '--role', 'border_officer', '--agency', 'BP', '--password-file', pw);
	mmis('user', 'add', 'chief', '--display-name', 'Ana Vuković', '--role', 'border_supervisor', '--agency', 'BP', '--password-file', pw);

	// The national list: the first entry is written in Cyrillic, with an Arabic-script alias.
	mmis('watchlist', 'import', writeFile('alerts.csv',
		'id,name,aliases,birth_date,nationality,document_number\n' +
		'NA-0001,Мухамед Абдулах,محمد عبد الله,1984-06-15,JOR,\n' +
		'NA-0002,Radomir Vukašinović,,1969-02-11,SRB,\n'),
	'--list', 'national-alerts', '--category', 'entry_ban', '--action', 'refuse_entry', '--source', 'Ministry of Interior (test)');
	mmis('watchlist', 'import', writeFile('lost.csv', 'id,document_number\nLS-1,ZX0000009\n'),
		'--list', 'lost-documents', '--category', 'lost_stolen_documents');

	mrz.listed = makeMrz('ABDULLAH', 'MOHAMMED', 'DM4417205', 'JOR', '1984-06-15', 'M');
	mrz.clean = makeMrz('HORVAT', 'IVANA', 'HR7766554', 'HRV', '1992-09-09', 'F');
	mrz.lost = makeMrz('NOVAK', 'PETRA', 'ZX0000009', 'SVN', '1990-01-20', 'F');

	base = await h.start(60_000);

	await h.launch();
});

after(() => h.tearDown());

test('the hit texts are in both catalogues', () => {
	const en = JSON.parse(fs.readFileSync(path.join(sourceRoot, 'web/i18n/en.json'), 'utf8'));
	const cnr = JSON.parse(fs.readFileSync(path.join(sourceRoot, 'web/i18n/cnr.json'), 'utf8'));
	const keys = Object.keys(en).filter((k) => k.startsWith('hits.'));
	assert.ok(keys.length > 40);
	for (const k of keys) assert.ok(cnr[k], `cnr has ${k}`);
	for (const a of ['refuse_entry', 'detain', 'notify', 'check_further']) {
		assert.ok(en[`hits.action.${a}`] && cnr[`hits.action.${a}`] !== en[`hits.action.${a}`], `action ${a} translated`);
	}
});

test('border officer: an entry of a listed traveller shows the explained hit; dismissed, it is not raised again', async (t) => {
	const page = await newPage();
	await signIn(page, 'officer', USER_PASSWORD);
	await openDesk(page);
	await readDocument(page, mrz.listed);
	// Checked as soon as the document is read, before anything is recorded.
	const pre = page.locator('#border-precheck.precheck-hit');
	await pre.waitFor();
	assert.match(await pre.textContent(), /Possible alert-list hit.*REFUSE ENTRY.*Мухамед Абдулах — list national-alerts/);
	await page.locator('#messages', { hasText: 'Alert-list hit: REFUSE ENTRY' }).waitFor();
	t.diagnostic(`screenshot ${await shot(page, 'screen-precheck-en')}`);
	// It offers the refusal on ground H; the officer looks, then goes back (Escape) to record.
	await page.locator('#border-precheck-refuse').click();
	assert.equal(await page.locator('#border-refusal').isVisible(), true);
	assert.equal(await page.locator('#border-ground-H').isChecked(), true);
	assert.equal(await page.evaluate(() => document.activeElement.id), 'border-ground-H');
	await page.keyboard.press('Escape');
	assert.equal(await page.locator('#border-refusal').isHidden(), true);
	await page.keyboard.press('Alt+E');
	const result = page.locator('#border-result');
	await result.locator('h2', { hasText: 'Entry recorded: ABDULLAH MOHAMMED' }).waitFor();

	// The hit: first thing in the result, focused, announced, red, saying REFUSE ENTRY.
	const hits = page.locator('#border-hits');
	await hits.waitFor();
	assert.equal(await page.evaluate(() => document.activeElement.id), 'border-hits-title', 'focus on the hit');
	await page.locator('#messages', { hasText: 'Alert-list hit: REFUSE ENTRY' }).waitFor();
	const hit = hits.locator('article.hit').first();
	assert.equal(await hits.locator('article.hit').count(), 1, 'one hit');
	const action = hit.locator('.hit-action');
	assert.match(await action.textContent(), /REFUSE ENTRY/);
	assert.equal(await action.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(164, 22, 26)', 'refuse entry is red');
	const big = await action.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
	assert.ok(big >= 24, `refuse entry is big (${big}px)`);
	const text = await hit.textContent();
	for (const s of ['Мухамед Абдулах', 'national-alerts', 'Entry ban', 'NA-0001', '15.06.1984.', 'JOR', 'What matched', 'What counted against'])
		assert.ok(text.includes(s), `the hit shows ${s}`);
	assert.ok(await hit.locator('.reasons .reason-for').count() >= 1, 'reasons for the match');
	assert.match(await hit.locator('.reasons .reason-for').first().textContent(), /Name|Date of birth/);
	t.diagnostic(`screenshot ${await shot(page, 'screen-hit-en')}`);

	// Dismissing needs a note.
	await hit.locator('button.hit-dismiss').click();
	await hit.locator('.form-error', { hasText: 'Write in the note why' }).waitFor();
	assert.equal(await hit.locator('textarea').getAttribute('aria-invalid'), 'true');
	await hit.locator('textarea').fill('Date of birth and father\'s name differ from the alert (checked with the Ministry by phone).');
	await hit.locator('button.hit-dismiss').click();
	await hit.locator('.hit-decided-dismissed').waitFor();
	assert.match(await hit.locator('.hit-decided').textContent(), /Dismissed by officer/);
	assert.equal(await hit.getAttribute('data-status'), 'dismissed');
	await page.locator('#messages', { hasText: 'Hit dismissed' }).waitFor();
	t.diagnostic(`screenshot ${await shot(page, 'screen-hit-dismissed-en')}`);

	// The same document again (his exit): the dismissed pair is not raised again.
	await page.keyboard.press('Escape');
	await readDocument(page, mrz.listed);
	await page.keyboard.press('Alt+X');
	await result.locator('h2', { hasText: 'Exit recorded: ABDULLAH MOHAMMED' }).waitFor();
	assert.equal(await page.locator('#border-hits').count(), 0, 'no hit after the dismissal');
	assert.equal(await page.evaluate(() => document.activeElement.id), 'border-next');
	await page.close();
});

test('border officer: a traveller on no list shows no hit; a lost document is a hit in Montenegrin', async (t) => {
	const page = await newPage();
	await signIn(page, 'officer', USER_PASSWORD);
	await openDesk(page);
	await readDocument(page, mrz.clean);
	await page.locator('#border-precheck.precheck-clear', { hasText: 'Not on the alert lists.' }).waitFor();
	await page.keyboard.press('Alt+E');
	await page.locator('#border-result h2', { hasText: 'Entry recorded: HORVAT IVANA' }).waitFor();
	assert.equal(await page.locator('#border-hits').count(), 0);
	assert.equal(await page.locator('#border-result').getAttribute('class'), 'result result-entry');
	await page.keyboard.press('Escape');

	await page.locator('.lang-button[data-lang="cnr"]').click();
	await page.locator('main h1', { hasText: 'Granični prelaz' }).waitFor();
	await page.locator('#border-bcp option[value="MNE-TGD"]').waitFor({ state: 'attached' });
	await page.locator('#border-bcp').selectOption('MNE-TGD');
	await readDocument(page, mrz.lost);
	await page.keyboard.press('Alt+E');
	const hit = page.locator('#border-hits article.hit');
	await hit.waitFor();
	assert.match(await hit.locator('.hit-action').textContent(), /DODATNO PROVJERITI/);
	const text = await hit.textContent();
	for (const s of ['lost-documents', 'Izgubljene ili ukradene isprave', 'ZX0000009', 'Broj isprave'])
		assert.ok(text.includes(s), `the hit shows ${s}`);
	t.diagnostic(`screenshot ${await shot(page, 'screen-hit-lost-document-cnr')}`);
	// Confirming needs no note.
	await hit.locator('button.hit-confirm').click();
	await hit.locator('.hit-decided-confirmed').waitFor();
	assert.match(await hit.locator('.hit-decided').textContent(), /Potvrdio\/la officer/);
	await page.close();
});

test('border supervisor: the hits of an imported file wait on the supervision page, with the traveller', async (t) => {
	// An offline BCP's file, imported for the Border Police: the listed traveller on another passport.
	const out = mmis('cross', 'import', writeFile('offline.csv',
		'time,bcp,direction,document_type,issuing_state,document_number,surname,given_names,sex,birth_date,nationality\n' +
		'2026-01-05T10:00:00Z,MNE-SUK,entry,P,JOR,DM5550001,ABDULLAH,MOHAMMED,M,1984-06-15,JOR\n' +
		'2026-01-05T11:00:00Z,MNE-SUK,entry,P,HRV,HR5550002,HORVAT,IVANA,F,1992-09-09,HRV\n'), '--agency', 'BP');
	assert.match(out, /1 alert-list hit among the 2 documents screened/);
	const page = await newPage();
	await signIn(page, 'chief', USER_PASSWORD);
	await page.goto(base + '/#/border/supervisor');
	const waiting = page.locator('#sup-hits .pending-hit', { hasText: 'DM5550001' });
	await waiting.waitFor();
	const text = await waiting.textContent();
	for (const s of ['ABDULLAH MOHAMMED', '(JOR)', 'DM5550001', 'entered at MNE-SUK', '05.01.2026', 'REFUSE ENTRY', 'national-alerts'])
		assert.ok(text.includes(s), `the waiting hit shows ${s}`);
	t.diagnostic(`screenshot ${await shot(page, 'screen-supervisor-pending-hits')}`);
	// Dismissed with a note, it waits no more.
	await waiting.locator('textarea').fill('Checked with the Jordanian embassy: another person');
	await waiting.locator('button.hit-dismiss').click();
	await waiting.locator('.hit-decided-dismissed').waitFor();
	await page.reload();
	await page.locator('#sup-hits h2').waitFor();
	await page.locator('#sup-hits-box .loading').waitFor({ state: 'detached' });
	assert.equal(await page.locator('#sup-hits .pending-hit', { hasText: 'DM5550001' }).count(), 0);
	await page.close();
});

test('no page errors and no CSP violations', () => {
	assert.deepEqual(problems, []);
});

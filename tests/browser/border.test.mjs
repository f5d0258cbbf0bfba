// Browser test of the border pages (web/js/pages/border.js, supervisor.js): a real `mmis serve`
// on a temporary SQLite database, driven by Playwright (playwright-core only) in Debian's
// headless chromium. A border officer reads documents and records an entry (keyboard only), an
// exit and a refusal; a border supervisor sees the overstayers and the day's summary.
//
//   MMIS=build/src/mmis node --test --test-reporter=tap tests/browser/border.test.mjs
//
// Environment: MMIS (required) the built mmis program; MMIS_CHROMIUM (default /usr/bin/chromium);
// MMIS_SCREENSHOTS where screenshots go (default $TMPDIR/mmis-browser-screenshots). A missing
// chromium fails the suite: it is never skipped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { harness, isoDay, sourceRoot } from './lib.mjs';

const h = harness({ prefix: 'mmis-border-browser-' });
const { mmis, secretFile, makeMrz, newPage, shot, signIn, problems } = h;

const ADMIN_PASSWORD = 'Admin-pass-for-browser-tests-7';
const USER_PASSWORD = 'Officer-pass-for-browser-tests-3';

let base;        // http://127.0.0.1:PORT once the server answers
const mrz = {};   // the documents the officer reads: name → MRZ text (lines joined by "\n")
let recordDay;    // the day (UTC, as the server counts) the officer's crossings are recorded

/** The ICAO check digit of `s` (weights 7, 3, 1). */
function checkDigit(s) {
	const v = (c) => (c === '<' ? 0 : /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 55);
	let sum = 0;
	for (let i = 0; i < s.length; i++) sum += v(s[i]) * [7, 3, 1][i % 3];
	return sum % 10;
}

/** Clear the MRZ box (focused) and type `text` as a document reader does: line, Enter, line. */
async function readDocument(page, text) {
	const box = page.locator('#border-mrz');
	await box.focus();
	await page.keyboard.press('Control+A');
	await page.keyboard.press('Delete');
	await page.keyboard.type(text);
}

before(async () => {
	h.setUp();
	mmis('init', '--admin-password-file', secretFile('admin.pw', ADMIN_PASSWORD));
	const pw = secretFile('user.pw', USER_PASSWORD);
	mmis('agency', 'add', 'BP', '--name', 'Border Police', '--kind', 'police');
	mmis('user', 'add', 'officer', '--display-name', 'Marko Marković', '--role', 'border_officer', '--agency', 'BP', '--password-file', pw);
	mmis('user', 'add', 'chief', '--display-name', 'Ana Vuković', '--role', 'border_supervisor', '--agency', 'BP', '--password-file', pw);

	mrz.petrovic = makeMrz('PETROVIC', 'MARKO', 'AB1234567', 'SRB', '1985-03-14', 'M');
	mrz.jovanovic = makeMrz('JOVANOVIC', 'ANA', 'CD7654321', 'SRB', '1990-01-01', 'F');
	mrz.hoxha = makeMrz('HOXHA', 'ARBEN', 'X98765432', 'ALB', '1979-11-02', 'M');
	mrz.smith = makeMrz('SMITH', 'JOHN', 'GB1122334', 'GBR', '1970-06-30', 'M');
	mrz.overstayer = makeMrz('IVANOV', 'PETR', 'RU5554443', 'RUS', '1980-02-02', 'M');

	base = await h.start();

	// An overstayer: entered 100 days ago and never left (recorded through the API by the officer).
	const officer = await h.session('officer', USER_PASSWORD);
	const old = await h.api('POST', '/crossings', { mrz: mrz.overstayer, bcp: 'MNE-TGD', direction: 'entry',
		time: new Date(Date.now() - 100 * 86400_000).toISOString() }, officer);
	assert.equal(old.status, 201, `the old entry is recorded: ${old.text}`);

	await h.launch();
});

after(() => h.tearDown());

test('the grounds of refusal A to I are in both catalogues', () => {
	const en = JSON.parse(fs.readFileSync(path.join(sourceRoot, 'web/i18n/en.json'), 'utf8'));
	const cnr = JSON.parse(fs.readFileSync(path.join(sourceRoot, 'web/i18n/cnr.json'), 'utf8'));
	for (const g of 'ABCDEFGHI') {
		assert.ok(en[`border.ground.${g}`], `en ground ${g}`);
		assert.ok(cnr[`border.ground.${g}`] && cnr[`border.ground.${g}`] !== en[`border.ground.${g}`], `cnr ground ${g}`);
	}
	assert.equal(cnr['border.title'], 'Granični prelaz');
	assert.equal(cnr['border.entry'], 'Ulaz');
	assert.equal(cnr['border.exit'], 'Izlaz');
});

test('border officer: read a document, record an entry with the keyboard alone', async (t) => {
	const page = await newPage();
	await signIn(page, 'officer', USER_PASSWORD);
	const nav = page.locator('#site-nav');
	assert.equal(await nav.getByRole('link', { name: 'Border supervision' }).count(), 0, 'no supervision for an officer');
	await nav.getByRole('link', { name: 'Border', exact: true }).click();
	await page.locator('main h1', { hasText: 'Border crossing' }).waitFor();
	await page.locator('#border-bcp option[value="MNE-DBR"]').waitFor({ state: 'attached' });
	// Focus starts in the MRZ box; the shortcuts are documented on the page.
	await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'border-mrz');
	const keys = await page.locator('details.keys').textContent();
	for (const k of ['Alt+E', 'Alt+X', 'Alt+R', 'Esc']) assert.ok(keys.includes(k), `shortcut ${k} documented`);

	recordDay = isoDay(0);
	// The reader types the two lines; the MRZ is read as soon as it is complete.
	await page.keyboard.type(mrz.petrovic);
	const verdict = page.locator('#border-verdict');
	await verdict.waitFor();
	assert.match(await verdict.textContent(), /All check digits are correct/);
	assert.equal(await page.locator('#border-checks li.check-ok').count(), 5, 'five check digits, all correct');
	assert.equal(await page.locator('#border-checks li.check-bad').count(), 0);
	const docText = await page.locator('#border-document').textContent();
	for (const s of ['PETROVIC', 'MARKO', 'AB1234567', '14.03.1985.', 'Passport']) assert.ok(docText.includes(s), `document shows ${s}`);

	// Keyboard only: Tab to the BCP select, choose by typing, Alt+E records the entry.
	await page.keyboard.press('Tab');
	assert.equal(await page.evaluate(() => document.activeElement.id), 'border-bcp');
	await page.keyboard.type('Debeli');
	assert.equal(await page.locator('#border-bcp').inputValue(), 'MNE-DBR');
	await page.keyboard.press('Tab');
	await page.keyboard.type('Car');
	await page.keyboard.press('Tab');
	await page.keyboard.type('Tou');
	t.diagnostic(`screenshot ${await shot(page, 'border-read-en')}`);
	await page.keyboard.press('Alt+E');
	const result = page.locator('#border-result');
	await result.locator('h2', { hasText: 'Entry recorded: PETROVIC MARKO' }).waitFor();
	const stay = await page.locator('#border-stay .stay-big').textContent();
	assert.match(stay, /^Days used 1 \/ 90 — 89 days left — may stay until \d{2}\.\d{2}\.\d{4}\.$/);
	await page.locator('#messages', { hasText: 'Entry recorded' }).waitFor();
	assert.equal(await page.locator('#messages').getAttribute('aria-live'), 'polite');
	assert.equal(await page.evaluate(() => document.activeElement.id), 'border-next', 'focus on Next traveller');
	const history = page.locator('#border-history table tbody tr');
	await history.first().waitFor();
	assert.equal(await history.count(), 1);
	assert.match(await history.first().textContent(), /Entry.*Debeli Brijeg.*Car.*Tourism/);
	t.diagnostic(`screenshot ${await shot(page, 'border-entry-en')}`);

	// Escape: the next traveller; the page is cleared and focus is back in the MRZ box.
	await page.keyboard.press('Escape');
	assert.equal(await result.isHidden(), true);
	assert.equal(await page.locator('#border-mrz').inputValue(), '');
	assert.equal(await page.evaluate(() => document.activeElement.id), 'border-mrz');

	// The BCP is remembered for the shift, across a reload.
	await page.reload();
	await page.locator('main h1', { hasText: 'Border crossing' }).waitFor();
	await page.waitForFunction(() => document.getElementById('border-bcp').value === 'MNE-DBR');
	await page.close();
});

test('border officer: a wrong check digit is marked and cannot be recorded', async (t) => {
	const page = await newPage();
	await signIn(page, 'officer', USER_PASSWORD);
	await page.goto(base + '/#/border');
	await page.locator('main h1', { hasText: 'Border crossing' }).waitFor();
	await page.locator('#border-bcp option[value="MNE-DBR"]').waitFor({ state: 'attached' });
	await page.locator('#border-bcp').selectOption('MNE-DBR');
	// The document number's check digit (line 2, position 10) changed.
	const [l1, l2] = mrz.jovanovic.split('\n');
	const wrong = String((Number(l2[9]) + 1) % 10);
	assert.notEqual(Number(wrong), checkDigit(l2.slice(0, 9)));
	await readDocument(page, `${l1}\n${l2.slice(0, 9)}${wrong}${l2.slice(10)}`);
	const verdict = page.locator('#border-verdict.doc-bad');
	await verdict.waitFor();
	assert.match(await verdict.textContent(), /Wrong check digit: Document number/);
	const bad = page.locator('#border-checks li.check-bad');
	assert.ok(await bad.count() >= 1);
	assert.match(await page.locator('#border-checks li[data-check="document_number"]').getAttribute('class'), /check-bad/);
	assert.match(await page.locator('#border-checks li[data-check="document_number"]').textContent(), /Document number.*wrong/);
	assert.match(await page.locator('#border-checks li[data-check="birth_date"]').getAttribute('class'), /check-ok/);
	const color = await page.locator('#border-checks li[data-check="document_number"]').evaluate((el) => getComputedStyle(el).color);
	assert.equal(color, 'rgb(164, 22, 26)', 'a wrong check digit is red');
	assert.equal(await page.locator('#border-mrz').getAttribute('aria-invalid'), 'true');
	t.diagnostic(`screenshot ${await shot(page, 'border-bad-check-en')}`);
	// Alt+E does not record it: the officer is told to read it again, focus back in the MRZ box.
	await page.keyboard.press('Alt+E');
	await page.locator('#border-error', { hasText: 'wrong check digit' }).waitFor();
	assert.equal(await page.locator('#border-result').isHidden(), true);
	assert.equal(await page.evaluate(() => document.activeElement.id), 'border-mrz');
	await page.close();
});

test('border officer: exits (Enter on the button), a flagged exit, a refusal with grounds A and C', async (t) => {
	const page = await newPage();
	await signIn(page, 'officer', USER_PASSWORD);
	await page.goto(base + '/#/border');
	await page.locator('main h1', { hasText: 'Border crossing' }).waitFor();
	await page.locator('#border-bcp option[value="MNE-DBR"]').waitFor({ state: 'attached' });
	await page.locator('#border-bcp').selectOption('MNE-DBR');

	// Petrović leaves: Tab to the Exit button, Enter.
	await readDocument(page, mrz.petrovic);
	await page.locator('#border-verdict.doc-ok').waitFor();
	for (let i = 0; i < 5; i++) await page.keyboard.press('Tab');
	assert.equal(await page.evaluate(() => document.activeElement.id), 'border-exit');
	await page.keyboard.press('Enter');
	await page.locator('#border-result h2', { hasText: 'Exit recorded: PETROVIC MARKO' }).waitFor();
	assert.match(await page.locator('#border-stay .stay-big').textContent(), /^Days used 1 \/ 90 — 89 days left\.$/);
	const rows = page.locator('#border-history table tbody tr');
	await rows.nth(1).waitFor();
	assert.equal(await rows.count(), 2, 'the entry and the exit');
	assert.match(await rows.first().textContent(), /Exit/);
	assert.match(await rows.nth(1).textContent(), /Entry/);
	t.diagnostic(`screenshot ${await shot(page, 'border-exit-en')}`);
	await page.getByRole('button', { name: /Next traveller/ }).click();
	assert.equal(await page.evaluate(() => document.activeElement.id), 'border-mrz');

	// Smith leaves without a recorded entry: recorded, and flagged where the officer sees it.
	await readDocument(page, mrz.smith);
	await page.locator('#border-verdict.doc-ok').waitFor();
	await page.keyboard.press('Alt+X');
	await page.locator('#border-result h2', { hasText: 'Exit recorded: SMITH JOHN' }).waitFor();
	assert.match(await page.locator('#border-flags').textContent(), /Exit without a recorded entry/);
	await page.locator('#border-history table tbody tr td .badge-bad', { hasText: 'Exit without a recorded entry' }).waitFor();
	t.diagnostic(`screenshot ${await shot(page, 'border-exit-flag-en')}`);
	await page.keyboard.press('Escape');

	// Hoxha is refused entry on grounds A and C.
	await readDocument(page, mrz.hoxha);
	await page.locator('#border-verdict.doc-ok').waitFor();
	await page.keyboard.press('Alt+R');
	await page.locator('#border-refusal').waitFor();
	assert.equal(await page.evaluate(() => document.activeElement.id), 'border-ground-A');
	const refusal = page.locator('#border-refusal');
	for (const g of 'ABCDEFGHI') assert.equal(await refusal.locator(`#border-ground-${g}`).count(), 1, `ground ${g}`);
	assert.match(await refusal.textContent(), /has no valid visa or residence permit/);
	// Record without a ground: refused by the page.
	await refusal.getByRole('button', { name: 'Record the refusal of entry' }).click();
	await page.locator('#border-error', { hasText: 'at least one ground' }).waitFor();
	await page.keyboard.press('Space');
	await refusal.getByLabel(/C has no valid visa/).check();
	await refusal.getByLabel('Note').fill('No visa; passport damaged.');
	t.diagnostic(`screenshot ${await shot(page, 'border-refusal-form-en')}`);
	await refusal.getByRole('button', { name: 'Record the refusal of entry' }).click();
	await page.locator('#border-result h2', { hasText: 'Entry refused: HOXHA ARBEN' }).waitFor();
	const grounds = await page.locator('#border-result .result-grounds li').allTextContents();
	assert.deepEqual(grounds.map((g) => g.trim()[0]), ['A', 'C']);
	await page.locator('#border-history table', { hasText: 'No visa; passport damaged.' }).waitFor();
	t.diagnostic(`screenshot ${await shot(page, 'border-refusal-en')}`);
	await page.keyboard.press('Escape');

	// Montenegrin.
	await page.getByRole('button', { name: 'Crnogorski' }).click();
	await page.locator('main h1', { hasText: 'Granični prelaz' }).waitFor();
	await page.getByRole('button', { name: /^Ulaz/ }).waitFor();
	await page.getByRole('button', { name: /^Izlaz/ }).waitFor();
	await page.getByRole('button', { name: /^Odbijanje ulaska/ }).waitFor();
	await readDocument(page, mrz.jovanovic);
	await page.locator('#border-verdict', { hasText: 'Sve kontrolne cifre su ispravne' }).waitFor();
	await page.keyboard.press('Alt+E');
	await page.locator('#border-stay', { hasText: 'Iskorišćeno dana 1 / 90 — preostalo dana: 89' }).waitFor();
	t.diagnostic(`screenshot ${await shot(page, 'border-entry-cnr')}`);
	await page.getByRole('button', { name: 'English' }).click();
	await page.close();
});

test('border supervisor: overstayers, refusals by ground and crossings by BCP', async (t) => {
	const page = await newPage();
	await signIn(page, 'chief', USER_PASSWORD);
	const nav = page.locator('#site-nav');
	await nav.getByRole('link', { name: 'Border supervision' }).click();
	await page.locator('main h1', { hasText: 'Border supervision' }).waitFor();

	// (Should midnight have passed since the officer's crossings, look at their day.)
	if (recordDay && recordDay !== isoDay(0)) {
		await page.goto(`${base}/#/border/supervisor?date=${recordDay}`);
		await page.locator('.summary-date', { hasText: recordDay.split('-').reverse().join('.') }).waitFor();
	}
	// Overstayers: Ivanov, 100 days ago at Podgorica Airport.
	const over = page.locator('main section', { has: page.locator('#sup-over-title') });
	const row = over.locator('table tbody tr', { hasText: 'IVANOV PETR' });
	await row.waitFor();
	const cells = await row.locator('th, td').allTextContents();
	assert.equal(cells[1], 'RUS');
	assert.equal(cells[4], 'MNE-TGD');
	assert.equal(Number(cells[5]), 101);
	assert.equal(Number(cells[6]), 11);
	const csvLink = page.getByRole('link', { name: 'Download CSV' });
	assert.equal(await csvLink.getAttribute('href'), '/api/v1/overstayers?format=csv');
	const csv = await page.evaluate(async () => {
		const r = await fetch('/api/v1/overstayers?format=csv', { credentials: 'same-origin' });
		return { type: r.headers.get('content-type'), text: await r.text() };
	});
	assert.match(csv.type, /^text\/csv/);
	assert.match(csv.text, /^person_id,surname,/);
	assert.match(csv.text, /IVANOV/);

	// Today: 2 entries (Petrović, Jovanović), 2 exits (Petrović, Smith), 1 refusal (A and C).
	const totals = page.locator('#sup-totals');
	await totals.waitFor();
	assert.deepEqual((await totals.locator('.total-n').allTextContents()).map(Number), [2, 2, 1]);
	const bcpRow = page.locator('#sup-by-bcp table tbody tr', { hasText: 'MNE-DBR' });
	assert.deepEqual((await bcpRow.locator('td.col-num').allTextContents()).map(Number), [2, 2]);
	assert.equal(await bcpRow.locator('.bar.bar-w-100').count(), 2);
	const grounds = page.locator('#sup-by-ground table tbody tr');
	assert.equal(await grounds.count(), 9);
	const counts = {};
	for (const r of await grounds.all()) counts[(await r.locator('th').textContent()).trim()] = Number(await r.locator('td.col-num').textContent());
	assert.deepEqual(counts, { A: 1, B: 0, C: 1, D: 0, E: 0, F: 0, G: 0, H: 0, I: 0 });
	assert.match(await page.locator('#sup-date').inputValue(), /^\d{2}\.\d{2}\.\d{4}\.$/);
	t.diagnostic(`screenshot ${await shot(page, 'border-supervisor-en')}`);

	// Another day: nothing.
	const [y, m, d] = isoDay(-1).split('-');
	await page.locator('#sup-date').fill(`${d}.${m}.${y}.`);
	await page.getByRole('button', { name: 'Show' }).click();
	await page.locator('.summary-date', { hasText: `${d}.${m}.${y}.` }).waitFor();
	assert.deepEqual((await totals.locator('.total-n').allTextContents()).map(Number), [0, 0, 0]);
	// A date that is not one is named.
	await page.locator('#sup-date').fill('31.02.2026.');
	await page.getByRole('button', { name: 'Show' }).click();
	await page.locator('main .form-error', { hasText: 'is not a date' }).waitFor();

	// The day chosen is kept in the address, across a change of language.
	await page.getByRole('button', { name: 'Crnogorski' }).click();
	await page.locator('main h1', { hasText: 'Nadzor granice' }).waitFor();
	await page.locator('.summary-date', { hasText: `${d}.${m}.${y}.` }).waitFor();
	assert.equal(await page.locator('#sup-date').inputValue(), `${d}.${m}.${y}.`);
	await page.locator('#sup-by-ground', { hasText: 'nema važeću vizu ili dozvolu boravka' }).waitFor();
	t.diagnostic(`screenshot ${await shot(page, 'border-supervisor-cnr')}`);
	await page.getByRole('button', { name: 'English' }).click();

	// An officer may not open it.
	const officer = await newPage();
	await signIn(officer, 'officer', USER_PASSWORD);
	await officer.goto(base + '/#/border/supervisor');
	await officer.locator('main h1', { hasText: 'Not allowed' }).waitFor();
	await officer.close();
	await page.close();
});

test('no page broke the CSP or threw', () => {
	assert.deepEqual(problems, []);
});

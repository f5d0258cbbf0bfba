// Browser test of the duplicate review page (web/js/pages/duplicates.js): a real `mmis serve` on a
// temporary SQLite database, driven by Playwright (playwright-core only) in Debian's headless
// chromium. A traveller recorded twice (once typed in Cyrillic, once read from a passport's MRZ),
// each record under 90 days; `mmis dedup` proposes the pair; a border supervisor reviews it side
// by side with the explanation and the overstay the two make together, merges them, sees the merge
// in the history, and undoes it (a note required). An officer does not get the page.
//
//   MMIS=build/src/mmis node --test --test-reporter=tap tests/browser/dedup.test.mjs
//
// Environment: MMIS (required) the built mmis program; MMIS_CHROMIUM (default /usr/bin/chromium);
// MMIS_SCREENSHOTS where screenshots go (default $TMPDIR/mmis-browser-screenshots). A missing
// chromium fails the suite: it is never skipped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { harness, daysAgo, sourceRoot } from './lib.mjs';

const h = harness({ prefix: 'mmis-dedup-browser-' });
const { mmis, secretFile, newPage, shot, signIn, problems } = h;

const ADMIN_PASSWORD = 'Admin-pass-for-browser-tests-7';
const USER_PASSWORD = 'Officer-pass-for-browser-tests-3';

let base;        // http://127.0.0.1:PORT once the server answers

before(async () => {
	h.setUp();
	mmis('init', '--admin-password-file', secretFile('admin.pw', ADMIN_PASSWORD));
	const pw = secretFile('user.pw', USER_PASSWORD);
	mmis('agency', 'add', 'BP', '--name', 'Border Police', '--kind', 'police');
	mmis('user', 'add', 'officer', '--display-name', 'Marko Marković', '--role', 'border_officer', '--agency', 'BP', '--password-file', pw);
	mmis('user', 'add', 'chief', '--display-name', 'Ana Vuković', '--role', 'border_supervisor', '--agency', 'BP', '--password-file', pw);

	base = await h.start();

	// The officer records one traveller twice: an identity typed in Cyrillic (61 days, gone), then
	// a passport read from its MRZ (71 days, still here); and a stranger.
	const officer = await h.session('officer', USER_PASSWORD);
	const cross = async (body) => {
		const r = await h.api('POST', '/crossings', body, officer);
		assert.equal(r.status, 201, `a crossing is recorded: ${r.text}`);
	};
	const typed = { document_type: 'P', issuing_state: 'RUS', document_number: '7100001', surname: 'Смирнов',
		given_names: 'Дмитрий', sex: 'M', birth_date: '1984-06-12', nationality: 'RUS', bcp: 'MNE-TGD' };
	await cross({ ...typed, direction: 'entry', time: daysAgo(150) });
	await cross({ ...typed, direction: 'exit', time: daysAgo(90) });
	const mrz = h.makeMrz('SMIRNOV', 'DMITRII', '7200002', 'RUS', '1984-06-12', 'M');
	await cross({ mrz, bcp: 'MNE-TIV', direction: 'entry', time: daysAgo(70) });
	await cross({ document_type: 'P', issuing_state: 'SRB', document_number: 'S500005', surname: 'Jovanović',
		given_names: 'Ana', sex: 'F', birth_date: '1990-01-30', nationality: 'SRB', bcp: 'MNE-DOB',
		direction: 'entry', time: daysAgo(5) });

	// The nightly detection, from the command line.
	const out = mmis('dedup');
	assert.match(out, /1 new proposals/, out);

	await h.launch();
});

after(() => h.tearDown());

test('the duplicate page\'s strings are in both catalogues', () => {
	const en = JSON.parse(fs.readFileSync(path.join(sourceRoot, 'web/i18n/en.json'), 'utf8'));
	const cnr = JSON.parse(fs.readFileSync(path.join(sourceRoot, 'web/i18n/cnr.json'), 'utf8'));
	const page = fs.readFileSync(path.join(sourceRoot, 'web/js/pages/duplicates.js'), 'utf8');
	const used = new Set([...page.matchAll(/t\('(dup\.[a-z_.]+)'/g)].map((m) => m[1]));
	assert.ok(used.size > 30, `the page uses its strings (${used.size})`);
	for (const k of used) {
		assert.ok(en[k], `en has ${k}`);
		assert.ok(cnr[k], `cnr has ${k}`);
	}
	for (const how of ['exact', 'equivalent', 'phonetic', 'similar', 'joined', 'missing', 'extra', 'agrees', 'contradicts', 'different'])
		assert.ok(en[`dup.how.${how}`] && cnr[`dup.how.${how}`], `how ${how}`);
});

test('a supervisor merges a traveller recorded twice, sees it in the history, and undoes it', async (t) => {
	const page = await newPage();
	await signIn(page, 'chief', USER_PASSWORD);
	await page.locator('#site-nav').getByRole('link', { name: 'Duplicates' }).click();
	await page.locator('main h1', { hasText: 'Duplicate records' }).waitFor();

	// The queue: one proposal, the Cyrillic record beside the passport's.
	const rows = page.locator('#dup-queue tbody tr');
	await rows.first().locator('button[data-merge]').waitFor();
	assert.equal(await rows.count(), 1);
	const row = await rows.first().textContent();
	assert.ok(row.includes('Смирнов, Дмитрий') && row.includes('SMIRNOV, DMITRII'), row);
	t.diagnostic(`screenshot ${await shot(page, 'dedup-queue-en')}`);

	// Review: both records side by side, the explanation, and the overstay they make together.
	await rows.first().getByRole('button', { name: /Review/ }).click();
	const review = page.locator('#dup-review');
	await review.locator('#dup-compare').waitFor();
	assert.equal(await page.evaluate(() => document.activeElement.id), 'dup-review-title', 'focus moves to the review');
	const compare = await review.locator('#dup-compare').textContent();
	for (const s of ['7100001', '7200002', '12.06.1984.', 'RUS']) assert.ok(compare.includes(s), `the comparison shows ${s}`);
	assert.match(await review.locator('#dup-compare tr.dup-differs').first().textContent(), /Name \(document\)/,
		'the names differ as written (Cyrillic, Latin): marked');
	const forIt = await review.locator('#dup-for').textContent();
	assert.match(forIt, /Name part.*dmitrii/s, 'which name parts matched, and how');
	assert.match(forIt, /Date of birth.*agrees/s);
	const stay = review.locator('#dup-stay');
	assert.match(await stay.textContent(), /neither shows alone/);
	assert.match(await stay.textContent(), /Days used 132 \/ 90 — Overstay: 42 days/);
	t.diagnostic(`screenshot ${await shot(page, 'dedup-review-en')}`);

	// Merge, with a note; the record made first keeps the records.
	assert.equal(await review.locator('input[name="survivor"]').first().isChecked(), true);
	await review.getByLabel('Note (optional)').fill('Same photograph in both documents.');
	await review.getByRole('button', { name: 'Merge: one person' }).click();
	await page.locator('#messages', { hasText: 'Merged: Смирнов, Дмитрий and SMIRNOV, DMITRII are one person now.' }).waitFor();
	assert.equal(await review.isHidden(), true, 'the review closes');
	await page.locator('#dup-queue td.empty', { hasText: 'No open proposals.' }).waitFor();
	const hist = page.locator('#dup-history tbody tr');
	await hist.first().locator('.badge', { hasText: 'merged' }).waitFor();
	const h1 = await hist.first().textContent();
	assert.ok(h1.includes('Same photograph in both documents.') && h1.includes('chief'), h1);
	t.diagnostic(`screenshot ${await shot(page, 'dedup-merged-en')}`);
	assert.match(mmis('border', 'overstayers'), /Смирнов, Дмитрий +RUS .* 132 +42/, 'merged, the traveller is an overstayer');

	// Undo: opened from the history, shown as it was before the merge; a note is needed.
	await hist.first().getByRole('button', { name: /Open or undo/ }).click();
	await review.locator('.dup-moved', { hasText: 'The merge moved documents: 1, crossings: 1,' }).waitFor();
	assert.match(await review.locator('#dup-compare').textContent(), /As before the merge/);
	await review.getByRole('button', { name: 'Undo the merge' }).click();
	await review.locator('.form-error', { hasText: 'Say why the merge is undone.' }).waitFor();
	assert.equal(await review.locator('textarea[name="note"]').getAttribute('aria-invalid'), 'true');
	await review.locator('textarea[name="note"]').fill('Two brothers: the photographs differ.');
	await review.getByRole('button', { name: 'Undo the merge' }).click();
	await page.locator('#messages', { hasText: 'Undone:' }).waitFor();
	await hist.first().locator('.badge', { hasText: 'merge undone' }).waitFor();
	assert.ok((await hist.first().textContent()).includes('Two brothers: the photographs differ.'));
	t.diagnostic(`screenshot ${await shot(page, 'dedup-undone-en')}`);
	assert.doesNotMatch(mmis('border', 'overstayers'), /Смирнов/, 'undone, nobody overstays');
	assert.match(mmis('dedup'), /1 decided before/, 'and the pair is not proposed again');

	// In Montenegrin.
	await page.getByRole('button', { name: 'Crnogorski' }).click();
	await page.locator('main h1', { hasText: 'Dvostruki zapisi' }).waitFor();
	await page.locator('#dup-history .badge', { hasText: 'spajanje poništeno' }).waitFor();
	t.diagnostic(`screenshot ${await shot(page, 'dedup-history-cnr')}`);
	await page.getByRole('button', { name: 'English' }).click();
	await page.close();
});

test('a border officer does not get the page', async () => {
	const page = await newPage();
	await signIn(page, 'officer', USER_PASSWORD);
	assert.equal(await page.locator('#site-nav').getByRole('link', { name: 'Duplicates' }).count(), 0);
	await page.goto(base + '/#/border/duplicates');
	await page.locator('main h1', { hasText: 'Not allowed' }).waitFor();
	await page.close();
});

test('no page broke the CSP or threw', () => {
	assert.deepEqual(problems, []);
});

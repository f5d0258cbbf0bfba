// Browser test of the web shell (web/): a real `mmis serve` on a temporary SQLite database,
// driven by Playwright (playwright-core only) in Debian's headless chromium.
//
//   MMIS=build/src/mmis node --test --test-reporter=tap tests/browser/shell.test.mjs
//
// Environment: MMIS (required) the built mmis program; MMIS_CHROMIUM (default /usr/bin/chromium);
// MMIS_SCREENSHOTS where screenshots go (default $TMPDIR/mmis-browser-screenshots). A missing
// chromium fails the suite: it is never skipped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { harness, sourceRoot } from './lib.mjs';

const h = harness({ prefix: 'mmis-browser-', utc: false });
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
	mmis('user', 'add', 'auditor', '--display-name', 'Jelena Perović', '--role', 'auditor', '--agency', 'ADMIN', '--password-file', pw);

	base = await h.start();

	await h.launch();
});

after(() => h.tearDown());

// Kill the server whatever happens (a failed hook, an interrupt).

test('the two message catalogues have the same keys and placeholders', () => {
	const en = JSON.parse(fs.readFileSync(path.join(sourceRoot, 'web/i18n/en.json'), 'utf8'));
	const cnr = JSON.parse(fs.readFileSync(path.join(sourceRoot, 'web/i18n/cnr.json'), 'utf8'));
	assert.deepEqual(Object.keys(cnr).sort(), Object.keys(en).sort());
	const ph = (s) => (s.match(/\{\w+\}/g) || []).sort().join();
	for (const k of Object.keys(en)) {
		if (k === 'login.failed_detail') continue; // Montenegrin does not repeat the English detail
		assert.equal(ph(cnr[k]), ph(en[k]), `placeholders of ${k}`);
	}
});

test('the server serves the shell with a strict CSP', async () => {
	const res = await fetch(base + '/');
	assert.equal(res.status, 200);
	const csp = res.headers.get('content-security-policy') || '';
	assert.match(csp, /script-src 'self'/);
	assert.match(await res.text(), /<script type="module" src="\/js\/app.js">/);
});

test('the login page is in English, with a language switch', async (t) => {
	const page = await newPage();
	await page.goto(base + '/');
	await page.locator('main h1', { hasText: 'Sign in' }).waitFor();
	await page.waitForURL(/#\/login$/);
	assert.equal(await page.getByRole('button', { name: 'Crnogorski' }).count(), 1);
	assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0, 'no sign-out button before signing in');

	await page.getByLabel('Username').fill('admin');
	await page.getByLabel('Password').fill('not the password');
	await page.getByRole('button', { name: 'Sign in' }).click();
	const error = page.locator('#login-error');
	await error.waitFor();
	const text = await error.textContent();
	assert.match(text, /username or password/i, 'the same message whichever of the two was wrong');
	t.diagnostic(`screenshot ${await shot(page, 'login-error-en')}`);
	await page.context().close();
});

test('admin: sign in, users, create a user, agencies, tokens, languages, sign out', async (t) => {
	const page = await newPage();
	await signIn(page, 'admin', ADMIN_PASSWORD);

	// The header says who is signed in, and the navigation offers the admin pages.
	assert.match(await page.locator('#user-name').textContent(), /\S/);
	const nav = page.locator('#site-nav');
	assert.equal(await page.getByRole('navigation', { name: 'Main navigation' }).count(), 1);
	for (const name of ['Users', 'Agencies', 'API tokens'])
		assert.equal(await nav.getByRole('link', { name, exact: true }).count(), 1, `nav link ${name}`);
	// Separation of duties: the administrator neither reads the audit trail nor border records.
	assert.equal(await nav.getByRole('link', { name: 'Audit trail' }).count(), 0, 'admin holds no audit.read');
	assert.equal(await nav.getByRole('link', { name: 'Border' }).count(), 0, 'admin holds no border.read');

	// Users: the table lists the users made with the CLI; focus is on the heading.
	await nav.getByRole('link', { name: 'Users', exact: true }).click();
	await page.locator('main h1', { hasText: 'Users' }).waitFor();
	assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.tagName), 'H1');
	const table = page.locator('main table');
	await table.locator('tbody th', { hasText: 'officer' }).waitFor();
	for (const u of ['admin', 'officer', 'auditor'])
		assert.equal(await table.locator('tbody th', { hasText: new RegExp(`^${u}$`) }).count(), 1, `row ${u}`);
	assert.ok(await table.locator('th[scope=col]').count() >= 5, 'column headers with scope');
	// Dates as written in Montenegro: 27.11.2025. 14:05
	const created = await table.locator('tbody tr').first().locator('time').last().textContent();
	assert.match(created, /^\d{2}\.\d{2}\.\d{4}\. \d{2}:\d{2}$/);

	// Create a user through the form.
	const form = page.locator('form', { has: page.getByRole('button', { name: 'Create user' }) });
	await form.getByLabel('Username').fill('ana.case');
	await form.getByLabel('Full name').fill('Ana Radović');
	await form.getByLabel('Role').selectOption('case_worker');
	await form.getByLabel('Agency').selectOption('BP');
	await form.getByLabel('Initial password').fill('Case-worker-pass-2025!');
	await form.getByRole('button', { name: 'Create user' }).click();
	await page.locator('#messages', { hasText: 'ana.case' }).waitFor();
	await table.locator('tbody th', { hasText: /^ana\.case$/ }).waitFor();
	const row = table.locator('tbody tr', { has: page.locator('th', { hasText: /^ana\.case$/ }) });
	assert.match(await row.textContent(), /Ana Radović/);
	assert.match(await row.textContent(), /Protection case worker/);
	t.diagnostic(`screenshot ${await shot(page, 'users-en')}`);

	// Disable and enable the new user.
	await row.getByRole('button', { name: 'Disable ana.case' }).click();
	await page.getByRole('dialog').getByRole('button', { name: 'Disable' }).click();
	await row.getByText('Disabled', { exact: true }).waitFor();
	await row.getByRole('button', { name: 'Enable ana.case' }).click();
	await row.getByText('Active', { exact: true }).waitFor();

	// Montenegrin, remembered across a reload, and back to English.
	await page.getByRole('button', { name: 'Crnogorski' }).click();
	await page.locator('main h1', { hasText: 'Korisnici' }).waitFor();
	assert.equal(await page.getByRole('button', { name: 'Odjava' }).count(), 1);
	assert.equal(await nav.getByRole('link', { name: 'Agencije' }).count(), 1);
	await page.locator('main table th[scope=col]', { hasText: 'Korisničko ime' }).first().waitFor();
	assert.equal(await page.evaluate(() => document.documentElement.lang), 'cnr');
	await page.reload();
	await page.locator('main h1', { hasText: 'Korisnici' }).waitFor();
	await page.locator('main table tbody th', { hasText: /^ana\.case$/ }).waitFor();
	t.diagnostic(`screenshot ${await shot(page, 'users-cnr')}`);
	await page.getByRole('button', { name: 'English' }).click();
	await page.locator('main h1', { hasText: 'Users' }).waitFor();
	assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 1);

	// Agencies: add one.
	await nav.getByRole('link', { name: 'Agencies' }).click();
	await page.locator('main h1', { hasText: 'Agencies' }).waitFor();
	const aform = page.locator('form', { has: page.getByRole('button', { name: 'Add agency' }) });
	await aform.getByLabel('Code').fill('CSW-PG');
	await aform.getByLabel('Name').fill('Centre for Social Work Podgorica');
	await aform.getByLabel('Kind').selectOption('social_work');
	await aform.getByRole('button', { name: 'Add agency' }).click();
	await page.locator('main table tbody th', { hasText: /^CSW-PG$/ }).waitFor();

	// API tokens: the new token is shown once, then revoked.
	await nav.getByRole('link', { name: 'API tokens' }).click();
	await page.locator('main h1', { hasText: 'API tokens' }).waitFor();
	const tform = page.locator('form', { has: page.getByRole('button', { name: 'Create token' }) });
	await tform.getByLabel('User').selectOption('officer');
	await tform.getByLabel('Name').fill('nightly export');
	await tform.getByRole('button', { name: 'Create token' }).click();
	const value = page.locator('#new-token-value');
	await value.waitFor();
	assert.match(await value.inputValue(), /^mmis_\S{20,}$/);
	assert.match(await page.locator('.new-token').textContent(), /will not be shown again/);
	t.diagnostic(`screenshot ${await shot(page, 'tokens-en')}`);
	await page.getByRole('button', { name: 'Done, hide the token' }).click();
	assert.equal(await page.locator('#new-token-value').count(), 0);
	const trow = page.locator('main table tbody tr', { hasText: 'nightly export' });
	await trow.getByRole('button', { name: /Revoke/ }).click();
	await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
	await trow.getByText(/Revoked/).waitFor();

	// Sign out: back on the login page, and the pages need signing in again.
	await page.getByRole('button', { name: 'Sign out' }).click();
	await page.locator('main h1', { hasText: 'Sign in' }).waitFor();
	await page.waitForURL(/#\/login$/);
	await page.locator('#messages', { hasText: 'You have signed out.' }).waitFor();
	await page.goto(base + '/#/admin/users');
	await page.waitForURL(/#\/login$/);
	const me = await page.evaluate(async () => (await fetch('/api/v1/me', { credentials: 'same-origin' })).status);
	assert.equal(me, 401, 'the session has ended on the server');
	await page.context().close();
});

test('a border officer sees no Users link and may not open the page', async (t) => {
	const page = await newPage();
	await signIn(page, 'officer', USER_PASSWORD);
	const nav = page.locator('#site-nav');
	assert.equal(await nav.getByRole('link', { name: 'Users' }).count(), 0);
	assert.equal(await nav.getByRole('link', { name: 'Audit trail' }).count(), 0);
	assert.equal(await nav.getByRole('link', { name: 'Border' }).count(), 1);
	await nav.getByRole('link', { name: 'Border' }).click();
	await page.locator('main h1', { hasText: 'Border crossing' }).waitFor();
	await page.goto(base + '/#/admin/users');
	await page.locator('main h1', { hasText: 'Not allowed' }).waitFor();
	const status = await page.evaluate(async () => (await fetch('/api/v1/users', { credentials: 'same-origin' })).status);
	assert.equal(status, 403, 'the server refuses it too');
	t.diagnostic(`screenshot ${await shot(page, 'officer-denied')}`);
	await page.context().close();
});

test('an auditor sees the audit trail with the chain intact', async (t) => {
	const page = await newPage();
	await signIn(page, 'auditor', USER_PASSWORD);
	const nav = page.locator('#site-nav');
	assert.equal(await nav.getByRole('link', { name: 'Users' }).count(), 0);
	await nav.getByRole('link', { name: 'Audit trail' }).click();
	await page.locator('main h1', { hasText: 'Audit trail' }).waitFor();
	const banner = page.locator('#audit-verify');
	await banner.waitFor();
	assert.match(await banner.textContent(), /intact: \d+ events checked/);
	assert.match(await banner.getAttribute('class'), /verify-ok/);
	const rows = page.locator('main table tbody tr');
	await rows.first().waitFor();
	assert.ok(await rows.count() > 0);
	assert.match(await page.locator('main table').textContent(), /session\.login/);
	// Filter by action: only user.create events remain.
	await page.getByLabel('Action').fill('user.create');
	await page.getByRole('button', { name: 'Apply filters' }).click();
	await page.locator('#messages', { hasText: 'match the filters' }).waitFor();
	const actions = await page.locator('main table tbody tr td:nth-child(5)').allTextContents();
	assert.ok(actions.length > 0, 'user.create events are listed');
	for (const a of actions) assert.equal(a.trim(), 'user.create');
	t.diagnostic(`screenshot ${await shot(page, 'audit-en')}`);
	await page.getByRole('button', { name: 'Crnogorski' }).click();
	await page.locator('#audit-verify', { hasText: 'neoštećen' }).waitFor();
	t.diagnostic(`screenshot ${await shot(page, 'audit-cnr')}`);
	await page.context().close();
});

test('signing in with the keyboard alone', async () => {
	const page = await newPage();
	await page.goto(base + '/');
	await page.locator('main h1', { hasText: 'Sign in' }).waitFor();
	// The first page of a visit leaves focus at the start, and the skip link comes first.
	await page.keyboard.press('Tab');
	assert.equal(await page.evaluate(() => document.activeElement.id), 'skip-link');
	// The skip link moves focus to the page heading; Tab reaches the username.
	await page.keyboard.press('Enter');
	assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1');
	await page.keyboard.press('Tab');
	assert.equal(await page.evaluate(() => document.activeElement.id), 'login-username');
	await page.keyboard.type('admin');
	await page.keyboard.press('Tab');
	assert.equal(await page.evaluate(() => document.activeElement.id), 'login-password');
	await page.keyboard.type(ADMIN_PASSWORD);
	await page.keyboard.press('Enter');
	await page.locator('main h1', { hasText: 'Welcome' }).waitFor();
	assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1', 'focus moves to the new heading');
	// Tab onwards reaches a navigation link (visible focus is CSS; the element must be focusable).
	let reached = false;
	for (let i = 0; i < 15 && !reached; i++) {
		await page.keyboard.press('Tab');
		reached = await page.evaluate(() => !!document.activeElement.closest('#site-nav') || document.activeElement.matches('main a'));
	}
	assert.ok(reached, 'links are reachable with Tab');
	await page.context().close();
});

test('no page broke the CSP or threw', () => {
	assert.deepEqual(problems, []);
});

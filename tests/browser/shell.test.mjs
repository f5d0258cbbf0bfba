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
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const sourceRoot = path.resolve(here, '../..');
const MMIS = process.env.MMIS;
const CHROMIUM = process.env.MMIS_CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.MMIS_SCREENSHOTS || path.join(os.tmpdir(), 'mmis-browser-screenshots');
const ADMIN_PASSWORD = 'Admin-pass-for-browser-tests-7';
const USER_PASSWORD = 'Officer-pass-for-browser-tests-3';

let work;        // the temporary directory: database, audit key, password files
let server;      // the `mmis serve` child process
let serverLog = '';
let base;        // http://127.0.0.1:PORT
let browser;
const problems = []; // CSP violations and uncaught page errors, from every page

function mmis(...args) {
	try {
		return execFileSync(MMIS, ['--db', path.join(work, 'mmis.db'), '--audit-key', path.join(work, 'audit.key'), ...args],
			{ encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
	} catch (err) {
		throw new Error(`mmis ${args.join(' ')} failed: ${err.stderr || err.message}`);
	}
}

function secretFile(name, text) {
	const f = path.join(work, name);
	fs.writeFileSync(f, text + '\n', { mode: 0o600 });
	return f;
}

function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

async function waitForHealth(url, ms) {
	const end = Date.now() + ms;
	let last = '';
	while (Date.now() < end) {
		if (server.exitCode !== null) throw new Error(`mmis serve exited (${server.exitCode}):\n${serverLog}`);
		try {
			const res = await fetch(url + '/api/v1/healthz');
			if (res.ok) return await res.json();
			last = `HTTP ${res.status}`;
		} catch (err) {
			last = err.message;
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`mmis serve did not answer /api/v1/healthz within ${ms} ms (${last}):\n${serverLog}`);
}

async function stopServer() {
	if (!server || server.exitCode !== null) return;
	const exited = new Promise((r) => server.once('exit', r));
	server.kill('SIGTERM');
	const timer = setTimeout(() => server.kill('SIGKILL'), 5000);
	await exited;
	clearTimeout(timer);
}

/** A fresh browser context (its own cookies and storage) with a page that records problems. */
async function newPage() {
	const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
	const page = await context.newPage();
	page.setDefaultTimeout(15_000);
	page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
	page.on('console', (msg) => {
		if (/Content Security Policy|Refused to/i.test(msg.text())) problems.push(`CSP: ${msg.text()}`);
	});
	return page;
}

async function shot(page, name) {
	fs.mkdirSync(SHOTS, { recursive: true });
	const f = path.join(SHOTS, name + '.png');
	await page.screenshot({ path: f, fullPage: true });
	return f;
}

async function signIn(page, username, password) {
	await page.goto(base + '/#/login');
	await page.getByLabel(/^(Username|Korisničko ime)/).fill(username);
	await page.getByLabel(/^(Password|Lozinka)/).fill(password);
	await page.locator('main form button[type=submit]').click();
	await page.locator('main h1', { hasText: /Welcome|Dobro došli/ }).waitFor();
}

before(async () => {
	assert.ok(MMIS, 'set MMIS to the built mmis program');
	assert.ok(fs.existsSync(MMIS), `MMIS=${MMIS} does not exist`);
	assert.ok(fs.existsSync(CHROMIUM), `chromium is missing at ${CHROMIUM} (tools/deps.sh installs it)`);

	work = fs.mkdtempSync(path.join(os.tmpdir(), 'mmis-browser-'));
	mmis('init', '--admin-password-file', secretFile('admin.pw', ADMIN_PASSWORD));
	const pw = secretFile('user.pw', USER_PASSWORD);
	mmis('agency', 'add', 'BP', '--name', 'Border Police', '--kind', 'police');
	mmis('user', 'add', 'officer', '--display-name', 'Marko Marković', '--role', 'border_officer', '--agency', 'BP', '--password-file', pw);
	mmis('user', 'add', 'auditor', '--display-name', 'Jelena Perović', '--role', 'auditor', '--agency', 'ADMIN', '--password-file', pw);

	const port = await freePort();
	base = `http://127.0.0.1:${port}`;
	server = spawn(MMIS, ['--db', path.join(work, 'mmis.db'), '--audit-key', path.join(work, 'audit.key'),
		'serve', '--listen', `127.0.0.1:${port}`, '--web', path.join(sourceRoot, 'web')], { cwd: sourceRoot, stdio: ['ignore', 'pipe', 'pipe'] });
	server.stdout.on('data', (d) => { serverLog += d; });
	server.stderr.on('data', (d) => { serverLog += d; });
	await waitForHealth(base, 20_000);

	browser = await chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
			'--disable-component-update', '--disable-sync'],
	});
});

after(async () => {
	if (browser) await browser.close().catch(() => {});
	await stopServer();
	if (work) fs.rmSync(work, { recursive: true, force: true });
});

// Kill the server whatever happens (a failed hook, an interrupt).
process.on('exit', () => { if (server && server.exitCode === null) server.kill('SIGKILL'); });

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

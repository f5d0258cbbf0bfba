// The harness every browser test shares: a real `mmis serve` on a temporary SQLite database on a
// free loopback port, Debian's headless chromium driven by Playwright (playwright-core only),
// sign-in, screenshots, and the list of problems (CSP violations, uncaught page errors) every page
// records. Not a test itself: the *.test.mjs files import it.
//
// Environment: MMIS (required) the built mmis program; MMIS_CHROMIUM (default /usr/bin/chromium);
// MMIS_SCREENSHOTS where screenshots go (default $TMPDIR/mmis-browser-screenshots). A missing
// chromium fails the suite: it is never skipped.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const sourceRoot = path.resolve(here, '../..');
export const MMIS = process.env.MMIS;
export const CHROMIUM = process.env.MMIS_CHROMIUM || '/usr/bin/chromium';
export const SHOTS = process.env.MMIS_SCREENSHOTS || path.join(os.tmpdir(), 'mmis-browser-screenshots');

/** The day `offsetDays` from now, UTC, as YYYY-MM-DD. */
export function isoDay(offsetDays) {
	return new Date(Date.now() + offsetDays * 86400_000).toISOString().slice(0, 10);
}

/** The instant `n` days ago, as an ISO 8601 UTC time. */
export function daysAgo(n) {
	return new Date(Date.now() - n * 86400_000).toISOString();
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

/**
 * One test file's world. `prefix` names its temporary directory; `utc` (default true) runs the
 * browser contexts in UTC, as the server counts days. Call setUp() first (checks the programs,
 * makes the directory), prepare the database with mmis(), then start(), then launch(); tearDown()
 * in after().
 */
export function harness({ prefix = 'mmis-browser-', utc = true } = {}) {
	const h = {
		work: undefined,    // the temporary directory: database, audit key, password files
		base: undefined,    // http://127.0.0.1:PORT once started
		browser: undefined,
		problems: [],       // CSP violations and uncaught page errors, from every page
	};
	let server;           // the `mmis serve` child process
	let serverLog = '';

	h.setUp = () => {
		assert.ok(MMIS, 'set MMIS to the built mmis program');
		assert.ok(fs.existsSync(MMIS), `MMIS=${MMIS} does not exist`);
		assert.ok(fs.existsSync(CHROMIUM), `chromium is missing at ${CHROMIUM} (tools/deps.sh installs it)`);
		h.work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	};

	/** Run the mmis command line on the test database; its standard output. */
	h.mmis = (...args) => {
		try {
			return execFileSync(MMIS, ['--db', path.join(h.work, 'mmis.db'), '--audit-key', path.join(h.work, 'audit.key'), ...args],
				{ encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
		} catch (err) {
			throw new Error(`mmis ${args.join(' ')} failed: ${err.stderr || err.message}`);
		}
	};

	/** Write `text` to a file in the work directory; its path. */
	h.writeFile = (name, text, mode = 0o644) => {
		const f = path.join(h.work, name);
		fs.writeFileSync(f, text, { mode });
		return f;
	};

	/** A file only its owner reads, holding one line (a password). */
	h.secretFile = (name, text) => h.writeFile(name, text + '\n', 0o600);

	/** A document's MRZ made by `mmis mrz make` (lines joined by "\n"); nationality = state. */
	h.makeMrz = (surname, given, number, state, birth, sex, expiry = isoDay(5 * 365)) =>
		h.mmis('mrz', 'make', '--surname', surname, '--given-names', given, '--document-number', number,
			'--issuing-state', state, '--nationality', state, '--birth-date', birth, '--sex', sex,
			'--expiry-date', expiry).trim().split(/\r?\n/).join('\n');

	async function waitForHealth(ms) {
		const end = Date.now() + ms;
		let last = '';
		while (Date.now() < end) {
			if (server.exitCode !== null) throw new Error(`mmis serve exited (${server.exitCode}):\n${serverLog}`);
			try {
				const res = await fetch(h.base + '/api/v1/healthz');
				if (res.ok) return await res.json();
				last = `HTTP ${res.status}`;
			} catch (err) {
				last = err.message;
			}
			await new Promise((r) => setTimeout(r, 100));
		}
		throw new Error(`mmis serve did not answer /api/v1/healthz within ${ms} ms (${last}):\n${serverLog}`);
	}

	/** Start `mmis serve` (or `command`, such as `demo`) on a free port with the source tree's web/;
	 * wait for its health check. */
	h.start = async (ms = 20_000, command = 'serve') => {
		const port = await freePort();
		h.base = `http://127.0.0.1:${port}`;
		server = spawn(MMIS, ['--db', path.join(h.work, 'mmis.db'), '--audit-key', path.join(h.work, 'audit.key'),
			command, '--listen', `127.0.0.1:${port}`, '--web', path.join(sourceRoot, 'web')], { cwd: sourceRoot, stdio: ['ignore', 'pipe', 'pipe'] });
		server.stdout.on('data', (d) => { serverLog += d; });
		server.stderr.on('data', (d) => { serverLog += d; });
		await waitForHealth(ms);
		return h.base;
	};

	async function stopServer() {
		if (!server || server.exitCode !== null) return;
		const exited = new Promise((r) => server.once('exit', r));
		server.kill('SIGTERM');
		const timer = setTimeout(() => server.kill('SIGKILL'), 5000);
		await exited;
		clearTimeout(timer);
	}

	h.launch = async () => {
		h.browser = await chromium.launch({
			executablePath: CHROMIUM,
			headless: true,
			args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
				'--disable-component-update', '--disable-sync'],
		});
		return h.browser;
	};

	h.tearDown = async () => {
		if (h.browser) await h.browser.close().catch(() => {});
		await stopServer();
		if (h.work) fs.rmSync(h.work, { recursive: true, force: true });
	};

	/** A fresh browser context (its own cookies and storage) with a page that records problems. */
	h.newPage = async () => {
		const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB',
			...(utc ? { timezoneId: 'UTC' } : {}) });
		const page = await context.newPage();
		page.setDefaultTimeout(15_000);
		page.on('pageerror', (err) => h.problems.push(`page error: ${err.message}`));
		page.on('console', (msg) => {
			if (/Content Security Policy|Refused to/i.test(msg.text())) h.problems.push(`CSP: ${msg.text()}`);
		});
		return page;
	};

	h.shot = async (page, name) => {
		fs.mkdirSync(SHOTS, { recursive: true });
		const f = path.join(SHOTS, name + '.png');
		await page.screenshot({ path: f, fullPage: true });
		return f;
	};

	h.signIn = async (page, username, password) => {
		await page.goto(h.base + '/#/login');
		await page.getByLabel(/^(Username|Korisničko ime)/).fill(username);
		await page.getByLabel(/^(Password|Lozinka)/).fill(password);
		await page.locator('main form button[type=submit]').click();
		await page.locator('main h1', { hasText: /Welcome|Dobro došli/ }).waitFor();
	};

	/** Sign in through the API: { cookie, csrf } for h.api(). */
	h.session = async (username, password) => {
		const login = await fetch(h.base + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ username, password }) });
		assert.equal(login.status, 201, `${username} signs in through the API`);
		const { csrf_token: csrf } = await login.json();
		return { cookie: login.headers.get('set-cookie').split(';')[0], csrf };
	};

	/** One API request in a session from h.session(): { status, json, text }. */
	h.api = async (method, p, body, { cookie, csrf }) => {
		const res = await fetch(h.base + '/api/v1' + p, { method, headers: { 'Content-Type': 'application/json',
			Cookie: cookie, 'X-CSRF-Token': csrf }, body: body === undefined ? undefined : JSON.stringify(body) });
		const text = await res.text();
		let json = null;
		try { json = JSON.parse(text); } catch { /* not JSON */ }
		return { status: res.status, json, text };
	};

	return h;
}

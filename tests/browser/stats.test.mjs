// Browser test of the statistics pages (web/js/pages/stats.js, facts.js, regional.js; web/js/chart.js):
// `mmis demo` on a temporary SQLite database (the demo accounts, a year of crossings and three
// before it, a spike at Sukobin last month, synthetic series for Montenegro and its neighbours),
// driven by Playwright (playwright-core only) in Debian's headless chromium. The analyst's dashboard
// draws its charts with the same numbers the API gives, small counts hidden; the facts page shows
// the indicators with their sources beside the 12/16-month estimate; the regional view lines the
// neighbours up. Screenshots of each page, in English and in Montenegrin.
//
//   MMIS=build/src/mmis node --test --test-reporter=tap tests/browser/stats.test.mjs
//
// Environment: MMIS (required) the built mmis program; MMIS_CHROMIUM (default /usr/bin/chromium);
// MMIS_SCREENSHOTS where screenshots go (default $TMPDIR/mmis-browser-screenshots). A missing
// chromium fails the suite: it is never skipped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { harness, sourceRoot } from './lib.mjs';

const h = harness({ prefix: 'mmis-stats-browser-' });
const { newPage, shot, problems } = h;
const ANALYST = ['demo.analyst', 'Demo-Analyst-Tivat-7'];
const OFFICER = ['demo.border', 'Demo-Border-Bar-7x'];

let base;        // http://127.0.0.1:PORT once `mmis demo` answers

const signIn = (page, [username, password]) => h.signIn(page, username, password);

/** The analyst's API session, to compare the pages with the API's numbers. */
async function apiAs([username, password]) {
	const login = await fetch(base + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ username, password }) });
	assert.equal(login.status, 201);
	const cookie = login.headers.get('set-cookie').split(';')[0];
	return async (p) => {
		const res = await fetch(base + '/api/v1' + p, { headers: { Cookie: cookie } });
		return { status: res.status, body: res.headers.get('content-type').includes('json') ? await res.json() : await res.text() };
	};
}

function lastCompleteMonth() {
	const d = new Date();
	const k = d.getUTCFullYear() * 12 + d.getUTCMonth() - 1;
	return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
}

before(async () => {
	h.setUp();
	base = await h.start(180_000, 'demo');
	await h.launch();
});

after(h.tearDown);

test('the statistics strings are in both catalogues', () => {
	const en = JSON.parse(fs.readFileSync(path.join(sourceRoot, 'web/i18n/en.json'), 'utf8'));
	const cnr = JSON.parse(fs.readFileSync(path.join(sourceRoot, 'web/i18n/cnr.json'), 'utf8'));
	for (const k of Object.keys(en).filter((k) => /^(stats|facts|regional|month|country)\./.test(k)))
		assert.ok(cnr[k], `cnr lacks ${k}`);
	assert.equal(cnr['facts.title'], 'Činjenice i brojke');
});

test('analyst: the dashboard draws the API\'s numbers, small counts hidden, the spike alerted', async (t) => {
	const get = await apiAs(ANALYST);
	const end = lastCompleteMonth();
	const page = await newPage();
	await signIn(page, ANALYST);
	await page.locator('#site-nav').getByRole('link', { name: 'Statistics' }).click();
	await page.locator('main h1', { hasText: 'Statistics' }).waitFor();

	// Monthly crossings: 12 months, this year and a year before, as the API counts them.
	const chart = page.locator('#st-monthly figure');
	await chart.waitFor();
	assert.equal(await chart.locator('svg[role=img] title').first().textContent(), 'Crossings per month: all crossing points');
	assert.equal(await chart.locator('rect.chart-bar.series-0').count() + await chart.locator('rect.chart-suppressed').count() >= 12, true);
	// An analyst cannot lower the minimum cell.
	assert.equal((await get(`/stats/flows?from=${end}-01&to=${end}-28&by=month&min_cell=0`)).status, 403);
	const [ey, em] = end.split('-').map(Number);
	const endDay = `${end}-${String(new Date(Date.UTC(ey, em, 0)).getUTCDate()).padStart(2, '0')}`;
	const api = (await get(`/stats/flows?from=${end}-01&to=${endDay}&by=month,bcp&totals=true`)).body;
	// The numbers table under the chart shows the last month's total as the API does.
	await chart.locator('summary').click();
	const lastRow = chart.locator('tbody tr').last();
	const apiLast = api.rows.find((r) => r.month === `${end}` && r.bcp === '_T');
	if (apiLast) {
		const cell = (await lastRow.locator('td').last().textContent()).replace(/[,.]/g, '');
		assert.equal(cell, String(apiLast.count), `the chart's ${end} total`);
	}

	// Top nationalities and refusals by ground are drawn; hidden counts are marked, not zero.
	await page.locator('#st-nationalities figure svg').waitFor();
	assert.ok(await page.locator('#st-nationalities rect.chart-bar').count() >= 5);
	await page.locator('#st-refusals figure svg').waitFor();
	const refusalText = await page.locator('#st-refusals').textContent();
	assert.match(refusalText, /no valid visa|visa/i);

	// The seasonal alert: Sukobin, last month, above the expectation.
	await page.locator('#st-alerts .alert-list li', { hasText: 'Sukobin (MNE-SUK)' }).waitFor();
	assert.match(await page.locator('#st-alerts').textContent(), /far above/);

	// Protection cases by type and by state, as the API counts them: never a count below 11; with the
	// demo's thirty cases most are hidden, and the note says why.
	assert.equal(await page.locator('#st-cases-title').textContent(), 'Protection cases');
	await page.locator('#st-cases-type figure svg').waitFor();
	await page.locator('#st-cases-state figure svg').waitFor();
	const from12 = (() => { const [y, m] = end.split('-').map(Number); const k = y * 12 + m - 12;
		return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}-01`; })();
	const byType = (await get(`/stats/cases?from=${from12}&to=${endDay}&by=case_type&totals=true`)).body;
	assert.equal(byType.min_cell, 11);
	const typeRows = byType.rows.filter((r) => r.case_type !== '_T');
	assert.ok(typeRows.length >= 3, 'the demo cases have several types');
	assert.equal(await page.locator('#st-cases-type rect.chart-bar').count() +
		await page.locator('#st-cases-type rect.chart-suppressed').count(), typeRows.length);
	assert.equal(await page.locator('#st-cases-type rect.chart-suppressed').count(),
		typeRows.filter((r) => r.conf_status === 'C').length, 'each hidden count drawn as a hatched stub');
	assert.ok(typeRows.every((r) => r.count === null || r.count >= 11), 'no type below 11');
	await page.locator('#st-cases-type summary').click();
	const firstType = page.locator('#st-cases-type tbody tr').first();
	assert.equal(await firstType.locator('th').textContent(), 'presumed victim of trafficking');
	const typeCell = await firstType.locator('td').textContent();
	const apiFirst = typeRows.find((r) => r.case_type === 'presumed_victim_of_trafficking');
	assert.equal(typeCell.replace(/[,.]/g, ''), apiFirst.conf_status === 'C' ? 'hidden (C)' : String(apiFirst.count));
	const byState = (await get(`/stats/cases?from=${from12}&to=${endDay}&by=state&totals=true`)).body;
	const total = byState.rows.find((r) => r.state === '_T');
	assert.match(await page.locator('#st-cases-total').textContent(),
		total.conf_status === 'C' ? /is hidden/ : new RegExp(`^${total.count} cases opened`));
	assert.match(await page.locator('#st-cases-note').textContent(), /below 11 are never shown, to anyone.*it is not a fault/);
	assert.equal((await get(`/stats/cases?from=${from12}&to=${endDay}&by=case_type&min_cell=0`)).status, 403);

	// The downloads are there.
	const xlsx = page.getByRole('link', { name: 'Excel (XLSX)' });
	assert.match(await xlsx.getAttribute('href'), /format=xlsx/);
	await page.locator('#st-note', { hasText: 'Counts below 5 are hidden' }).waitFor();
	t.diagnostic(`screenshot ${await shot(page, 'stats-dashboard')}`);

	// One BCP: the choice is kept in the address.
	await page.locator('#st-bcp').selectOption('MNE-SUK');
	await page.getByRole('button', { name: 'Show' }).click();
	await page.locator('#st-monthly-title', { hasText: 'MNE-SUK' }).waitFor();
	await page.locator('#st-monthly figure svg').waitFor();
	assert.match(page.url(), /bcp=MNE-SUK/);
	t.diagnostic(`screenshot ${await shot(page, 'stats-dashboard-sukobin')}`);

	// In Montenegrin.
	await page.getByRole('button', { name: 'Crnogorski' }).click();
	await page.locator('main h1', { hasText: 'Statistika' }).waitFor();
	await page.locator('#st-monthly figure svg').waitFor();
	t.diagnostic(`screenshot ${await shot(page, 'stats-dashboard-cnr')}`);
	await page.getByRole('button', { name: 'English' }).click();
	await page.close();
});

test('analyst: facts and figures, with sources, beside the estimate from the border records', async (t) => {
	const get = await apiAs(ANALYST);
	const page = await newPage();
	await signIn(page, ANALYST);
	await page.goto(base + '/#/statistics/facts?year=2011');
	await page.locator('main h1', { hasText: 'Facts and figures' }).waitFor();
	const nmr = page.locator('#fact-nmr');
	await nmr.locator('.fact-number').first().waitFor();
	assert.equal((await nmr.locator('.fact-number').first().textContent()).trim(), '−0.8');
	assert.match(await nmr.textContent(), /MONSTAT Census 2011/);
	assert.match(await page.locator('#fact-remittances').textContent(), /USD 441(\.0)? *million/);
	assert.match(await page.locator('#fact-population').textContent(), /620,029/);
	assert.match(await page.locator('#fact-women').textContent(), /No figure for this year/);
	t.diagnostic(`screenshot ${await shot(page, 'stats-facts-2011')}`);

	// The latest year: every figure, and the long-term estimate beside the official rate.
	const year = String(new Date().getUTCFullYear() - 1);
	await page.locator('#facts-year').selectOption(year);
	await page.getByRole('button', { name: 'Show' }).click();
	await page.locator('.facts-country', { hasText: `Montenegro, ${year}` }).waitFor();
	await page.locator('#facts-long-term').waitFor();
	const ind = (await get(`/stats/indicators?year=${year}`)).body;
	const shown = (await nmr.locator('.fact-number').first().textContent()).replace('−', '-').replace('+', '');
	assert.equal(Number(shown), ind.net_migration_rate.value);
	assert.match(await page.locator('#facts-long-term').textContent(), /long-term arrivals/);
	assert.match(await page.locator('#fact-women').textContent(), /%/);
	t.diagnostic(`screenshot ${await shot(page, 'stats-facts')}`);
	await page.getByRole('button', { name: 'Crnogorski' }).click();
	await page.locator('main h1', { hasText: 'Činjenice i brojke' }).waitFor();
	await page.locator('#facts-long-term').waitFor();
	t.diagnostic(`screenshot ${await shot(page, 'stats-facts-cnr')}`);
	await page.getByRole('button', { name: 'English' }).click();
	await page.close();
});

test('analyst: the regional view puts the neighbours\' series beside Montenegro\'s', async (t) => {
	const page = await newPage();
	await signIn(page, ANALYST);
	await page.goto(base + '/#/statistics/regional');
	await page.locator('main h1', { hasText: 'Regional view' }).waitFor();
	await page.locator('#regional-chart figure svg').waitFor();
	assert.equal(await page.locator('#regional-chart g.chart-line').count(), 7);
	const legend = await page.locator('#regional-chart .chart-legend').textContent();
	for (const c of ['Montenegro', 'Serbia', 'Albania', 'Kosovo', 'Croatia'])
		assert.ok(legend.includes(c), `${c} in the legend`);
	const rows = page.locator('#regional-table tbody tr');
	assert.equal(await rows.count(), 7);
	assert.match(await rows.first().textContent(), /Montenegro \(MNE\)/);
	t.diagnostic(`screenshot ${await shot(page, 'stats-regional')}`);
	await page.close();
});

test('a border officer has no statistics', async () => {
	const page = await newPage();
	await signIn(page, OFFICER);
	assert.equal(await page.locator('#site-nav').getByRole('link', { name: 'Statistics' }).count(), 0);
	await page.goto(base + '/#/statistics/facts');
	await page.locator('main h1', { hasText: 'Not allowed' }).waitFor();
	await page.close();
});

test('no page broke the CSP or threw', () => {
	assert.deepEqual(problems, []);
});

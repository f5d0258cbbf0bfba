// i18n.js - one message catalogue per language (web/i18n/LANG.json), the user's choice remembered
// in localStorage, and dates and times written as people in Montenegro write them:
// 27.11.2025. 14:05 (day.month.year. and 24-hour time), whatever the language of the interface.

const STORAGE_KEY = 'mmis.lang';
export const LANGUAGES = ['en', 'cnr'];

let lang = 'en';
let messages = {};
let fallback = {};

function initialLanguage() {
	try {
		const saved = localStorage.getItem(STORAGE_KEY);
		if (LANGUAGES.includes(saved)) return saved;
	} catch { /* storage may be disabled */ }
	const prefs = navigator.languages || [navigator.language || 'en'];
	for (const p of prefs) {
		const base = String(p).toLowerCase().split('-')[0];
		if (['cnr', 'sr', 'bs', 'hr', 'sh'].includes(base)) return 'cnr';
		if (base === 'en') return 'en';
	}
	return 'en';
}

async function loadCatalogue(code) {
	const res = await fetch(`/i18n/${code}.json`, { credentials: 'same-origin' });
	if (!res.ok) throw new Error(`cannot load the ${code} messages (HTTP ${res.status})`);
	return res.json();
}

export async function initI18n() {
	fallback = await loadCatalogue('en');
	await setLanguage(initialLanguage(), false);
}

export async function setLanguage(code, remember = true) {
	if (!LANGUAGES.includes(code)) code = 'en';
	messages = code === 'en' ? fallback : await loadCatalogue(code);
	lang = code;
	if (remember) {
		try { localStorage.setItem(STORAGE_KEY, code); } catch { /* not remembered then */ }
	}
	document.documentElement.lang = code;
	applyStatic(document);
}

export function currentLanguage() {
	return lang;
}

/** The message `key` with {name} placeholders filled from `params`; the key itself when missing. */
export function t(key, params) {
	let s = messages[key] ?? fallback[key] ?? key;
	if (params) s = s.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
	return s;
}

/** Whether the catalogue has `key` (to fall back to a server-provided text otherwise). */
export function has(key) {
	return key in messages || key in fallback;
}

/** Translate the static markup: data-i18n (text) and data-i18n-aria-label. */
export function applyStatic(root) {
	for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
	for (const el of root.querySelectorAll('[data-i18n-aria-label]'))
		el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
}

// Dates: built from Intl parts in an explicit order, so that no locale's default can change them.
const dateTimeFmt = new Intl.DateTimeFormat('en-GB', {
	day: '2-digit', month: '2-digit', year: 'numeric',
	hour: '2-digit', minute: '2-digit', hourCycle: 'h23', numberingSystem: 'latn',
});
const dateFmt = new Intl.DateTimeFormat('en-GB', {
	day: '2-digit', month: '2-digit', year: 'numeric', numberingSystem: 'latn',
});

function parts(fmt, d) {
	const out = {};
	for (const p of fmt.formatToParts(d)) out[p.type] = p.value;
	return out;
}

function toDate(value) {
	if (value === null || value === undefined || value === '') return null;
	const d = value instanceof Date ? value : new Date(value);
	return Number.isNaN(d.getTime()) ? null : d;
}

/** "27.11.2025. 14:05" in the browser's time zone; "" for no value. */
export function formatDateTime(value) {
	const d = toDate(value);
	if (!d) return '';
	const p = parts(dateTimeFmt, d);
	return `${p.day}.${p.month}.${p.year}. ${p.hour}:${p.minute}`;
}

/** "27.11.2025."; a plain "YYYY-MM-DD" date is taken as it is, without time zone shifts. */
export function formatDate(value) {
	if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
		const [y, m, d] = value.split('-');
		return `${d}.${m}.${y}.`;
	}
	const d = toDate(value);
	if (!d) return '';
	const p = parts(dateFmt, d);
	return `${p.day}.${p.month}.${p.year}.`;
}

/** Read a date typed as "27.11.2025." (the final dot and leading zeros optional) → "2025-11-27"; null if not a date. */
export function parseDate(text) {
	const m = /^\s*(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})\.?\s*$/.exec(text);
	if (!m) return null;
	const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
	const dt = new Date(Date.UTC(y, mo - 1, d));
	if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
	return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

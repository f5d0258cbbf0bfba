// chart.js - small SVG charts drawn here (no library, nothing from a CDN): grouped bars, horizontal
// bars and lines. Colours and sizes come from classes in app.css (the CSP allows no inline styles;
// SVG geometry attributes are not styles). Every chart is an <svg role="img"> with a title and a
// description, followed by its numbers in a table for screen readers and for checking.
// A suppressed value (null) is drawn as a hatched stub marked "C", never as zero.
import { h, uid } from './dom.js';
import { t, currentLanguage } from './i18n.js';

const SVG = 'http://www.w3.org/2000/svg';

function s(tag, attrs, ...children) {
	const el = document.createElementNS(SVG, tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === null || v === undefined || v === false) continue;
		if (k === 'style') throw new Error('inline styles are blocked by the CSP; use a class');
		el.setAttribute(k, String(v));
	}
	for (const c of children) {
		if (c === null || c === undefined || c === false) continue;
		el.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return el;
}

/** 12345 → "12,345" (English) or "12.345" (Montenegrin). */
export function formatNumber(n, digits = 0) {
	if (n === null || n === undefined || Number.isNaN(n)) return '';
	const loc = currentLanguage() === 'cnr' ? 'de-DE' : 'en-GB';
	return Number(n).toLocaleString(loc, { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A round upper bound for an axis: 1, 2, 2.5 or 5 times a power of ten. */
function niceMax(v) {
	if (!(v > 0)) return 1;
	const p = 10 ** Math.floor(Math.log10(v));
	for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
	return 10 * p;
}

function frame(label, description, width, height) {
	const titleId = uid('chart-t');
	const descId = uid('chart-d');
	const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${titleId} ${descId}`,
		class: 'chart-svg', preserveAspectRatio: 'xMidYMid meet' },
	s('title', { id: titleId }, label), s('desc', { id: descId }, description || label));
	return svg;
}

function legend(series) {
	if (series.length < 2) return null;
	return h('ul', { class: 'chart-legend' }, series.map((se, i) =>
		h('li', null, h('span', { class: `chart-swatch series-${se.colour ?? i}`, 'aria-hidden': 'true' }), se.name)));
}

/** The numbers behind a chart, in a table (rows: categories; columns: series). */
function numbers(label, categories, series, fmt) {
	const rows = categories.map((c, k) => h('tr', null, h('th', { scope: 'row' }, c),
		series.map((se) => h('td', { class: 'col-num' }, se.values[k] === null ? t('stats.suppressed_short')
			: se.values[k] === undefined ? '–' : fmt(se.values[k])))));
	return h('details', { class: 'chart-numbers' }, h('summary', null, t('stats.show_numbers')),
		h('div', { class: 'table-wrap' }, h('table', { class: 'data' }, h('caption', { class: 'visually-hidden' }, label),
			h('thead', null, h('tr', null, h('th', { scope: 'col' }, ''), series.map((se) => h('th', { scope: 'col', class: 'col-num' }, se.name)))),
			h('tbody', null, rows))));
}

/**
 * Vertical bars, grouped: categories along x, one bar per series in each group.
 * series: [{name, values: [number | null (suppressed) | undefined (no data)], colour?}]
 */
export function barChart({ label, description, categories, series, format = (v) => formatNumber(v) }) {
	const W = 760, H = 300, L = 64, R = 12, T = 14, B = 44;
	const pw = W - L - R, ph = H - T - B;
	const max = niceMax(Math.max(0, ...series.flatMap((se) => se.values.filter((v) => typeof v === 'number'))));
	const svg = frame(label, description, W, H);
	const axis = s('g', { class: 'chart-axis' });
	for (let i = 0; i <= 4; i++) {
		const y = T + ph - (ph * i) / 4;
		axis.append(s('line', { x1: L, x2: W - R, y1: y, y2: y, class: i ? 'chart-grid' : 'chart-base' }),
			s('text', { x: L - 8, y: y + 4, 'text-anchor': 'end' }, format((max * i) / 4)));
	}
	svg.append(axis);
	const gw = pw / Math.max(1, categories.length);
	const bw = Math.min(26, (gw * 0.8) / Math.max(1, series.length));
	const bars = s('g', { class: 'chart-bars' });
	categories.forEach((c, k) => {
		const x0 = L + gw * k + (gw - bw * series.length) / 2;
		series.forEach((se, j) => {
			const v = se.values[k];
			const x = x0 + j * bw;
			if (v === null) {
				bars.append(s('rect', { x, y: T + ph - 8, width: bw - 2, height: 8, class: 'chart-suppressed' }),
					s('text', { x: x + (bw - 2) / 2, y: T + ph - 12, 'text-anchor': 'middle', class: 'chart-c' }, 'C'));
			} else if (typeof v === 'number') {
				const bh = max ? (ph * v) / max : 0;
				const r = s('rect', { x, y: T + ph - bh, width: bw - 2, height: Math.max(bh, v > 0 ? 1 : 0),
					class: `chart-bar series-${se.colour ?? j}` });
				r.append(s('title', null, `${c} · ${se.name}: ${format(v)}`));
				bars.append(r);
			}
		});
		axis.append(s('text', { x: L + gw * k + gw / 2, y: H - B + 18, 'text-anchor': 'middle', class: 'chart-cat' }, c));
	});
	svg.append(bars);
	return h('figure', { class: 'chart chart-bars-v' }, svg, legend(series), numbers(label, categories, series, format));
}

/**
 * Horizontal bars: items [{label, value (null: suppressed)}], largest first as given. labelWidth:
 * the room for the labels (longer ones are cut, whole in the numbers table).
 */
export function hbarChart({ label, description, items, format = (v) => formatNumber(v), colour = 0, labelWidth = 200 }) {
	const row = 24, L = labelWidth, R = 52, T = 6, chars = Math.floor(labelWidth / 8.3);
	const W = L + 260, H = T * 2 + row * Math.max(1, items.length);
	const pw = W - L - R;
	const max = niceMax(Math.max(0, ...items.map((i) => (typeof i.value === 'number' ? i.value : 0))));
	const svg = frame(label, description, W, H);
	items.forEach((it, k) => {
		const y = T + row * k;
		svg.append(s('text', { x: L - 8, y: y + row / 2 + 5, 'text-anchor': 'end', class: 'chart-label' },
			it.label.length > chars ? it.label.slice(0, chars - 1) + '…' : it.label));
		if (it.value === null) {
			svg.append(s('rect', { x: L, y: y + 5, width: 10, height: row - 10, class: 'chart-suppressed' }),
				s('text', { x: L + 16, y: y + row / 2 + 5, class: 'chart-value' }, t('stats.suppressed_short')));
		} else {
			const w = max ? (pw * it.value) / max : 0;
			const r = s('rect', { x: L, y: y + 5, width: Math.max(w, it.value > 0 ? 1 : 0), height: row - 10,
				class: `chart-bar series-${colour}` });
			r.append(s('title', null, `${it.label}: ${format(it.value)}`));
			svg.append(r, s('text', { x: L + w + 6, y: y + row / 2 + 5, class: 'chart-value' }, format(it.value)));
		}
	});
	return h('figure', { class: 'chart chart-h' }, svg,
		numbers(label, items.map((i) => i.label), [{ name: label, values: items.map((i) => i.value) }], format));
}

/** Lines over x labels: series [{name, values: [number | null | undefined]}], with markers. */
export function lineChart({ label, description, categories, series, format = (v) => formatNumber(v, 1) }) {
	const W = 760, H = 300, L = 56, R = 12, T = 14, B = 36;
	const pw = W - L - R, ph = H - T - B;
	const vals = series.flatMap((se) => se.values.filter((v) => typeof v === 'number'));
	let lo = Math.min(0, ...vals), hi = Math.max(0, ...vals);
	const span = niceMax(Math.max(Math.abs(lo), Math.abs(hi)));
	hi = hi > 0 ? span : 0;
	lo = lo < 0 ? -span : 0;
	if (hi === lo) hi = lo + 1;
	const yOf = (v) => T + ph - ((v - lo) / (hi - lo)) * ph;
	const xOf = (k) => L + (categories.length < 2 ? pw / 2 : (pw * k) / (categories.length - 1));
	const svg = frame(label, description, W, H);
	const axis = s('g', { class: 'chart-axis' });
	for (let i = 0; i <= 4; i++) {
		const v = lo + ((hi - lo) * i) / 4;
		axis.append(s('line', { x1: L, x2: W - R, y1: yOf(v), y2: yOf(v), class: v === 0 ? 'chart-base' : 'chart-grid' }),
			s('text', { x: L - 8, y: yOf(v) + 4, 'text-anchor': 'end' }, format(v)));
	}
	categories.forEach((c, k) => axis.append(s('text', { x: xOf(k), y: H - B + 18, 'text-anchor': 'middle', class: 'chart-cat' }, c)));
	svg.append(axis);
	series.forEach((se, j) => {
		const pts = se.values.map((v, k) => (typeof v === 'number' ? [xOf(k), yOf(v), v, k] : null));
		let d = '';
		let pen = false;
		for (const p of pts) {
			if (!p) { pen = false; continue; }
			d += `${pen ? 'L' : 'M'}${p[0].toFixed(1)},${p[1].toFixed(1)} `;
			pen = true;
		}
		const g = s('g', { class: `chart-line series-${se.colour ?? j}` });
		if (d) g.append(s('path', { d: d.trim() }));
		for (const p of pts) {
			if (!p) continue;
			const c = s('circle', { cx: p[0], cy: p[1], r: 3.5 });
			c.append(s('title', null, `${se.name} ${categories[p[3]]}: ${format(p[2])}`));
			g.append(c);
		}
		svg.append(g);
	});
	return h('figure', { class: 'chart chart-lines' }, svg, legend(series), numbers(label, categories, series, format));
}

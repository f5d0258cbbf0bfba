// api.js - calls to /api/v1: JSON in and out, the session cookie (credentials 'same-origin'),
// the CSRF token on every state-changing request, and RFC 9457 problems turned into ApiError.

let csrfToken = null;
let unauthorizedHandler = () => {};

export class ApiError extends Error {
	constructor(status, problem, retryAfter) {
		super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
		this.name = 'ApiError';
		this.status = status;                 // 0: the server could not be reached
		this.problem = problem || {};
		this.field = this.problem.field || null;
		this.retryAfter = retryAfter ? Number(retryAfter) : null;
	}
}

/** Keep the CSRF token in memory only (from POST /session or GET /me). */
export function setCsrfToken(token) {
	csrfToken = token || null;
}

/** Called with the ApiError when any request (except signing in) answers 401. */
export function onUnauthorized(fn) {
	unauthorizedHandler = fn;
}

/**
 * api('GET', '/me') → parsed JSON (null for 204). Throws ApiError.
 * options.query: object of query parameters (empty values left out);
 * options.quiet401: do not call the 401 handler (signing in, the first /me).
 */
export async function api(method, path, body, options = {}) {
	let url = '/api/v1' + path;
	if (options.query) {
		const q = new URLSearchParams();
		for (const [k, v] of Object.entries(options.query))
			if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
		const s = q.toString();
		if (s) url += '?' + s;
	}
	const headers = { Accept: 'application/json, application/problem+json' };
	if (body !== undefined) headers['Content-Type'] = 'application/json';
	if (!['GET', 'HEAD'].includes(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;

	let res;
	try {
		res = await fetch(url, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			credentials: 'same-origin',
			cache: 'no-store',
		});
	} catch {
		throw new ApiError(0, { title: 'Network error' });
	}
	let data = null;
	if (res.status !== 204) {
		const text = await res.text();
		if (text) {
			try { data = JSON.parse(text); } catch { data = null; }
		}
	}
	if (!res.ok) {
		const err = new ApiError(res.status, data, res.headers.get('Retry-After'));
		if (res.status === 401 && !options.quiet401) unauthorizedHandler(err);
		throw err;
	}
	return data;
}

/*
 * server.c - the HTTP engine of `mmis serve` over libmicrohttpd: a pool of worker threads (epoll),
 * one database connection per worker, the route table (routes.c) applied to each request, one
 * JSON log line per request, and a graceful stop on SIGTERM or SIGINT.
 *
 * Per request: route lookup, authentication, CSRF and permission are decided when the headers
 * have arrived, so that a refused request never has its body read; the body is then gathered
 * (1 MiB at most), parsed, and handed to the route's handler, which makes exactly one reply.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "http.h"
#include "mmis/audit.h"
#include "mmis/date.h"
#include "mmis/json.h"
#include "mmis/screen.h"
#include "mmis/store.h"
#include "mmis/strbuf.h"
#include "mmis/uuid.h"
#include "mmis_config.h"

#define MAX_EXTRA_HEADERS 4
#define CONNECTION_LIMIT 1000
#define CONNECTION_TIMEOUT_S 30
#define CONNECTION_MEMORY (64 * 1024) /* bounds the request line and headers */
#define DISCARD_MAX (16 * 1024 * 1024) /* an oversized chunked body is read this far, then cut */
#define GRACE_S 35          /* how long a stop waits for requests in flight */
#define MAINTENANCE_S 60    /* expired sessions are removed this often */
#define TLS_FILE_MAX (1024 * 1024)

static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
			  "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; "
			  "form-action 'self'";

struct extra_header {
	const char *name;
	char value[320];
};

struct req {
	struct MHD_Connection *conn;
	struct req_view v;
	char method[16];
	char *path;
	char *pbuf;        /* the path parameters, NUL-separated */
	char id[UUID_STR_MAX];
	uint64_t start_ns;
	int row;           /* metrics row */
	bool is_static;
	bool is_api;
	struct strbuf body;
	bool too_big;
	size_t discarded;
	struct actor actor;
	char csrf[SECRET_STR_MAX];
	char client[INET6_ADDRSTRLEN];
	struct mmis_ctx cx;
	/* the reply */
	struct MHD_Response *resp;
	unsigned status;
	uint64_t bytes;
	bool problem;
	struct extra_header hdr[MAX_EXTRA_HEADERS];
	int nhdr;
	char log_user[AUTH_NAME_MAX + 1];
	char log_error[200];
	/* a held-back reply */
	int delay_s;
	uint64_t due_ns;
	atomic_bool resumed;
	struct req *dl_next;
};

static struct {
	const struct server_config *cfg;
	struct audit_key key;
	bool tls;
	char *openapi;
	size_t openapi_len;
	pthread_key_t store_key;
	atomic_int inflight;
	atomic_bool stopping;
	pthread_mutex_t dl_mu;
	pthread_cond_t dl_cv;
	struct req *dl_head;
	bool dl_quit;
	bool dl_flush;
	struct screen *screen; /* the alert-list screening service (screen.h) */
} srv = { .dl_mu = PTHREAD_MUTEX_INITIALIZER };

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- logging: one JSON object per line on stderr */

static void json_escape(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	strbuf_addch(sb, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			strbuf_addch(sb, '\\');
			strbuf_addch(sb, (char)*p);
		} else if (*p < 0x20 || *p >= 0x7f) {
			/* Control characters and any non-ASCII byte: the log stays valid JSON even for
			 * a path that is not UTF-8. */
			char u[7] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15], 0 };
			strbuf_addstr(sb, u);
		} else {
			strbuf_addch(sb, (char)*p);
		}
	}
	strbuf_addch(sb, '"');
}

static void log_start(struct strbuf *sb)
{
	char ts[TIMESTAMP_STR_MAX];
	timestamp_format(timestamp_now(), ts);
	strbuf_init(sb, 8192);
	strbuf_addstr(sb, "{\"ts\":\"");
	strbuf_addstr(sb, ts);
	strbuf_addch(sb, '"');
}

static void log_end(struct strbuf *sb)
{
	strbuf_addstr(sb, "}\n");
	if (!strbuf_error(sb)) {
		ssize_t w = write(STDERR_FILENO, strbuf_str(sb), sb->len);
		(void)w;
	}
	strbuf_release(sb);
}

static void log_event(const char *level, const char *msg, const char *key, const char *value)
{
	struct strbuf sb;
	log_start(&sb);
	strbuf_addstr(&sb, ",\"level\":");
	json_escape(&sb, level);
	strbuf_addstr(&sb, ",\"msg\":");
	json_escape(&sb, msg);
	if (key && value) {
		strbuf_addch(&sb, ',');
		json_escape(&sb, key);
		strbuf_addch(&sb, ':');
		json_escape(&sb, value);
	}
	log_end(&sb);
}

static void mhd_logger(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
	struct strbuf msg;
	(void)cls;
	strbuf_init(&msg, 1024);
	strbuf_vaddf(&msg, fmt, ap);
	while (msg.len && (msg.buf[msg.len - 1] == '\n' || msg.buf[msg.len - 1] == ' '))
		strbuf_setlen(&msg, msg.len - 1);
	log_event("warn", strbuf_str(&msg), "source", "microhttpd");
	strbuf_release(&msg);
}

static void log_request(struct req *r, uint64_t us)
{
	struct strbuf sb;
	log_start(&sb);
	strbuf_addstr(&sb, ",\"id\":\"");
	strbuf_addstr(&sb, r->id);
	strbuf_addstr(&sb, "\",\"method\":");
	json_escape(&sb, r->method);
	strbuf_addstr(&sb, ",\"path\":");
	json_escape(&sb, r->path ? r->path : "");
	strbuf_addf(&sb, ",\"status\":%u,\"ms\":%llu.%03llu,\"bytes\":%llu,\"user\":", r->status,
		    (unsigned long long)(us / 1000), (unsigned long long)(us % 1000),
		    (unsigned long long)r->bytes);
	if (r->log_user[0])
		json_escape(&sb, r->log_user);
	else
		strbuf_addstr(&sb, "null");
	if (r->log_error[0]) {
		strbuf_addstr(&sb, ",\"error\":");
		json_escape(&sb, r->log_error);
	}
	log_end(&sb);
}

/* ---- the worker's database connection */

static void store_destructor(void *p)
{
	store_close(p);
}

static struct store *thread_store(struct mmis_error *err)
{
	struct store *s = pthread_getspecific(srv.store_key);
	if (s)
		return s;
	if (store_open(srv.cfg->db_url, 0, &s, err))
		return NULL;
	if (pthread_setspecific(srv.store_key, s)) {
		store_close(s);
		mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	return s;
}

/* ---- replies */

const struct req_view *req_view(const struct req *r)
{
	return &r->v;
}

void req_set_log_user(struct req *r, const char *username)
{
	snprintf(r->log_user, sizeof(r->log_user), "%s", username ? username : "");
}

static void set_reply(struct req *r, unsigned status, struct MHD_Response *resp,
		      const char *content_type, uint64_t bytes)
{
	if (!resp)
		return;
	if (content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	r->resp = resp;
	r->status = status;
	r->bytes = bytes;
}

void reply_owned(struct req *r, unsigned status, const char *content_type, char *body, size_t len)
{
	if (r->resp) {
		free(body);
		return;
	}
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp)
		free(body);
	set_reply(r, status, resp, content_type, len);
}

void reply_static(struct req *r, unsigned status, const char *content_type, const char *body,
		  size_t len)
{
	if (r->resp)
		return;
	set_reply(r, status,
		  MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_PERSISTENT),
		  content_type, len);
}

void reply_empty(struct req *r, unsigned status)
{
	reply_static(r, status, NULL, "", 0);
}

void reply_json(struct req *r, unsigned status, json_t *body)
{
	char *text;
	if (r->resp) {
		json_decref(body);
		return;
	}
	if (!body) {
		reply_empty(r, status);
		return;
	}
	text = mjson_dump(body);
	json_decref(body);
	if (!text) {
		reply_problem(r, 500, NULL, "out of memory");
		return;
	}
	reply_owned(r, status, "application/json", text, strlen(text));
}

void reply_problem(struct req *r, unsigned status, const char *field, const char *detail)
{
	const char *title = MHD_get_reason_phrase_for(status);
	json_t *p;
	char *text;

	if (r->resp)
		return;
	p = json_pack("{s:s, s:s, s:i}", "type", "about:blank", "title",
		      title && *title ? title : "Error", "status", (int)status);
	if (p && detail && *detail)
		mjson_set_string(p, "detail", detail);
	if (p && field && *field)
		mjson_set_string(p, "field", field);
	text = p ? mjson_dump(p) : NULL;
	json_decref(p);
	if (!text) {
		static const char oom[] = "{\"type\":\"about:blank\",\"title\":\"Internal Server Error\","
					  "\"status\":500}";
		reply_static(r, 500, "application/problem+json", oom, sizeof(oom) - 1);
		return;
	}
	r->problem = true;
	reply_owned(r, status, "application/problem+json", text, strlen(text));
}

unsigned http_status_of(enum mmis_err code)
{
	switch (code) {
	case MMIS_OK:
		return 200;
	case MMIS_EINVAL:
		return 422;
	case MMIS_ENOTFOUND:
		return 404;
	case MMIS_EDENIED:
		return 403;
	case MMIS_ECONFLICT:
		return 409;
	case MMIS_EAUTH:
		return 401;
	case MMIS_ETOOBIG:
		return 413;
	case MMIS_EBUSY:
		return 503;
	case MMIS_ENOMEM:
	case MMIS_EIO:
	case MMIS_EDB:
	case MMIS_EVERSION:
	case MMIS_EUNSUPPORTED:
	case MMIS_ERR__COUNT:
		break;
	}
	return 500;
}

void reply_error(struct req *r, const struct mmis_error *err)
{
	unsigned status = http_status_of(err->code);

	if (status >= 500) {
		/* The reason goes to the log, never to the client. */
		snprintf(r->log_error, sizeof(r->log_error), "%s", mmis_error_text(err));
		if (status == 503) {
			reply_header(r, "Retry-After", "1");
			reply_problem(r, status, NULL, "the database is busy; try again");
		} else {
			reply_problem(r, status, NULL, "internal error; the server log has the request id");
		}
		return;
	}
	reply_problem(r, status, err->field, mmis_error_text(err));
}

void reply_fail(struct req *r, struct mmis_error *err)
{
	if (err->code == MMIS_OK)
		mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
	reply_error(r, err);
}

void reply_items(struct req *r, json_t *items)
{
	json_t *o = items ? json_pack("{s:o}", "items", items) : NULL;
	if (!o) {
		reply_problem(r, 500, NULL, "out of memory");
		return;
	}
	reply_json(r, 200, o);
}

void reply_header(struct req *r, const char *name, const char *value)
{
	if (r->nhdr >= MAX_EXTRA_HEADERS)
		return;
	r->hdr[r->nhdr].name = name;
	snprintf(r->hdr[r->nhdr].value, sizeof(r->hdr[r->nhdr].value), "%s", value);
	r->nhdr++;
}

void reply_delay(struct req *r, int seconds)
{
	r->delay_s = seconds > 60 ? 60 : seconds;
}

/* ---- query parameters */

const char *req_query(struct req *r, const char *key)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
	if (!v && MHD_lookup_connection_value_n(r->conn, MHD_GET_ARGUMENT_KIND, key, strlen(key),
						 NULL, NULL) == MHD_YES)
		return "";
	return v;
}

struct query_check {
	const char *allowed;
	char seen[16][32];
	int nseen;
	char bad[64];
	bool twice;
};

static bool list_has(const char *list, const char *key, size_t n)
{
	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && !strncmp(p, key, n))
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}

static enum MHD_Result query_iter(void *cls, enum MHD_ValueKind kind, const char *key,
				  size_t key_size, const char *value, size_t value_size)
{
	struct query_check *q = cls;
	(void)kind;
	(void)value;
	(void)value_size;
	if (!list_has(q->allowed, key, key_size)) {
		snprintf(q->bad, sizeof(q->bad), "%.*s", (int)(key_size < 60 ? key_size : 60), key);
		return MHD_NO;
	}
	for (int i = 0; i < q->nseen; i++)
		if (!strcmp(q->seen[i], key)) {
			snprintf(q->bad, sizeof(q->bad), "%s", key);
			q->twice = true;
			return MHD_NO;
		}
	if (q->nseen < 16)
		snprintf(q->seen[q->nseen++], sizeof(q->seen[0]), "%s", key);
	return MHD_YES;
}

const char *req_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

bool req_query_only(struct req *r, const char *allowed)
{
	struct query_check q = { .allowed = allowed };
	struct strbuf sb;

	MHD_get_connection_values_n(r->conn, MHD_GET_ARGUMENT_KIND, query_iter, &q);
	if (!q.bad[0])
		return true;
	strbuf_init(&sb, 256);
	if (q.twice)
		strbuf_addf(&sb, "query parameter '%s' is given twice", q.bad);
	else
		strbuf_addf(&sb, "unknown query parameter '%s' (allowed: %s)", q.bad, allowed);
	reply_problem(r, 400, q.bad, strbuf_str(&sb));
	strbuf_release(&sb);
	return false;
}

/* ---- routing */

struct span {
	const char *p;
	size_t n;
};

/* The number of parameters when `path` matches `pattern`, else -1. */
static int match_pattern(const char *pat, const char *path, struct span sp[ROUTE_MAX_PARAMS])
{
	int n = 0;
	while (*pat && *path) {
		if (*pat == '{') {
			const char *pe = strchr(pat, '}');
			size_t len = strcspn(path, "/");
			if (!pe || len == 0 || n >= ROUTE_MAX_PARAMS)
				return -1;
			sp[n].p = path;
			sp[n].n = len;
			n++;
			pat = pe + 1;
			path += len;
		} else if (*pat == *path) {
			pat++;
			path++;
		} else {
			return -1;
		}
	}
	return *pat || *path ? -1 : n;
}

static void add_allow(struct strbuf *allow, const char *method)
{
	const char *s = strbuf_str(allow);
	size_t n = strlen(method);
	for (const char *p = s; *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && !strncmp(p, method, n))
			return;
		p += len;
		while (*p == ',' || *p == ' ')
			p++;
	}
	if (allow->len)
		strbuf_addstr(allow, ", ");
	strbuf_addstr(allow, method);
}

/* Find the route; false with a reply (404/405) when there is none. */
static bool route_request(struct req *r)
{
	struct span sp[ROUTE_MAX_PARAMS];
	struct strbuf allow;
	int best = -1, nparams = 0;

	strbuf_init(&allow, 256);
	for (size_t i = 0; i < server_route_count; i++) {
		int n = match_pattern(server_routes[i].pattern, r->path, sp);
		if (n < 0)
			continue;
		if (!strcmp(server_routes[i].method, r->method)) {
			best = (int)i;
			nparams = n;
			break;
		}
		add_allow(&allow, server_routes[i].method);
	}
	if (best >= 0) {
		const struct route *rt = &server_routes[best];
		size_t total = 0, off = 0;
		match_pattern(rt->pattern, r->path, sp);
		for (int i = 0; i < nparams; i++)
			total += sp[i].n + 1;
		r->pbuf = malloc(total ? total : 1);
		if (!r->pbuf) {
			strbuf_release(&allow);
			reply_problem(r, 500, NULL, "out of memory");
			return false;
		}
		for (int i = 0; i < nparams; i++) {
			memcpy(r->pbuf + off, sp[i].p, sp[i].n);
			r->pbuf[off + sp[i].n] = '\0';
			r->v.params[i] = r->pbuf + off;
			off += sp[i].n + 1;
		}
		r->v.route = rt;
		r->row = best;
		strbuf_release(&allow);
		return true;
	}
	if (allow.len) {
		reply_header(r, MHD_HTTP_HEADER_ALLOW, strbuf_str(&allow));
		reply_problem(r, 405, NULL, "method not allowed; see the Allow header");
		strbuf_release(&allow);
		return false;
	}
	strbuf_release(&allow);
	if (r->is_api) {
		reply_problem(r, 404, NULL, "no such route");
		return false;
	}
	if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD")) {
		reply_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
		reply_problem(r, 405, NULL, "method not allowed; see the Allow header");
		return false;
	}
	r->is_static = true;
	r->row = METRICS_ROW_STATIC;
	return true;
}

/* ---- authentication and permission */

static bool unsafe_method(const char *m)
{
	return strcmp(m, "GET") && strcmp(m, "HEAD") && strcmp(m, "OPTIONS");
}

static void audit_denied(struct req *r, const char *action, const char *detail)
{
	struct mmis_error err;
	struct strbuf obj;
	struct audit_event ev = { .action = action, .object_type = "route", .outcome = AUDIT_DENIED,
				  .detail = detail };

	strbuf_init(&obj, 512);
	strbuf_addf(&obj, "%s %s", r->method, r->v.route->pattern);
	ev.object_id = strbuf_str(&obj);
	if (audit_append(r->cx.store, r->cx.audit_key, &r->actor, &ev, &err))
		snprintf(r->log_error, sizeof(r->log_error), "audit: %s", mmis_error_text(&err));
	strbuf_release(&obj);
}

static void clear_cookie(struct req *r)
{
	reply_header(r, MHD_HTTP_HEADER_SET_COOKIE,
		     srv.tls ? "mmis_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Secure"
			     : "mmis_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
}

/* Authenticate, check CSRF and the route's permission; false with a reply when refused. */
static bool authorize(struct req *r)
{
	const struct route *rt = r->v.route;
	struct mmis_error err;
	const char *authz, *cookie;

	mmis_error_clear(&err);
	authz = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (authz) {
		if (strncasecmp(authz, "Bearer ", 7)) {
			reply_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
			reply_problem(r, 401, NULL, "Authorization must be \"Bearer\" and an API token");
			return false;
		}
		const char *tok = authz + 7;
		while (*tok == ' ')
			tok++;
		if (auth_token(&r->cx, tok, &r->actor, &err)) {
			if (err.code == MMIS_EAUTH) {
				reply_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					     "Bearer error=\"invalid_token\"");
				reply_problem(r, 401, NULL, "unknown or revoked token");
			} else {
				reply_error(r, &err);
			}
			return false;
		}
	} else {
		cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "mmis_session");
		if (!cookie || !*cookie) {
			reply_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
			reply_problem(r, 401, NULL, "not signed in");
			return false;
		}
		if (auth_session(&r->cx, cookie, &r->actor, r->csrf, &err)) {
			if (err.code == MMIS_EAUTH) {
				clear_cookie(r);
				reply_problem(r, 401, NULL, "the session has ended; sign in again");
			} else {
				reply_error(r, &err);
			}
			return false;
		}
		r->v.csrf = r->csrf;
		req_set_log_user(r, r->actor.username);
		if (unsafe_method(r->method)) {
			const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
								    "X-CSRF-Token");
			size_t n = strlen(r->csrf);
			if (!h || !n || strlen(h) != n || sodium_memcmp(h, r->csrf, n)) {
				audit_denied(r, "request.csrf", "missing or wrong CSRF token");
				reply_problem(r, 403, NULL, "missing or wrong CSRF token");
				return false;
			}
		}
	}
	req_set_log_user(r, r->actor.username);
	r->v.actor = &r->actor;
	if (actor_scope(&r->actor, (enum perm)rt->perm) == SCOPE_NONE) {
		struct strbuf sb;
		strbuf_init(&sb, 256);
		strbuf_addf(&sb, "your role does not have the permission %s",
			    perm_name((enum perm)rt->perm));
		audit_denied(r, "request.denied", strbuf_str(&sb));
		reply_problem(r, 403, NULL, strbuf_str(&sb));
		strbuf_release(&sb);
		return false;
	}
	return true;
}

/* ---- request life */

static sa_family_t family_of(const void *sa)
{
	struct sockaddr h;
	memcpy(&h, sa, sizeof(h));
	return h.sa_family;
}

static bool is_loopback(const void *sa)
{
	if (!sa)
		return false;
	if (family_of(sa) == AF_INET) {
		struct sockaddr_in in;
		memcpy(&in, sa, sizeof(in));
		return (ntohl(in.sin_addr.s_addr) >> 24) == 127;
	}
	if (family_of(sa) == AF_INET6) {
		struct sockaddr_in6 in6;
		memcpy(&in6, sa, sizeof(in6));
		if (IN6_IS_ADDR_LOOPBACK(&in6.sin6_addr))
			return true;
		return IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr) && in6.sin6_addr.s6_addr[12] == 127;
	}
	return false;
}

static const struct sockaddr *client_addr(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	return ci ? ci->client_addr : NULL;
}

static void client_text(const void *sa, char out[INET6_ADDRSTRLEN])
{
	out[0] = '\0';
	if (sa && family_of(sa) == AF_INET) {
		struct sockaddr_in in;
		memcpy(&in, sa, sizeof(in));
		inet_ntop(AF_INET, &in.sin_addr, out, INET6_ADDRSTRLEN);
	} else if (sa && family_of(sa) == AF_INET6) {
		struct sockaddr_in6 in6;
		memcpy(&in6, sa, sizeof(in6));
		inet_ntop(AF_INET6, &in6.sin6_addr, out, INET6_ADDRSTRLEN);
	}
}

static struct req *req_new(struct MHD_Connection *conn, const char *url, const char *method)
{
	struct req *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->conn = conn;
	r->start_ns = mono_ns();
	uuid7_new_str(r->id);
	snprintf(r->method, sizeof(r->method), "%s", method);
	r->path = strdup(url);
	if (!r->path) {
		free(r);
		return NULL;
	}
	r->row = METRICS_ROW_UNMATCHED;
	strbuf_init(&r->body, HTTP_BODY_MAX);
	atomic_init(&r->resumed, false);
	client_text(client_addr(conn), r->client);
	r->v.method = r->method;
	r->v.path = r->path;
	r->v.cx = &r->cx;
	r->v.csrf = "";
	r->v.client = r->client;
	r->v.tls = srv.tls;
	r->cx.audit_key = &srv.key;
	r->cx.screen = srv.screen;
	r->is_api = !strncmp(r->path, "/api/", 5) || !strcmp(r->path, "/api");
	atomic_fetch_add(&srv.inflight, 1);
	return r;
}

static void req_free(struct req *r)
{
	if (r->resp)
		MHD_destroy_response(r->resp);
	json_decref(r->v.body);
	strbuf_release(&r->body);
	free(r->pbuf);
	free(r->path);
	free(r);
}

/* Decide what can be decided from the headers alone. */
static void begin(struct req *r)
{
	const char *cl;
	struct mmis_error err;

	if (!route_request(r))
		return;
	cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl) {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(cl, &end, 10);
		if (errno || end == cl || n > HTTP_BODY_MAX) {
			reply_problem(r, 413, NULL, "the request body is larger than 1 MiB");
			return;
		}
	}
	if (r->is_static)
		return;

	const struct route *rt = r->v.route;
	if ((rt->flags & ROUTE_LOOPBACK) && !srv.cfg->metrics_public &&
	    !is_loopback(client_addr(r->conn))) {
		reply_problem(r, 403, NULL, "only answered on the loopback interface");
		return;
	}
	if (rt->flags & ROUTE_BODY) {
		const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_TYPE);
		size_t n = strlen("application/json");
		if (!ct || strncasecmp(ct, "application/json", n) ||
		    (ct[n] && ct[n] != ';' && ct[n] != ' ')) {
			reply_problem(r, 415, NULL, "the body must be application/json");
			return;
		}
	}
	if (!(rt->flags & ROUTE_NOSTORE) || rt->perm != ROUTE_PUBLIC) {
		mmis_error_clear(&err);
		r->cx.store = thread_store(&err);
		if (!r->cx.store) {
			snprintf(r->log_error, sizeof(r->log_error), "%s", mmis_error_text(&err));
			reply_header(r, "Retry-After", "5");
			reply_problem(r, 503, NULL, "the database is not available");
			return;
		}
	}
	if (rt->perm != ROUTE_PUBLIC)
		authorize(r);
}

static void serve_static(struct req *r)
{
	struct static_file f;
	struct MHD_Response *resp;

	if (!static_open(r->path, &f)) {
		reply_problem(r, 404, NULL, "no such file");
		return;
	}
	resp = MHD_create_response_from_fd64(f.size, f.fd);
	if (!resp) {
		close(f.fd);
		reply_problem(r, 500, NULL, "out of memory");
		return;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	set_reply(r, 200, resp, f.content_type, f.size);
}

/* The whole request is here: parse the body and run the handler. */
static void finish(struct req *r)
{
	struct mmis_error err;

	if (r->too_big) {
		reply_problem(r, 413, NULL, "the request body is larger than 1 MiB");
		return;
	}
	if (r->is_static) {
		serve_static(r);
		return;
	}
	const struct route *rt = r->v.route;
	if (rt->flags & ROUTE_BODY) {
		json_t *v = NULL;
		mmis_error_clear(&err);
		if (strbuf_error(&r->body)) {
			reply_problem(r, 413, NULL, "the request body is larger than 1 MiB");
			return;
		}
		if (mjson_parse(r->body.buf ? r->body.buf : "", r->body.len, &v, &err)) {
			struct strbuf sb;
			strbuf_init(&sb, 700);
			strbuf_addf(&sb, "malformed JSON: %s", mmis_error_text(&err));
			reply_problem(r, 400, err.field, strbuf_str(&sb));
			strbuf_release(&sb);
			return;
		}
		if (!json_is_object(v)) {
			json_decref(v);
			reply_problem(r, 400, NULL, "the body must be a JSON object");
			return;
		}
		r->v.body = v;
	}
	rt->handler(r);
	if (!r->resp)
		reply_problem(r, 500, NULL, "internal error: no answer");
}

static enum MHD_Result queue(struct req *r)
{
	struct MHD_Response *resp = r->resp;
	enum MHD_Result ok;

	if (!resp) {
		/* Could not even make a response: close the connection. */
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "X-Request-Id", r->id);
	if (!r->is_static)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (srv.tls)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_STRICT_TRANSPORT_SECURITY,
					"max-age=31536000");
	if (atomic_load(&srv.stopping))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	for (int i = 0; i < r->nhdr; i++)
		MHD_add_response_header(resp, r->hdr[i].name, r->hdr[i].value);
	ok = MHD_queue_response(r->conn, r->status, resp);
	MHD_destroy_response(resp);
	r->resp = NULL;
	return ok;
}

static void delayer_add(struct req *r);

static bool has_body(struct MHD_Connection *conn)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING))
		return true;
	return cl && strcmp(cl, "0");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_size, void **con_cls)
{
	struct req *r = *con_cls;
	(void)cls;
	(void)version;

	if (!r) {
		r = req_new(conn, url, method);
		if (!r)
			return MHD_NO;
		*con_cls = r;
		begin(r);
		/* A refusal is sent at once when a body would follow (it is then never read);
		 * without a body it waits for the request's end, keeping the connection alive. */
		return r->resp && has_body(conn) ? queue(r) : MHD_YES;
	}
	if (atomic_load(&r->resumed))
		return queue(r);
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (!r->too_big && r->body.len + n > HTTP_BODY_MAX) {
			r->too_big = true;
			strbuf_release(&r->body);
		}
		if (r->too_big || r->is_static || !(r->v.route->flags & ROUTE_BODY)) {
			r->discarded += n;
			return r->discarded > DISCARD_MAX ? MHD_NO : MHD_YES;
		}
		strbuf_add(&r->body, upload_data, n);
		return MHD_YES;
	}
	if (!r->resp)
		finish(r);
	if (r->delay_s > 0 && r->resp && !atomic_load(&srv.stopping)) {
		r->due_ns = mono_ns() + (uint64_t)r->delay_s * 1000000000u;
		MHD_suspend_connection(conn);
		delayer_add(r);
		return MHD_YES;
	}
	return queue(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;
	uint64_t us;
	(void)cls;
	(void)conn;
	if (!r)
		return;
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && !r->log_error[0])
		snprintf(r->log_error, sizeof(r->log_error), "connection ended early (%d)", (int)toe);
	us = (mono_ns() - r->start_ns) / 1000;
	metrics_record(r->row, r->method, r->status, us);
	log_request(r, us);
	req_free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&srv.inflight, 1);
}

/* ---- held-back replies: one thread resumes suspended connections when their time comes */

static void delayer_add(struct req *r)
{
	pthread_mutex_lock(&srv.dl_mu);
	r->dl_next = srv.dl_head;
	srv.dl_head = r;
	pthread_cond_signal(&srv.dl_cv);
	pthread_mutex_unlock(&srv.dl_mu);
}

static void *delayer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&srv.dl_mu);
	for (;;) {
		uint64_t now = mono_ns(), next = UINT64_MAX;
		struct req *due = NULL, **pp = &srv.dl_head;
		while (*pp) {
			struct req *q = *pp;
			if (srv.dl_flush || q->due_ns <= now) {
				*pp = q->dl_next;
				q->dl_next = due;
				due = q;
			} else {
				if (q->due_ns < next)
					next = q->due_ns;
				pp = &q->dl_next;
			}
		}
		if (due) {
			/* Resume outside the lock: MHD takes its own. */
			pthread_mutex_unlock(&srv.dl_mu);
			while (due) {
				struct req *q = due;
				due = q->dl_next;
				atomic_store(&q->resumed, true);
				MHD_resume_connection(q->conn);
			}
			pthread_mutex_lock(&srv.dl_mu);
			continue;
		}
		if (srv.dl_quit)
			break;
		if (next == UINT64_MAX) {
			pthread_cond_wait(&srv.dl_cv, &srv.dl_mu);
		} else {
			struct timespec ts = { .tv_sec = (time_t)(next / 1000000000u),
					       .tv_nsec = (long)(next % 1000000000u) };
			pthread_cond_timedwait(&srv.dl_cv, &srv.dl_mu, &ts);
		}
	}
	pthread_mutex_unlock(&srv.dl_mu);
	return NULL;
}

static void delayer_flush(bool quit)
{
	pthread_mutex_lock(&srv.dl_mu);
	srv.dl_flush = true;
	srv.dl_quit = srv.dl_quit || quit;
	pthread_cond_signal(&srv.dl_cv);
	pthread_mutex_unlock(&srv.dl_mu);
}

/* ---- start-up and the main loop */

void server_print_routes(FILE *out)
{
	for (size_t i = 0; i < server_route_count; i++)
		fprintf(out, "%s %s\n", server_routes[i].method, server_routes[i].pattern);
}

static enum mmis_err parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len,
				  struct mmis_error *err)
{
	char host[256], port[16];
	const char *colon;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	size_t hl;
	int rc;

	if (!listen || !*listen)
		return mmis_error_set(err, MMIS_EINVAL, "listen", "--listen needs ADDR:PORT");
	if (listen[0] == '[') {
		const char *close_br = strchr(listen, ']');
		if (!close_br || close_br[1] != ':')
			return mmis_error_set(err, MMIS_EINVAL, "listen",
					      "--listen %s: expected [ADDR]:PORT", listen);
		hl = (size_t)(close_br - listen - 1);
		if (hl >= sizeof(host))
			return mmis_error_set(err, MMIS_EINVAL, "listen", "--listen: address too long");
		memcpy(host, listen + 1, hl);
		colon = close_br + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon)
			return mmis_error_set(err, MMIS_EINVAL, "listen",
					      "--listen %s: expected ADDR:PORT", listen);
		hl = (size_t)(colon - listen);
		if (hl >= sizeof(host))
			return mmis_error_set(err, MMIS_EINVAL, "listen", "--listen: address too long");
		memcpy(host, listen, hl);
	}
	host[hl] = '\0';
	char *end;
	errno = 0;
	long p = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || p < 0 || p > 65535)
		return mmis_error_set(err, MMIS_EINVAL, "listen", "--listen %s: bad port", listen);
	snprintf(port, sizeof(port), "%ld", p);
	rc = getaddrinfo(hl ? host : NULL, port, &hints, &res);
	if (rc || !res)
		return mmis_error_set(err, MMIS_EINVAL, "listen", "--listen %s: %s", listen,
				      rc ? gai_strerror(rc) : "no address");
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return MMIS_OK;
}

static enum mmis_err read_small_file(const char *path, char **out, struct mmis_error *err)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb;
	char buf[4096];
	size_t n;

	if (!f)
		return mmis_error_set(err, MMIS_EIO, NULL, "%s: %s", path, strerror(errno));
	strbuf_init(&sb, TLS_FILE_MAX);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	bool bad = ferror(f);
	fclose(f);
	if (bad || strbuf_error(&sb)) {
		strbuf_release(&sb);
		return mmis_error_set(err, MMIS_EIO, NULL, "%s: cannot read (or larger than 1 MiB)",
				      path);
	}
	*out = strbuf_detach(&sb, NULL);
	return *out ? MMIS_OK : mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
}

/* The database must answer and be at this binary's schema before the server starts. */
static enum mmis_err check_store(struct store **out, struct mmis_error *err)
{
	int version = 0;
	if (store_open(srv.cfg->db_url, 0, out, err))
		return err->code;
	if (store_schema_version(*out, &version, err))
		return err->code;
	if (version < store_schema_latest())
		return mmis_error_set(err, MMIS_EVERSION, NULL,
				      "the database is at schema version %d, this mmis needs %d "
				      "(run mmis init)",
				      version, store_schema_latest());
	if (version > store_schema_latest())
		return mmis_error_set(err, MMIS_EVERSION, NULL,
				      "the database was made by a newer mmis (schema %d)", version);
	return MMIS_OK;
}

static struct MHD_Daemon *start_daemon(unsigned flags, unsigned threads,
				       const struct sockaddr_storage *ss, const char *cert,
				       const char *key)
{
	if (cert)
		return MHD_start_daemon(
			flags | MHD_USE_TLS, 0, NULL, NULL, on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER,
			mhd_logger, NULL, MHD_OPTION_SOCK_ADDR,
			(const struct sockaddr *)ss, MHD_OPTION_THREAD_POOL_SIZE, threads,
			MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT,
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S,
			MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_HTTPS_MEM_CERT, cert,
			MHD_OPTION_HTTPS_MEM_KEY,
			key, MHD_OPTION_END);
	return MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL,
		MHD_OPTION_SOCK_ADDR,
		(const struct sockaddr *)ss, MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)CONNECTION_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)CONNECTION_MEMORY, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_END);
}

enum mmis_err server_run(const struct server_config *cfg, struct mmis_error *err)
{
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	struct store *maint = NULL;
	struct MHD_Daemon *d = NULL;
	char *cert = NULL, *key = NULL;
	unsigned threads = cfg->threads, flags;
	pthread_t dl_thread;
	bool dl_started = false, key_made = false;
	pthread_condattr_t ca;
	sigset_t sigs;
	enum mmis_err rc = MMIS_OK;
	MHD_socket lsock = MHD_INVALID_SOCKET;

	memset(&srv.key, 0, sizeof(srv.key));
	srv.cfg = cfg;
	atomic_init(&srv.inflight, 0);
	atomic_init(&srv.stopping, false);
	srv.dl_head = NULL;
	srv.dl_quit = srv.dl_flush = false;

	if (sodium_init() < 0)
		return mmis_error_set(err, MMIS_ENOMEM, NULL, "libsodium failed to start");
	if (parse_listen(cfg->listen, &ss, &sslen, err))
		return err->code;
	if ((cfg->tls_cert != NULL) != (cfg->tls_key != NULL))
		return mmis_error_set(err, MMIS_EINVAL, "tls", "--tls-cert and --tls-key go together");
	if (cfg->tls_cert) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
			return mmis_error_set(err, MMIS_EUNSUPPORTED, NULL,
					      "this libmicrohttpd has no TLS support");
		if (read_small_file(cfg->tls_cert, &cert, err) || read_small_file(cfg->tls_key, &key, err)) {
			free(cert);
			return err->code;
		}
		srv.tls = true;
	}
	if (audit_key_load(cfg->audit_key_path, &srv.key, err)) {
		rc = mmis_error_prefix(err, "audit key %s: ", cfg->audit_key_path);
		goto out;
	}
	if (check_store(&maint, err)) {
		rc = err->code;
		goto out;
	}
	if (static_init(cfg->web_dir, err)) {
		rc = err->code;
		goto out;
	}
	/* Every crossing is screened: the alert lists are loaded before the first request. */
	if ((rc = screen_new(cfg->db_url, &srv.screen, err)) ||
	    (rc = screen_load(srv.screen, maint, NULL, NULL, err))) {
		mmis_error_prefix(err, "loading the alert lists: ");
		goto out;
	}
	{
		json_t *st = screen_status(srv.screen);
		char *text = st ? mjson_dump(st) : NULL;
		log_event("info", "alert lists loaded", "screening", text ? text : "");
		free(text);
		json_decref(st);
	}
	if (metrics_init()) {
		rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
		goto out;
	}
	srv.openapi = openapi_document();
	if (!srv.openapi) {
		rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "could not make the OpenAPI document");
		goto out;
	}
	srv.openapi_len = strlen(srv.openapi);
	if (pthread_key_create(&srv.store_key, store_destructor)) {
		rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "pthread_key_create failed");
		goto out;
	}
	key_made = true;

	/* Signals are taken by this thread alone (sigtimedwait): block them before any thread
	 * starts, so that the workers inherit the mask. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&srv.dl_cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&dl_thread, NULL, delayer_main, NULL)) {
		rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "could not start a thread");
		goto out;
	}
	dl_started = true;

	if (threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (unsigned)n : 1;
	}
	if (threads > 256)
		threads = 256;
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
		d = start_daemon(flags | MHD_USE_EPOLL, threads, &ss, cert, key);
	if (!d)
		d = start_daemon(flags | MHD_USE_POLL, threads, &ss, cert, key);
	if (!d) {
		rc = mmis_error_set(err, MMIS_EIO, NULL,
				    "could not listen on %s (address in use, or not allowed)",
				    cfg->listen);
		goto out;
	}
	{
		const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
		char host[INET6_ADDRSTRLEN] = "", url[INET6_ADDRSTRLEN + 32];
		client_text(&ss, host);
		snprintf(url, sizeof(url), "%s://%s%s%s:%u", srv.tls ? "https" : "http",
			 ss.ss_family == AF_INET6 ? "[" : "", host, ss.ss_family == AF_INET6 ? "]" : "",
			 di ? (unsigned)di->port : 0u);
		struct strbuf sb;
		log_start(&sb);
		strbuf_addf(&sb, ",\"level\":\"info\",\"msg\":\"listening\",\"url\":");
		json_escape(&sb, url);
		strbuf_addf(&sb, ",\"threads\":%u,\"version\":\"%s\"", threads, MMIS_VERSION);
		log_end(&sb);
	}

	/* Wait for a signal; remove expired sessions now and then. */
	for (;;) {
		struct timespec ts = { .tv_sec = MAINTENANCE_S, .tv_nsec = 0 };
		int sig = sigtimedwait(&sigs, NULL, &ts);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig < 0 && errno == EAGAIN) {
			struct mmis_ctx cx = { .store = maint, .audit_key = &srv.key };
			struct mmis_error e;
			int64_t removed = 0;
			if (auth_expire_sessions(&cx, &removed, &e))
				log_event("warn", "removing expired sessions failed", "error",
					  mmis_error_text(&e));
			/* Lists imported by the command line are picked up even without traffic. */
			if (screen_poll(srv.screen, maint, &e))
				log_event("warn", "checking the alert lists failed", "error",
					  mmis_error_text(&e));
		}
	}

	/* Stop: no new connections, answer what is in flight (held-back replies at once), then
	 * stop the workers, which closes their database connections. */
	log_event("info", "stopping", NULL, NULL);
	atomic_store(&srv.stopping, true);
	lsock = MHD_quiesce_daemon(d);
	/* Refuse new connections at once (Linux stops listening on shutdown); the socket itself is
	 * closed only after the workers have stopped. */
	if (lsock != MHD_INVALID_SOCKET)
		shutdown(lsock, SHUT_RDWR);
	delayer_flush(false);
	{
		uint64_t deadline = mono_ns() + (uint64_t)GRACE_S * 1000000000u;
		while (atomic_load(&srv.inflight) > 0 && mono_ns() < deadline) {
			struct timespec nap = { .tv_sec = 0, .tv_nsec = 20 * 1000000 };
			nanosleep(&nap, NULL);
			delayer_flush(false);
		}
	}
	MHD_stop_daemon(d);
	d = NULL;
	if (lsock != MHD_INVALID_SOCKET)
		close(lsock);
	log_event("info", "stopped", NULL, NULL);

out:
	if (d)
		MHD_stop_daemon(d);
	if (dl_started) {
		delayer_flush(true);
		pthread_join(dl_thread, NULL);
		pthread_cond_destroy(&srv.dl_cv);
	}
	if (key_made)
		pthread_key_delete(srv.store_key);
	screen_free(srv.screen);
	srv.screen = NULL;
	store_close(maint);
	free(srv.openapi);
	srv.openapi = NULL;
	metrics_free();
	static_free();
	free(cert);
	if (key) {
		sodium_memzero(key, strlen(key));
		free(key);
	}
	sodium_memzero(&srv.key, sizeof(srv.key));
	return rc;
}

const char *server_openapi(size_t *len)
{
	*len = srv.openapi_len;
	return srv.openapi;
}

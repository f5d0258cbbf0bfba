/*
 * http.h - the internals of `mmis serve`: the route table, the request a handler sees, and the
 * replies it can give. Only src/server includes microhttpd.h; handlers see this header and the
 * library's.
 *
 * A request goes: route lookup (404, 405 with Allow) -> authentication (cookie session with CSRF
 * for state-changing methods, or a bearer token; 401/403) -> permission of the route (403,
 * audited) -> body (1 MiB, JSON, 413/415/400) -> handler -> one reply. Handlers are thin: read
 * the JSON with mjson_*, call the library, answer JSON.
 */
#ifndef MMIS_SERVER_HTTP_H
#define MMIS_SERVER_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "mmis/auth.h"
#include "mmis/err.h"

#define HTTP_BODY_MAX (1024 * 1024) /* request bodies beyond this are 413 */
#define ROUTE_MAX_PARAMS 4
#define ROUTE_PUBLIC (-1) /* route.perm: no authentication */

struct server_config {
	const char *listen;         /* "ADDR:PORT", "[V6ADDR]:PORT" */
	const char *tls_cert;       /* PEM files, both or neither */
	const char *tls_key;
	const char *web_dir;        /* static files; NULL or "" serves none */
	unsigned threads;           /* worker threads; 0: one per core */
	bool metrics_public;        /* /metrics from any address, not only loopback */
	const char *db_url;
	const char *audit_key_path;
};

enum route_flags {
	ROUTE_BODY = 1 << 0,     /* takes a JSON object body */
	ROUTE_LOOPBACK = 1 << 1, /* only from loopback unless metrics_public */
	ROUTE_NOSTORE = 1 << 2,  /* answers without the database */
};

struct req;

struct route {
	const char *method;
	const char *pattern;   /* "/api/v1/users/{username}/disable" */
	int perm;              /* enum perm, or ROUTE_PUBLIC */
	unsigned flags;        /* enum route_flags */
	void (*handler)(struct req *r);
	const char *summary;   /* for OpenAPI */
	const char *request_schema;  /* component name of the body, or NULL */
	const char *response_schema; /* component name of the answer, or NULL (no body) */
	unsigned status;       /* the success status */
	const char *query;     /* comma-separated query parameters, or NULL */
	const char *content_type; /* of the answer when not JSON, or NULL */
};

extern const struct route server_routes[];
extern const size_t server_route_count;

/* What a handler sees. */
struct req_view {
	const char *method;
	const char *path;
	const struct route *route;
	const char *params[ROUTE_MAX_PARAMS]; /* path parameters, in pattern order */
	json_t *body;                /* the parsed JSON object for ROUTE_BODY routes, else NULL */
	const struct mmis_ctx *cx;   /* the worker's store and the audit key */
	const struct actor *actor;   /* NULL on public routes */
	const char *csrf;            /* the session's CSRF token, "" unless via a session */
	const char *client;          /* client address as text */
	bool tls;
};

const struct req_view *req_view(const struct req *r);

/* A query parameter (NULL when absent; "" when given without a value). */
const char *req_query(struct req *r, const char *key);

/* A request header (NULL when absent). */
const char *req_header(struct req *r, const char *name);

/* Refuse query parameters outside `allowed` (comma-separated) or given twice: 400 naming it.
 * Returns true when the request may go on. */
bool req_query_only(struct req *r, const char *allowed);

/* ---- replies: exactly one per request; later calls are ignored */

/* Answer `status` with `body` (the reference is taken; NULL answers no body). */
void reply_json(struct req *r, unsigned status, json_t *body);
/* Answer `status` with a body the server keeps (not freed). */
void reply_static(struct req *r, unsigned status, const char *content_type, const char *body,
		  size_t len);
/* Answer `status` with a malloc'd body (taken). */
void reply_owned(struct req *r, unsigned status, const char *content_type, char *body, size_t len);
void reply_empty(struct req *r, unsigned status);
/* RFC 9457 problem; `field` may be NULL. */
void reply_problem(struct req *r, unsigned status, const char *field, const char *detail);
/* The problem for a library error (status from its code; 5xx without internals). */
void reply_error(struct req *r, const struct mmis_error *err);

/* Answer the library's error, or out of memory when it gave none. */
void reply_fail(struct req *r, struct mmis_error *err);

/* 200 with {"items": items} (the reference to `items` is taken; NULL means out of memory). */
void reply_items(struct req *r, json_t *items);
unsigned http_status_of(enum mmis_err code);

/* Add a header to the reply to come (Set-Cookie, Retry-After). At most a few. */
void reply_header(struct req *r, const char *name, const char *value);

/* Hold the reply back for `seconds` without blocking a worker (login failures). */
void reply_delay(struct req *r, int seconds);

/* The authenticated user for the log line, when a handler learns it (login). */
void req_set_log_user(struct req *r, const char *username);

/* ---- the engine (server.c) */

/* Serve until SIGTERM or SIGINT; then finish requests in flight and return. Prints its own
 * start-up errors into err. */
enum mmis_err server_run(const struct server_config *cfg, struct mmis_error *err);

/* "METHOD PATTERN" per route, one a line. */
void server_print_routes(FILE *out);

/* The OpenAPI document made at start-up (owned by the engine). */
const char *server_openapi(size_t *len);

/* ---- OpenAPI (openapi.c): the document for the table, made once. NULL when out of memory. */
char *openapi_document(void);

/* ---- metrics (metrics.c) */

/* Row of the metrics for a request: a route's index, or these. */
#define METRICS_ROW_STATIC ((int)server_route_count)
#define METRICS_ROW_UNMATCHED ((int)server_route_count + 1)

int metrics_init(void);
void metrics_free(void);
void metrics_record(int row, const char *method, unsigned status, uint64_t micros);
/* The Prometheus text for everything recorded, with gauges given. malloc'd; NULL on failure. */
char *metrics_render(int64_t sessions_open, bool sessions_known, size_t *len);

/* ---- static files (static.c) */

/* Prepare the web directory (resolved once). MMIS_ENOTFOUND when it is not a directory. */
enum mmis_err static_init(const char *dir, struct mmis_error *err);
void static_free(void);

struct static_file {
	int fd;             /* open, regular file; the caller owns it */
	uint64_t size;
	const char *content_type;
};

/* Open the file for URL path `path` (starting with '/'); false when there is none (404). */
bool static_open(const char *path, struct static_file *out);

#endif

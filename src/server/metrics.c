/*
 * metrics.c - request counters and latency histograms for Prometheus. Relaxed atomic counters
 * in fixed arrays: recording a request takes no lock. Rows are the routes of the table (labelled
 * with their pattern, never the raw path), static files, and everything unmatched.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "mmis/strbuf.h"

static const char *const methods[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
				       "OTHER" };
#define N_METHODS (sizeof(methods) / sizeof(methods[0]))

static const unsigned statuses[] = { 100, 200, 201, 204, 206, 301, 302, 304, 400, 401, 403, 404, 405,
				     406, 408, 409, 411, 413, 414, 415, 422, 429, 431, 500, 501,
				     503, 505, 0 /* any other */ };
#define N_STATUSES (sizeof(statuses) / sizeof(statuses[0]))

/* Upper bounds of the latency buckets, in microseconds (and seconds for the label). */
static const uint64_t bucket_us[] = { 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000,
				      500000, 1000000, 2500000, 5000000, 10000000 };
static const char *const bucket_label[] = { "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
					    "0.1", "0.25", "0.5", "1", "2.5", "5", "10" };
#define N_BUCKETS (sizeof(bucket_us) / sizeof(bucket_us[0]))

struct metrics_row {
	atomic_uint_fast64_t count[N_METHODS][N_STATUSES];
	atomic_uint_fast64_t bucket[N_BUCKETS + 1]; /* the last is +Inf */
	atomic_uint_fast64_t sum_us;
	atomic_uint_fast64_t total;
};

static struct metrics_row *rows;
static size_t n_rows;

int metrics_init(void)
{
	n_rows = server_route_count + 2;
	rows = calloc(n_rows, sizeof(*rows));
	return rows ? 0 : -1;
}

void metrics_free(void)
{
	free(rows);
	rows = NULL;
	n_rows = 0;
}

static size_t method_index(const char *method)
{
	for (size_t i = 0; i + 1 < N_METHODS; i++)
		if (!strcmp(method, methods[i]))
			return i;
	return N_METHODS - 1;
}

static size_t status_index(unsigned status)
{
	for (size_t i = 0; i + 1 < N_STATUSES; i++)
		if (statuses[i] == status)
			return i;
	return N_STATUSES - 1;
}

void metrics_record(int row, const char *method, unsigned status, uint64_t micros)
{
	struct metrics_row *m;
	size_t b = 0;

	if (!rows || row < 0 || (size_t)row >= n_rows)
		return;
	m = &rows[row];
	atomic_fetch_add_explicit(&m->count[method_index(method)][status_index(status)], 1,
				  memory_order_relaxed);
	while (b < N_BUCKETS && micros > bucket_us[b])
		b++;
	/* Buckets are stored per interval and summed when rendered (cumulative in the output). */
	atomic_fetch_add_explicit(&m->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->sum_us, micros, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->total, 1, memory_order_relaxed);
}

static const char *row_label(size_t row)
{
	if (row < server_route_count)
		return server_routes[row].pattern;
	return row == server_route_count ? "static" : "unmatched";
}

static uint64_t load(atomic_uint_fast64_t *v)
{
	return atomic_load_explicit(v, memory_order_relaxed);
}

char *metrics_render(int64_t sessions_open, bool sessions_known, size_t *len)
{
	struct strbuf sb;

	strbuf_init(&sb, 4 * 1024 * 1024);
	strbuf_addstr(&sb, "# HELP mmis_up Whether the server is up.\n# TYPE mmis_up gauge\nmmis_up 1\n");
	strbuf_addstr(&sb, "# HELP mmis_sessions_open Browser sessions not yet expired.\n"
			   "# TYPE mmis_sessions_open gauge\n");
	if (sessions_known)
		strbuf_addf(&sb, "mmis_sessions_open %lld\n", (long long)sessions_open);
	strbuf_addstr(&sb, "# HELP mmis_http_requests_total HTTP requests answered.\n"
			   "# TYPE mmis_http_requests_total counter\n");
	for (size_t r = 0; rows && r < n_rows; r++)
		for (size_t mi = 0; mi < N_METHODS; mi++)
			for (size_t si = 0; si < N_STATUSES; si++) {
				uint64_t v = load(&rows[r].count[mi][si]);
				if (!v)
					continue;
				strbuf_addf(&sb, "mmis_http_requests_total{route=\"%s\",method=\"%s\",",
					    row_label(r), methods[mi]);
				if (statuses[si])
					strbuf_addf(&sb, "status=\"%u\"} %llu\n", statuses[si],
						    (unsigned long long)v);
				else
					strbuf_addf(&sb, "status=\"other\"} %llu\n",
						    (unsigned long long)v);
			}
	strbuf_addstr(&sb, "# HELP mmis_http_request_duration_seconds Time to answer a request.\n"
			   "# TYPE mmis_http_request_duration_seconds histogram\n");
	for (size_t r = 0; rows && r < n_rows; r++) {
		uint64_t total = load(&rows[r].total), cum = 0;
		if (!total)
			continue;
		for (size_t b = 0; b <= N_BUCKETS; b++) {
			cum += load(&rows[r].bucket[b]);
			strbuf_addf(&sb, "mmis_http_request_duration_seconds_bucket{route=\"%s\",le=\"%s\"} %llu\n",
				    row_label(r), b < N_BUCKETS ? bucket_label[b] : "+Inf",
				    (unsigned long long)cum);
		}
		uint64_t sum = load(&rows[r].sum_us);
		strbuf_addf(&sb, "mmis_http_request_duration_seconds_sum{route=\"%s\"} %llu.%06llu\n",
			    row_label(r), (unsigned long long)(sum / 1000000),
			    (unsigned long long)(sum % 1000000));
		strbuf_addf(&sb, "mmis_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
			    row_label(r), (unsigned long long)total);
	}
	return strbuf_detach(&sb, len);
}

/*
 * cmd_screen.c - `mmis watchlist import`, `mmis watchlist list` and `mmis screen`: alert lists
 * and screening from the command line (docs/watchlists.md), acting as the system with the
 * operating-system user named in every audit event.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mmis/json.h"
#include "mmis/match.h"
#include "mmis/screen.h"
#include "progress.h"

#define LINE_MAX_BYTES (1024 * 1024) /* a query line longer than this is refused */

static const char *str_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* ---- watchlist import */

/* The default list name: the file's name without directory and extension, in the characters a
 * list's name may have. */
static void name_from_file(const char *file, char *out, size_t cap)
{
	const char *base = strrchr(file, '/');
	size_t k = 0;

	base = base ? base + 1 : file;
	for (const char *p = base; *p && *p != '.' && k + 1 < cap && k < WATCHLIST_NAME_MAX; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '_' || c == '-';
		out[k++] = ok ? c : '-';
	}
	out[k] = '\0';
}

int cmd_watchlist_import(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "list", required_argument, NULL, 'l' },
		{ "format", required_argument, NULL, 'f' },
		{ "source", required_argument, NULL, 's' },
		{ "category", required_argument, NULL, 'c' },
		{ "action", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct watchlist_meta m = { 0 };
	struct watchlist_import_result res;
	struct mmis_error err;
	struct progress p;
	struct cli_ctx c;
	char name[WATCHLIST_NAME_MAX + 1];
	const char *file = NULL;
	size_t i;
	json_t *e;
	FILE *in;
	bool done;
	int rc, opt;

	/* Options before or after the file. */
	for (;;) {
		while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1) {
			if (opt == 'l')
				m.name = optarg;
			else if (opt == 'f')
				m.format = optarg;
			else if (opt == 's')
				m.source = optarg;
			else if (opt == 'c')
				m.category = optarg;
			else if (opt == 'a')
				m.action = optarg;
		}
		if (done)
			return rc;
		if (optind >= argc)
			break;
		if (file)
			return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
		file = argv[optind++];
	}
	if (!file)
		return cli_usage(cli, "a CSV file is needed (- for standard input)");
	if (m.format && strcmp(m.format, "csv") && strcmp(m.format, "opensanctions"))
		return cli_usage(cli, "--format is csv or opensanctions");
	if (!m.name) {
		if (!strcmp(file, "-"))
			return cli_usage(cli, "--list NAME is needed with standard input");
		name_from_file(file, name, sizeof(name));
		m.name = name;
	}
	if (!(in = strcmp(file, "-") ? fopen(file, "r") : stdin))
		return cli_failf("%s: %s", file, strerror(errno));
	if (cli_open_ctx(cli, &c, &err)) {
		if (in != stdin)
			fclose(in);
		return cli_fail(&err);
	}
	progress_start(&p, "importing alert list (lines read, then entries saved)", 0);
	rc = watchlist_import(&c.cx, &c.actor, in, file, &m, progress_update, &p, &res, &err);
	progress_finish(&p);
	cli_close_ctx(&c);
	if (in != stdin)
		fclose(in);
	if (rc) {
		json_array_foreach(res.errors, i, e)
			fprintf(stderr, "mmis: %s: line %lld: %s%s%s\n", file,
				(long long)json_integer_value(json_object_get(e, "line")),
				json_is_string(json_object_get(e, "field")) ? str_of(e, "field") : "",
				json_is_string(json_object_get(e, "field")) ? ": " : "",
				str_of(e, "message"));
		if (json_array_size(res.errors) >= 1000)
			fprintf(stderr, "mmis: %s: (only the first 1000 bad lines are listed)\n", file);
		fprintf(stderr, "mmis: %s: %s\n", file, mmis_error_text(&err));
		json_decref(res.errors);
		return EXIT_FAILED;
	}
	json_decref(res.errors);
	printf("imported %lld entries into the list %s (generation %lld)", (long long)res.imported,
	       m.name, (long long)res.generation);
	if (res.skipped || res.dropped)
		printf("; %lld rows of other schemas than Person skipped, %lld unusable values left "
		       "out", (long long)res.skipped, (long long)res.dropped);
	putchar('\n');
	return EXIT_OK;
}

/* ---- watchlist list */

static const char *entries_text(json_t *row)
{
	static char buf[24];
	snprintf(buf, sizeof(buf), "%lld",
		 (long long)json_integer_value(json_object_get(row, "entry_count")));
	return buf;
}

static const char *generation_text(json_t *row)
{
	static char buf[24];
	snprintf(buf, sizeof(buf), "%lld",
		 (long long)json_integer_value(json_object_get(row, "generation")));
	return buf;
}

static const struct cli_column watchlist_columns[] = {
	{ "NAME", "name", 20, NULL },
	{ "CATEGORY", "category", 21, NULL },
	{ "ACTION", "action", 13, NULL },
	{ "ENTRIES", NULL, 9, entries_text },
	{ "GEN", NULL, 4, generation_text },
	{ "IMPORTED", "imported_at", 24, NULL },
	{ "SOURCE", "source", 0, NULL },
	{ 0 },
};

int cmd_watchlist_list(struct cli *cli, int argc, char **argv)
{
	return cli_list(cli, argc, argv, watchlist_list, watchlist_columns);
}

/* ---- screen: JSON lines in, JSON lines out */

/* Lines from a file descriptor, with the knowledge of whether more is there without waiting
 * (so that a batch is screened as soon as the writer pauses: interactive use works). */
struct lines {
	int fd;
	char *buf;
	size_t start, len, cap;
	bool eof, io_error;
	int64_t number;
};

static bool lines_full_line(const struct lines *l)
{
	return memchr(l->buf + l->start, '\n', l->len - l->start) != NULL;
}

/* Whether a line can be had without blocking. */
static bool lines_ready(struct lines *l)
{
	struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
	if (lines_full_line(l) || l->eof)
		return true;
	return poll(&pfd, 1, 0) > 0;
}

/*
 * The next line (without its end) in *line, *n; *too_long when it was longer than
 * LINE_MAX_BYTES (its text dropped). false at the end of the input.
 */
static bool lines_next(struct lines *l, const char **line, size_t *n, bool *too_long)
{
	*too_long = false;
	for (;;) {
		char *nl = memchr(l->buf + l->start, '\n', l->len - l->start);
		if (nl) {
			*line = l->buf + l->start;
			*n = (size_t)(nl - *line);
			l->start = (size_t)(nl - l->buf) + 1;
			if (*n && (*line)[*n - 1] == '\r')
				(*n)--;
			l->number++;
			return true;
		}
		if (l->eof) {
			if (l->start == l->len)
				return false;
			*line = l->buf + l->start;
			*n = l->len - l->start;
			l->start = l->len;
			l->number++;
			return true;
		}
		if (l->start) {
			memmove(l->buf, l->buf + l->start, l->len - l->start);
			l->len -= l->start;
			l->start = 0;
		}
		if (l->len == l->cap) {
			/* Too long: drop it up to its end. */
			*too_long = true;
			l->len = 0;
			for (;;) {
				ssize_t r = read(l->fd, l->buf, l->cap);
				char *end;
				if (r <= 0) {
					l->eof = true;
					l->io_error = r < 0;
					break;
				}
				if ((end = memchr(l->buf, '\n', (size_t)r))) {
					l->start = (size_t)(end - l->buf) + 1;
					l->len = (size_t)r;
					break;
				}
			}
			l->number++;
			*line = "";
			*n = 0;
			return true;
		}
		ssize_t r = read(l->fd, l->buf + l->len, l->cap - l->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			l->eof = true;
			l->io_error = r < 0;
			continue;
		}
		l->len += (size_t)r;
	}
}

/* One line of the batch: a query (its JSON kept alive) or the error to print for it. */
struct item {
	json_t *obj;
	struct screen_query q;
	json_t *error_line; /* set for a bad line */
};

static json_t *error_line(int64_t number, const json_t *id, const struct mmis_error *e)
{
	return json_pack("{s:O, s:I, s:{s:s?, s:s}}", "id", id ? id : json_null(), "line",
			 (json_int_t)number, "error", "field", e->field[0] ? e->field : NULL,
			 "message", mmis_error_text(e));
}

/* Screen the batch and print one line per item, in order. */
static enum mmis_err flush_batch(struct cli_ctx *c, struct item *items, size_t n,
				 struct screen_query *qs, double threshold, size_t limit,
				 struct mmis_error *err)
{
	json_t *results = NULL;
	size_t nq = 0, k = 0;
	enum mmis_err rc = MMIS_OK;

	for (size_t i = 0; i < n; i++)
		if (!items[i].error_line)
			qs[nq++] = items[i].q;
	if (nq && (rc = screen_queries(&c->cx, &c->actor, qs, nq, threshold, limit, &results, err)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		json_t *out = items[i].error_line ? items[i].error_line
						  : json_array_get(results, k++);
		char *text = out ? mjson_dump(out) : NULL;
		if (!text) {
			rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
			break;
		}
		puts(text);
		free(text);
	}
	fflush(stdout);
	json_decref(results);
	return rc;
}

static void free_items(struct item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_decref(items[i].obj);
		json_decref(items[i].error_line);
	}
}

int cmd_screen(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "threshold", required_argument, NULL, 't' },
		{ "limit", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct item *items = NULL;
	struct screen_query *qs = NULL;
	struct lines in = { .fd = STDIN_FILENO, .cap = LINE_MAX_BYTES };
	struct mmis_error err;
	struct cli_ctx c;
	double threshold = MATCH_DEFAULT_THRESHOLD;
	long long limit = 10;
	size_t n = 0;
	int64_t bad = 0;
	bool done, opened = false;
	enum mmis_err rc = MMIS_OK;
	int code, opt;

	while ((code = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1) {
		if (opt == 't' && (!cli_real(optarg, 0, 1, &threshold) || threshold <= 0))
			return cli_usage(cli, "--threshold: a number above 0 and at most 1");
		if (opt == 'l' && !cli_int(optarg, 1, SCREEN_LIMIT_MAX, &limit))
			return cli_usage(cli, "--limit: 1 to %d", SCREEN_LIMIT_MAX);
	}
	if (done)
		return code;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	mmis_error_clear(&err);
	if (!(in.buf = malloc(in.cap)) || !(items = calloc(SCREEN_BATCH_MAX, sizeof(*items))) ||
	    !(qs = calloc(SCREEN_BATCH_MAX, sizeof(*qs)))) {
		rc = mmis_error_set(&err, MMIS_ENOMEM, NULL, "out of memory");
	} else if (!(rc = cli_open_ctx(cli, &c, &err))) {
		opened = true;
		rc = cli_load_screen(cli, &c, &err);
	}
	while (!rc) {
		const char *line = "";
		size_t len = 0;
		bool too_long, more = lines_next(&in, &line, &len, &too_long);
		size_t skip = 0;
		while (more && skip < len && (line[skip] == ' ' || line[skip] == '\t'))
			skip++;
		if (more && (skip < len || too_long)) { /* blank lines are no queries */
			struct item *it = &items[n];
			struct mmis_error le;
			memset(it, 0, sizeof(*it));
			mmis_error_clear(&le);
			if (too_long)
				mmis_error_set(&le, MMIS_ETOOBIG, NULL, "the line is longer than %d bytes",
					       LINE_MAX_BYTES);
			else if (!mjson_parse_object(line, len, &it->obj, &le))
				screen_query_read(it->obj, NULL, &it->q, &le);
			n++;
			if (le.code) {
				const json_t *id = json_object_get(it->obj, "id");
				bad++;
				it->error_line = error_line(in.number, json_is_string(id) ||
							    json_is_integer(id) ? id : NULL, &le);
				if (!it->error_line) {
					rc = mmis_error_set(&err, MMIS_ENOMEM, NULL, "out of memory");
					break;
				}
			}
		}
		if (n && (!more || n == SCREEN_BATCH_MAX || !lines_ready(&in))) {
			rc = flush_batch(&c, items, n, qs, threshold, (size_t)limit, &err);
			free_items(items, n);
			n = 0;
		}
		if (!more)
			break;
	}
	free_items(items, n);
	if (!rc && in.io_error)
		rc = mmis_error_set(&err, MMIS_EIO, NULL, "cannot read standard input");
	if (opened)
		cli_close_ctx(&c);
	free(in.buf);
	free(items);
	free(qs);
	if (rc)
		return cli_fail(&err);
	if (bad) {
		fprintf(stderr, "mmis: %lld bad line%s (answered with an error line each)\n",
			(long long)bad, bad == 1 ? "" : "s");
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

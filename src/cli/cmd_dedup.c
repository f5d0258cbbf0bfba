/*
 * cmd_dedup.c - `mmis dedup` (detect duplicate persons and store proposals) and `mmis dedup
 * list|show|accept|reject|revert` (the review), acting as the system with the operating-system
 * user named in every audit event. docs/dedup.md.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "mmis/dedup.h"
#include "mmis/json.h"
#include "progress.h"

#define PAIRS_SHOWN 50 /* pairs printed by a detection; the rest are in `mmis dedup list` */

static const char *str_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* "SMIRNOV, DMITRII (Смирнов Дмитрий) M 1984-06-12 RUS" */
static void person_line(char *buf, size_t cap, const json_t *p)
{
	const char *st = str_of(p, "surname_typed"), *gt = str_of(p, "given_names_typed");
	int n = snprintf(buf, cap, "%s, %s", str_of(p, "surname"), str_of(p, "given_names"));
	if (n < 0 || (size_t)n >= cap)
		return;
	/* The typed name when it says more than the document's form (another script, letters). */
	if ((*st || *gt) && (strcasecmp(st, str_of(p, "surname")) ||
			     strcasecmp(gt, str_of(p, "given_names"))))
		n += snprintf(buf + n, cap - (size_t)n, " (%s%s%s)", st, *st && *gt ? " " : "", gt);
	if (n < 0 || (size_t)n >= cap)
		return;
	snprintf(buf + n, cap - (size_t)n, "  %s %s %s", *str_of(p, "sex") ? str_of(p, "sex") : "-",
		 *str_of(p, "birth_date") ? str_of(p, "birth_date") : "-",
		 *str_of(p, "nationality") ? str_of(p, "nationality") : "-");
}

/* A pair: the score, both persons, and one line per reason. */
static void print_pair(const json_t *o, const char *label)
{
	const json_t *persons = json_object_get(o, "persons"), *r;
	char line[512];
	size_t i;

	for (i = 0; i < 2 && i < json_array_size(persons); i++) {
		const json_t *p = json_array_get(persons, i);
		person_line(line, sizeof(line), p);
		if (i == 0)
			printf("%.2f  %-10s %s  %s\n", json_real_value(json_object_get(o, "score")),
			       label, str_of(p, "id"), line);
		else
			printf("      %-10s %s  %s\n", "", str_of(p, "id"), line);
	}
	json_array_foreach(json_object_get(o, "reasons"), i, r) {
		double effect = json_number_value(json_object_get(r, "effect"));
		printf("        - %s", str_of(r, "text"));
		if (effect >= 0.005 || effect <= -0.005)
			printf(" (%+.2f)", effect);
		putchar('\n');
	}
}

/* Progress of a detection: one bar (or counter) per phase, on a terminal only. */
struct detect_progress {
	struct progress p;
	int phase;
};

static void on_progress(void *ctx, enum dedup_phase phase, uint64_t done, uint64_t total)
{
	static const char *const labels[] = {
		[DEDUP_LOADING] = "reading persons",
		[DEDUP_INDEXING] = "indexing names",
		[DEDUP_COMPARING] = "comparing: pairs found",
		[DEDUP_STORING] = "storing proposals",
	};
	struct detect_progress *d = ctx;

	if (d->phase != (int)phase) {
		if (d->phase >= 0)
			progress_finish(&d->p);
		progress_start(&d->p, labels[phase], total);
		d->phase = (int)phase;
	}
	progress_update(&d->p, done);
}

int cmd_dedup(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "threshold", required_argument, NULL, 't' },
		{ "threads", required_argument, NULL, 'n' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct dedup_options o = { 0 };
	struct dedup_result res;
	struct detect_progress dp = { .phase = -1 };
	struct mmis_error err;
	struct cli_ctx c;
	long long threads = 0;
	bool json = false, done;
	int rc, opt;

	while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1) {
		if (opt == 't' && !cli_real(optarg, DEDUP_THRESHOLD_MIN, 1, &o.threshold))
			return cli_usage(cli, "--threshold: a number from %.2f to 1", DEDUP_THRESHOLD_MIN);
		if (opt == 'n' && !cli_int(optarg, 1, 256, &threads))
			return cli_usage(cli, "--threads: a whole number from 1 to 256");
		o.dry_run = o.dry_run || opt == 'd';
		json = json || opt == 'j';
	}
	if (done)
		return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s' (the review commands are dedup list, "
				 "show, accept, reject and revert)", argv[optind]);
	o.threads = (unsigned)threads;
	o.want_pairs = true;
	o.progress = on_progress;
	o.progress_ctx = &dp;
	if (cli_open_ctx(cli, &c, &err))
		return cli_fail(&err);
	rc = dedup_run(&c.cx, &c.actor, &o, &res, &err);
	if (dp.phase >= 0)
		progress_finish(&dp.p);
	cli_close_ctx(&c);
	if (rc)
		return cli_fail(&err);
	if (json) {
		json_t *out = json_pack("{s:b, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:O}",
					"dry_run", o.dry_run, "threshold", res.threshold, "persons",
					(json_int_t)res.persons, "unusable", (json_int_t)res.unusable,
					"found", (json_int_t)res.found, "names_only",
					(json_int_t)res.names_only, "proposed",
					(json_int_t)res.proposed, "refreshed", (json_int_t)res.refreshed,
					"skipped", (json_int_t)res.skipped, "elapsed_ms",
					(json_int_t)res.elapsed_ms, "pairs", res.pairs);
		rc = out ? cli_print_json(out) : cli_failf("out of memory");
		json_decref(out);
		json_decref(res.pairs);
		return rc;
	}
	printf("compared %lld persons at threshold %.2f in %.1f s%s\n", (long long)res.persons,
	       res.threshold, (double)res.elapsed_ms / 1000.0, o.dry_run ? " (dry run: nothing stored)" : "");
	if (res.unusable)
		printf("left out %lld persons whose names do not normalise\n", (long long)res.unusable);
	printf("pairs at or above the threshold: %lld (%lld new proposals, %lld open proposals "
	       "refreshed, %lld decided before and not proposed again)\n", (long long)res.found,
	       (long long)res.proposed, (long long)res.refreshed, (long long)res.skipped);
	if (res.names_only)
		printf("not proposed: %lld pairs alike in name only (no birth date agrees, no document "
		       "is shared)\n", (long long)res.names_only);
	size_t i, shown = 0;
	json_t *pr;
	json_array_foreach(res.pairs, i, pr) {
		const char *st = str_of(pr, "status");
		if (strcmp(st, "new") && strcmp(st, "proposed"))
			continue; /* decided before: the decision stands */
		if (shown++ == PAIRS_SHOWN) {
			printf("\n... and more: mmis dedup list\n");
			break;
		}
		putchar('\n');
		print_pair(pr, st);
	}
	if (!o.dry_run && res.proposed)
		printf("\nReview them with `mmis dedup list` or on the web page Duplicates.\n");
	json_decref(res.pairs);
	return EXIT_OK;
}

/* A command's one ID argument, before or after its options. */
static int id_and_options(struct cli *cli, int argc, char **argv, const struct option *opts,
			  void (*take)(int opt, const char *arg, void *ctx), void *ctx,
			  const char **id)
{
	bool done;
	int rc, opt;

	*id = NULL;
	if (argc > 1 && argv[1][0] != '-') {
		*id = argv[1];
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1)
		take(opt, optarg, ctx);
	if (done)
		return rc;
	if (!*id && optind < argc)
		*id = argv[optind++];
	if (!*id)
		return cli_usage(cli, "a proposal's id is needed (see mmis dedup list)");
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	return -1;
}

struct decision_args {
	const char *survivor, *note;
};

static void take_decision(int opt, const char *arg, void *ctx)
{
	struct decision_args *d = ctx;
	if (opt == 's')
		d->survivor = arg;
	else if (opt == 'n')
		d->note = arg;
}

static void print_merge(const json_t *m)
{
	const json_t *moved = json_object_get(m, "moved"), *v;
	const char *k;

	printf("proposal %s: %s\n", str_of(m, "id"), str_of(m, "status"));
	print_pair(m, "");
	if (*str_of(m, "survivor_id"))
		printf("survivor %s, merged %s\n", str_of(m, "survivor_id"), str_of(m, "merged_id"));
	if (json_object_size(moved)) {
		printf("moved:");
		json_object_foreach((json_t *)moved, k, v)
			printf(" %lld %s", (long long)json_integer_value(v), k);
		putchar('\n');
	}
}

enum verb { VERB_ACCEPT, VERB_REJECT, VERB_REVERT };

static int decide(struct cli *cli, int argc, char **argv, enum verb verb)
{
	static const struct option accept_opts[] = {
		{ "survivor", required_argument, NULL, 's' },
		{ "note", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const struct option note_opts[] = {
		{ "note", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct decision_args d = { 0 };
	struct mmis_error err;
	struct cli_ctx c;
	const char *id;
	json_t *m = NULL;
	int rc;

	if ((rc = id_and_options(cli, argc, argv, verb == VERB_ACCEPT ? accept_opts : note_opts,
				 take_decision, &d, &id)) != -1)
		return rc;
	if (verb == VERB_REVERT && (!d.note || !*d.note))
		return cli_usage(cli, "--note is needed: say why the merge is undone");
	if (cli_open_ctx(cli, &c, &err))
		return cli_fail(&err);
	switch (verb) {
	case VERB_ACCEPT:
		rc = merge_accept(&c.cx, &c.actor, id, d.survivor, d.note, &m, &err);
		break;
	case VERB_REJECT:
		rc = merge_reject(&c.cx, &c.actor, id, d.note, &m, &err);
		break;
	case VERB_REVERT:
		rc = merge_revert(&c.cx, &c.actor, id, d.note, &m, &err);
		break;
	}
	cli_close_ctx(&c);
	if (rc)
		return cli_fail(&err);
	print_merge(m);
	json_decref(m);
	return EXIT_OK;
}

int cmd_dedup_accept(struct cli *cli, int argc, char **argv)
{
	return decide(cli, argc, argv, VERB_ACCEPT);
}

int cmd_dedup_reject(struct cli *cli, int argc, char **argv)
{
	return decide(cli, argc, argv, VERB_REJECT);
}

int cmd_dedup_revert(struct cli *cli, int argc, char **argv)
{
	return decide(cli, argc, argv, VERB_REVERT);
}

static void take_json(int opt, const char *arg, void *ctx)
{
	(void)arg;
	if (opt == 'j')
		*(bool *)ctx = true;
}

int cmd_dedup_show(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct mmis_error err;
	struct cli_ctx c;
	const char *id;
	bool json = false;
	json_t *m = NULL, *p;
	size_t i;
	int rc;

	if ((rc = id_and_options(cli, argc, argv, opts, take_json, &json, &id)) != -1)
		return rc;
	if (cli_open_ctx(cli, &c, &err))
		return cli_fail(&err);
	rc = merge_get(&c.cx, &c.actor, id, &m, &err);
	cli_close_ctx(&c);
	if (rc)
		return cli_fail(&err);
	if (json) {
		rc = cli_print_json(m);
		json_decref(m);
		return rc;
	}
	print_merge(m);
	const json_t *stay = json_object_get(m, "stay"), *st;
	json_array_foreach(json_object_get(stay, "each"), i, st)
		printf("stay of record %zu today: %s\n", i + 1, str_of(st, "summary"));
	if ((st = json_object_get(stay, "together")))
		printf("stay of both records together today: %s%s\n", str_of(st, "summary"),
		       json_integer_value(json_object_get(st, "overstay_days")) > 0 ? " (overstay)" : "");
	json_array_foreach(json_object_get(m, "persons"), i, p) {
		const json_t *counts = json_object_get(p, "counts"), *d, *v;
		const char *k;
		size_t j;
		printf("\n%s:", str_of(p, "id"));
		json_object_foreach((json_t *)counts, k, v)
			printf(" %lld %s", (long long)json_integer_value(v), k);
		putchar('\n');
		json_array_foreach(json_object_get(p, "documents"), j, d)
			printf("  document %s %s %s, expires %s\n", str_of(d, "type"),
			       str_of(d, "issuing_state"), str_of(d, "number"),
			       *str_of(d, "expiry_date") ? str_of(d, "expiry_date") : "-");
		if (*str_of(p, "last_crossing_at"))
			printf("  last crossing %s\n", str_of(p, "last_crossing_at"));
	}
	json_decref(m);
	return EXIT_OK;
}

int cmd_dedup_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "status", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ "offset", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct mmis_error err;
	struct cli_ctx c;
	const char *status = NULL;
	long long limit = 50, offset = 0;
	bool json = false, done;
	json_t *res = NULL, *m;
	size_t i;
	int rc, opt;

	while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1) {
		if (opt == 's')
			status = optarg;
		else if (opt == 'l' && !cli_int(optarg, 1, MERGE_LIST_MAX, &limit))
			return cli_usage(cli, "--limit: a whole number from 1 to %d", MERGE_LIST_MAX);
		else if (opt == 'o' && !cli_int(optarg, 0, 1000000000L, &offset))
			return cli_usage(cli, "--offset: a whole number, 0 or more");
		json = json || opt == 'j';
	}
	if (done)
		return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (cli_open_ctx(cli, &c, &err))
		return cli_fail(&err);
	rc = merge_list(&c.cx, &c.actor, status, (int)limit, (int)offset, &res, &err);
	cli_close_ctx(&c);
	if (rc)
		return cli_fail(&err);
	if (json) {
		rc = cli_print_json(res);
		json_decref(res);
		return rc;
	}
	printf("%-36s %-9s %-5s %s\n", "PROPOSAL", "STATUS", "SCORE", "PERSONS");
	json_array_foreach(json_object_get(res, "items"), i, m) {
		const json_t *ps = json_object_get(m, "persons");
		char a[256], b[256];
		person_line(a, sizeof(a), json_array_get(ps, 0));
		person_line(b, sizeof(b), json_array_get(ps, 1));
		printf("%-36s %-9s %.2f  %s\n%-53s %s\n", str_of(m, "id"), str_of(m, "status"),
		       json_real_value(json_object_get(m, "score")), a, "", b);
	}
	long long total = json_integer_value(json_object_get(res, "total"));
	size_t shown = json_array_size(json_object_get(res, "items"));
	if ((long long)offset + (long long)shown < total)
		printf("(%zu of %lld shown from %lld: --offset %lld for more)\n", shown, total,
		       (long long)offset, (long long)offset + (long long)shown);
	json_decref(res);
	return EXIT_OK;
}

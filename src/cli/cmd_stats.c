/*
 * cmd_stats.c - `mmis stats ...`, `mmis series ...` and `mmis indicators`: statistics, official
 * series and national indicators from the command line (lib/stats), acting as the system with
 * the operating-system user named in every audit event. The minimum cell is the deployment's
 * ($MMIS_MIN_CELL, default 5) unless --min-cell says otherwise.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mmis/json.h"
#include "mmis/stats.h"

static const char *str_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* A library error on a query's field as a usage error naming the option ("--min-cell: ..."). */
static int query_usage(struct cli *cli, const struct mmis_error *err)
{
	static const char *const fields[] = { "by", "from", "to", "on", "min_cell", "format", NULL };
	for (size_t i = 0; fields[i]; i++) {
		size_t n = strlen(fields[i]);
		if (strcmp(err->field, fields[i]))
			continue;
		char opt[16];
		snprintf(opt, sizeof(opt), "%s", fields[i]);
		for (char *p = opt; *p; p++)
			if (*p == '_')
				*p = '-';
		const char *msg = err->message;
		if (!strncmp(msg, fields[i], n) && msg[n] == ':')
			msg += n + 1 + (msg[n + 1] == ' ');
		return cli_usage(cli, "--%s: %s", opt, msg);
	}
	return cli_fail(err);
}

/* Write `len` bytes to FILE (or stdout). */
static int write_out(const char *file, const char *buf, size_t len)
{
	FILE *f = file ? fopen(file, "wb") : stdout;
	if (!f)
		return cli_failf("%s: %s", file, strerror(errno));
	size_t w = fwrite(buf, 1, len, f);
	int bad = w != len || fflush(f);
	if (file && fclose(f))
		bad = 1;
	if (bad)
		return cli_failf("%s: %s", file ? file : "standard output", strerror(errno));
	return EXIT_OK;
}

/* stats flows | refusals | overstays | cases | referrals | services */
static int stats_table_cmd(struct cli *cli, int argc, char **argv, const char *source)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "on", required_argument, NULL, 'o' },
		{ "by", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'F' },
		{ "min-cell", required_argument, NULL, 'k' },
		{ "totals", no_argument, NULL, 'T' },
		{ "output", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *from = NULL, *to = NULL, *on = NULL, *by = NULL, *format = NULL, *min = NULL;
	const char *output = NULL;
	struct stats_table *t = NULL;
	struct stats_query q;
	struct mmis_error err;
	struct cli_ctx c;
	bool totals = false, done;
	int rc, opt, k;

	while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1) {
		switch (opt) {
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'o':
			on = optarg;
			break;
		case 'b':
			by = optarg;
			break;
		case 'F':
			format = optarg;
			break;
		case 'k':
			min = optarg;
			break;
		case 'T':
			totals = true;
			break;
		case 'O':
			output = optarg;
			break;
		default:
			break;
		}
	}
	if (done)
		return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	const struct stats_source *src = stats_source_find(source);
	if (!by)
		return cli_usage(cli, "--by is needed (a comma-separated list of dimensions)");
	if (src && !src->stock && (!from || !to))
		return cli_usage(cli, "--from and --to are needed");
	if (stats_query_parse(&q, source, by, from, to, on, min, format ? format : "csv", totals,
			      &err))
		return query_usage(cli, &err);
	if (q.format == STATS_XLSX && !output && isatty(STDOUT_FILENO))
		return cli_usage(cli, "--format xlsx writes a workbook: give --output FILE.xlsx");
	if (stats_deployment_min_cell(&k, &err))
		return cli_fail(&err);
	if (cli_open_ctx(cli, &c, &err))
		return cli_fail(&err);
	rc = stats_run(&c.cx, &c.actor, &q, k, &t, &err);
	cli_close_ctx(&c);
	if (rc)
		return rc == MMIS_EINVAL && err.field[0] ? query_usage(cli, &err) : cli_fail(&err);
	char *buf = NULL;
	size_t len = 0;
	const char *ct;
	if (stats_export(t, q.format, &buf, &len, &ct, &err)) {
		stats_table_free(t);
		return cli_fail(&err);
	}
	stats_table_free(t);
	rc = write_out(output, buf, len);
	if (!rc && q.format == STATS_JSON && !output)
		putchar('\n');
	free(buf);
	return rc;
}

/* The source a `stats` command counts: its second word ("stats cases": cases), flows for
 * crossings. */
int cmd_stats_table(struct cli *cli, int argc, char **argv)
{
	const char *word = cli->cmd->name + strlen("stats ");

	return stats_table_cmd(cli, argc, argv, strcmp(word, "flows") ? word : "crossings");
}

int cmd_stats_rebuild(struct cli *cli, int argc, char **argv)
{
	struct mmis_error err;
	struct cli_ctx c;
	int64_t n = 0;
	bool done;
	int rc, opt;

	while ((rc = cli_getopt(cli, argc, argv, NULL, &opt, &done)) == -1)
		;
	if (done)
		return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (cli_open_ctx(cli, &c, &err))
		return cli_fail(&err);
	rc = stats_rebuild(&c.cx, &c.actor, &n, &err);
	cli_close_ctx(&c);
	if (rc)
		return cli_fail(&err);
	printf("rebuilt the statistics' roll-ups from %lld crossings\n", (long long)n);
	return EXIT_OK;
}

int cmd_stats_alerts(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "month", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *month = NULL;
	struct mmis_error err;
	struct cli_ctx c;
	json_t *o = NULL, *a;
	bool json = false, done;
	size_t i;
	int rc, opt, k;

	while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1) {
		if (opt == 'm')
			month = optarg;
		else if (opt == 'j')
			json = true;
	}
	if (done)
		return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (stats_deployment_min_cell(&k, &err))
		return cli_fail(&err);
	if (cli_open_ctx(cli, &c, &err))
		return cli_fail(&err);
	rc = stats_alerts(&c.cx, &c.actor, month, k, &o, &err);
	cli_close_ctx(&c);
	if (rc)
		return rc == MMIS_EINVAL && !strcmp(err.field, "month") ?
			       cli_usage(cli, "--month: YYYY-MM") : cli_fail(&err);
	if (json) {
		rc = cli_print_json(o);
	} else {
		printf("seasonal alerts for %s (%lld BCPs with at least two earlier years)\n",
		       str_of(o, "month"), (long long)json_integer_value(json_object_get(o, "checked")));
		json_array_foreach(json_object_get(o, "alerts"), i, a)
			printf("  %-8s %-28.28s %6lld arrivals, expected %.0f (%.0f to %.0f): %s, z %.1f\n",
			       str_of(a, "bcp"), str_of(a, "name"),
			       (long long)json_integer_value(json_object_get(a, "count")),
			       json_real_value(json_object_get(a, "expected")),
			       json_real_value(json_object_get(a, "low")),
			       json_real_value(json_object_get(a, "high")), str_of(a, "direction"),
			       json_real_value(json_object_get(a, "z")));
		if (!json_array_size(json_object_get(o, "alerts")))
			printf("  none\n");
	}
	json_decref(o);
	return rc;
}

int cmd_series_import(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "country", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *file = NULL, *country = NULL;
	struct mmis_error err;
	struct cli_ctx c;
	json_t *errors = NULL, *e;
	int64_t n = 0;
	bool done;
	size_t i;
	int rc, opt;
	FILE *in;

	/* The file may come first: `series import FILE --country SRB`. */
	if (argc > 1 && (argv[1][0] != '-' || !strcmp(argv[1], "-"))) {
		file = argv[1];
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1)
		if (opt == 'c')
			country = optarg;
	if (done)
		return rc;
	if (!file && optind >= argc)
		return cli_usage(cli, "a CSV file is needed (- for standard input)");
	if (!file)
		file = argv[optind++];
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (!(in = strcmp(file, "-") ? fopen(file, "r") : stdin))
		return cli_failf("%s: %s", file, strerror(errno));
	if (cli_open_ctx(cli, &c, &err)) {
		if (in != stdin)
			fclose(in);
		return cli_fail(&err);
	}
	rc = series_import(&c.cx, &c.actor, in, file, country, &n, &errors, &err);
	cli_close_ctx(&c);
	if (in != stdin)
		fclose(in);
	if (rc) {
		json_array_foreach(errors, i, e)
			fprintf(stderr, "mmis: %s: line %lld: %s\n", file,
				(long long)json_integer_value(json_object_get(e, "line")),
				str_of(e, "message"));
		json_decref(errors);
		fprintf(stderr, "mmis: %s: %s\n", file, mmis_error_text(&err));
		return EXIT_FAILED;
	}
	json_decref(errors);
	printf("imported %lld values\n", (long long)n);
	return EXIT_OK;
}

int cmd_series_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "country", required_argument, NULL, 'c' },
		{ "indicator", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *country = NULL, *indicator = NULL;
	struct mmis_error err;
	struct cli_ctx c;
	json_t *list = NULL, *o;
	bool json = false, done;
	size_t i;
	int rc, opt;

	while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1) {
		if (opt == 'c')
			country = optarg;
		else if (opt == 'i')
			indicator = optarg;
		else if (opt == 'j')
			json = true;
	}
	if (done)
		return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (cli_open_ctx(cli, &c, &err))
		return cli_fail(&err);
	rc = series_list(&c.cx, &c.actor, country, indicator, &list, &err);
	cli_close_ctx(&c);
	if (rc)
		return cli_fail(&err);
	if (json) {
		rc = cli_print_json(list);
	} else {
		printf("%-7s %-24s %-8s %18s  %s\n", "COUNTRY", "INDICATOR", "PERIOD", "VALUE", "SOURCE");
		json_array_foreach(list, i, o)
			printf("%-7s %-24s %-8s %18s  %s\n", str_of(o, "country"), str_of(o, "indicator"),
			       str_of(o, "period"), str_of(o, "value_text"), str_of(o, "source"));
	}
	json_decref(list);
	return rc;
}

static void print_figure(const char *label, const json_t *f, const char *unit)
{
	if (!json_is_object(f)) {
		printf("  %-28s -  (no figure)\n", label);
		return;
	}
	json_t *v = json_object_get(f, "value");
	if (json_is_integer(v))
		printf("  %-28s %lld%s  (%s, %s)\n", label, (long long)json_integer_value(v), unit,
		       str_of(f, "source"), str_of(f, "period"));
	else
		printf("  %-28s %.1f%s  (%s, %s)\n", label, json_number_value(v), unit,
		       str_of(f, "source"), str_of(f, "period"));
}

int cmd_indicators(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "country", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *year_s = NULL, *country = NULL;
	struct mmis_error err;
	struct cli_ctx c;
	json_t *o = NULL;
	bool json = false, done;
	long long year = 0;
	int rc, opt;

	while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1) {
		if (opt == 'y')
			year_s = optarg;
		else if (opt == 'c')
			country = optarg;
		else if (opt == 'j')
			json = true;
	}
	if (done)
		return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (!year_s)
		return cli_usage(cli, "--year is needed");
	if (strlen(year_s) != 4 || !cli_int(year_s, 1800, 2200, &year))
		return cli_usage(cli, "--year: a year YYYY (1800 to 2200)");
	if (cli_open_ctx(cli, &c, &err))
		return cli_fail(&err);
	rc = stats_indicators(&c.cx, &c.actor, (int)year, country, &o, &err);
	cli_close_ctx(&c);
	if (rc)
		return cli_fail(&err);
	if (json) {
		rc = cli_print_json(o);
	} else {
		json_t *lt = json_object_get(o, "long_term");
		printf("%s, %lld\n", str_of(o, "country"), year);
		print_figure("net migration rate", json_object_get(o, "net_migration_rate"),
			     " per 1,000");
		print_figure("women among immigrants", json_object_get(o, "women_pct_immigrants"),
			     " %");
		print_figure("remittances (USD)", json_object_get(o, "remittances_usd"), "");
		print_figure("population (mid-year)", json_object_get(o, "population"), "");
		print_figure("immigrants", json_object_get(o, "immigrants"), "");
		print_figure("emigrants", json_object_get(o, "emigrants"), "");
		if (json_is_object(lt))
			printf("  %-28s %lld arrivals, %lld departures, net %lld%s (border records, "
			       "12/16-month rule)\n", "long-term migration",
			       (long long)json_integer_value(json_object_get(lt, "arrivals")),
			       (long long)json_integer_value(json_object_get(lt, "departures")),
			       (long long)json_integer_value(json_object_get(lt, "net")),
			       json_is_true(json_object_get(lt, "final")) ? "" : " (provisional)");
	}
	json_decref(o);
	return rc;
}

/*
 * cmd_border.c - `mmis bcp ...`, `mmis cross import` and `mmis border overstayers`: border
 * records from the command line, acting as the system with the operating-system user named in
 * every audit event.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mmis/border.h"
#include "mmis/screen.h"
#include "mmis/json.h"
#include "progress.h"

static const char *str_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* Options of a command taking one FILE argument and nothing else. */
/*
 * The one file argument of an import and its options (`opts`, NULL for none), before or after
 * it: an option's value goes to vals[its short letter]. -1 when the command goes on.
 */
static int file_arg(struct cli *cli, int argc, char **argv, const struct option *opts,
		    const char **file, const char *vals[128])
{
	bool done;
	int rc, opt;

	*file = NULL;
	for (;;) {
		while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1)
			if (vals && opt > 0 && opt < 128)
				vals[opt] = optarg;
		if (done)
			return rc;
		if (optind >= argc)
			break;
		if (*file)
			return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
		*file = argv[optind++];
	}
	if (!*file)
		return cli_usage(cli, "a CSV file is needed (- for standard input)");
	return -1;
}

static FILE *open_input(const char *file)
{
	return strcmp(file, "-") ? fopen(file, "r") : stdin;
}

/* Every bad line, then the summary error. */
static int import_fail(const char *file, const json_t *errors, const struct mmis_error *err)
{
	size_t i;
	json_t *e;

	json_array_foreach(errors, i, e)
		fprintf(stderr, "mmis: %s: line %lld: %s\n", file,
			(long long)json_integer_value(json_object_get(e, "line")), str_of(e, "message"));
	if (json_array_size(errors) >= 1000)
		fprintf(stderr, "mmis: %s: (only the first 1000 bad lines are listed)\n", file);
	fprintf(stderr, "mmis: %s: %s\n", file, mmis_error_text(err));
	return EXIT_FAILED;
}

int cmd_bcp_add(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "kind", required_argument, NULL, 'k' },
		{ "neighbour", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *name = NULL, *kind = NULL, *nb = NULL, *code = NULL;
	struct mmis_error err;
	struct cli_ctx c;
	bool done;
	int rc, opt;

	if (argc > 1 && argv[1][0] != '-') {
		code = argv[1];
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1) {
		if (opt == 'n')
			name = optarg;
		else if (opt == 'k')
			kind = optarg;
		else if (opt == 'b')
			nb = optarg;
	}
	if (done)
		return rc;
	if (!code && optind < argc)
		code = argv[optind++];
	if (!code)
		return cli_usage(cli, "a BCP code is needed");
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (!name || !kind)
		return cli_usage(cli, "--name and --kind are needed");
	if (cli_open_ctx(cli, &c, &err))
		return cli_fail(&err);
	rc = bcp_add(&c.cx, &c.actor, code, name, kind, nb, &err);
	cli_close_ctx(&c);
	if (rc)
		return cli_fail(&err);
	printf("created BCP %s\n", code);
	return EXIT_OK;
}

static const struct cli_column bcp_columns[] = {
	{ "CODE", "code", 10, NULL },
	{ "KIND", "kind", 5, NULL },
	{ "NEIGHBOUR", "neighbour", 9, NULL },
	{ "NAME", "name", 0, NULL },
	{ 0 },
};

int cmd_bcp_list(struct cli *cli, int argc, char **argv)
{
	return cli_list(cli, argc, argv, bcp_list, bcp_columns);
}

int cmd_bcp_import(struct cli *cli, int argc, char **argv)
{
	struct mmis_error err;
	struct cli_ctx c;
	const char *file = NULL;
	json_t *errors = NULL;
	int64_t n = 0;
	FILE *in;
	int rc;

	if ((rc = file_arg(cli, argc, argv, NULL, &file, NULL)) != -1)
		return rc;
	if (!(in = open_input(file)))
		return cli_failf("%s: %s", file, strerror(errno));
	if (cli_open_ctx(cli, &c, &err)) {
		if (in != stdin)
			fclose(in);
		return cli_fail(&err);
	}
	rc = bcp_import(&c.cx, &c.actor, in, file, &n, &errors, &err);
	cli_close_ctx(&c);
	if (in != stdin)
		fclose(in);
	if (rc) {
		rc = json_array_size(errors) ? import_fail(file, errors, &err) : cli_fail(&err);
		json_decref(errors);
		return rc;
	}
	json_decref(errors);
	printf("imported %lld BCPs\n", (long long)n);
	return EXIT_OK;
}

int cmd_cross_import(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "agency", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct crossing_import_result res;
	struct mmis_error err;
	struct progress p;
	struct cli_ctx c;
	const char *file = NULL, *vals[128] = { 0 }, *agency;
	FILE *in;
	int rc;

	if ((rc = file_arg(cli, argc, argv, opts, &file, vals)) != -1)
		return rc;
	agency = vals['a'];
	if (!(in = open_input(file)))
		return cli_failf("%s: %s", file, strerror(errno));
	if (cli_open_ctx(cli, &c, &err) ||
	    (agency && actor_system_for(c.store, agency, &c.actor, &err))) {
		if (in != stdin)
			fclose(in);
		if (c.store)
			cli_close_ctx(&c);
		return cli_fail(&err);
	}
	/* The travellers are screened against the alert lists as at the border. */
	if (!(rc = cli_load_screen(cli, &c, &err))) {
		progress_start(&p, "importing crossings", 0);
		rc = crossing_import(&c.cx, &c.actor, in, file, progress_update, &p, &res, &err);
		progress_finish(&p);
	} else {
		memset(&res, 0, sizeof(res));
	}
	cli_close_ctx(&c);
	if (in != stdin)
		fclose(in);
	if (rc) {
		rc = json_array_size(res.errors) ? import_fail(file, res.errors, &err) : cli_fail(&err);
		json_decref(res.errors);
		return rc;
	}
	json_decref(res.errors);
	printf("imported %lld crossings (%lld new travellers, %lld exits without a recorded entry "
	       "flagged)\n", (long long)res.imported, (long long)res.new_persons,
	       (long long)res.flagged);
	if (res.hits)
		printf("%lld alert-list hit%s among the %lld documents screened, pending: %s\n",
		       (long long)res.hits, res.hits == 1 ? "" : "s", (long long)res.screened,
		       agency ? "the agency's officers and supervisors confirm or dismiss them" :
		       "the crossings belong to no agency (import with --agency CODE), so only "
		       "users who read every agency's crossings see them");
	return EXIT_OK;
}

/* `s` in a column `width` characters wide: cut at a character, never inside one (names are
 * UTF-8: Cyrillic, Arabic, diacritics), padded with spaces after it. */
static void print_column(const char *s, int width)
{
	int chars = 0;
	const char *p = s;
	while (*p && chars < width) {
		p++;
		while ((*p & 0xC0) == 0x80)
			p++;
		chars++;
	}
	printf("%.*s%*s", (int)(p - s), s, width - chars, "");
}

int cmd_border_overstayers(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "on", required_argument, NULL, 'o' },
		{ "csv", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct mmis_error err;
	struct cli_ctx c;
	struct date on;
	const char *on_s = NULL;
	json_t *list, *o;
	bool csv = false, json = false, done;
	size_t i;
	int rc, opt;

	while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1) {
		if (opt == 'o')
			on_s = optarg;
		else if (opt == 'c')
			csv = true;
		else if (opt == 'j')
			json = true;
	}
	if (done)
		return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (csv && json)
		return cli_usage(cli, "--csv or --json, not both");
	if (on_s && date_parse(on_s, "on", &on, &err))
		return cli_usage(cli, "--on: %s", mmis_error_text(&err));
	if (cli_open_ctx(cli, &c, &err))
		return cli_fail(&err);
	rc = border_overstayers(&c.cx, &c.actor, on_s ? &on : NULL, &list, &err);
	cli_close_ctx(&c);
	if (rc)
		return cli_fail(&err);
	if (json) {
		rc = cli_print_json(list);
	} else if (csv) {
		size_t len = 0;
		char *text = border_overstayers_csv(list, &len);
		if (!text)
			rc = cli_failf("out of memory");
		else
			fwrite(text, 1, len, stdout);
		free(text);
	} else {
		printf("%-36s %-24s %-4s %-12s %-5s %s\n", "PERSON", "NAME", "NAT", "ENTERED", "DAYS",
		       "OVERSTAY");
		json_array_foreach(list, i, o) {
			char name[128];
			snprintf(name, sizeof(name), "%s, %s", str_of(o, "surname"),
				 str_of(o, "given_names"));
			printf("%-36s ", str_of(o, "person_id"));
			print_column(name, 24);
			printf(" %-4s %-12.10s %-5lld %lld\n", str_of(o, "nationality"), str_of(o, "entered_at"),
			       (long long)json_integer_value(json_object_get(o, "days_used")),
			       (long long)json_integer_value(json_object_get(o, "overstay_days")));
		}
	}
	json_decref(list);
	return rc;
}

int cmd_stay_authorise(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "person", required_argument, NULL, 'p' },
		{ "kind", required_argument, NULL, 'k' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "days", required_argument, NULL, 'd' },
		{ "number", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *person = NULL, *kind = NULL, *from_s = NULL, *to_s = NULL, *days_s = NULL;
	const char *number = NULL;
	char id[UUID_STR_MAX];
	struct mmis_error err;
	struct cli_ctx c;
	struct date from, to;
	json_t *p = NULL;
	long long days = 0;
	bool done;
	int rc, opt;

	while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1) {
		if (opt == 'p')
			person = optarg;
		else if (opt == 'k')
			kind = optarg;
		else if (opt == 'f')
			from_s = optarg;
		else if (opt == 't')
			to_s = optarg;
		else if (opt == 'd')
			days_s = optarg;
		else if (opt == 'n')
			number = optarg;
	}
	if (done)
		return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (!person || !kind || !from_s || !to_s)
		return cli_usage(cli, "--person, --kind, --from and --to are needed");
	if (date_parse(from_s, "valid_from", &from, &err))
		return cli_usage(cli, "--from: %s", mmis_error_text(&err));
	if (date_parse(to_s, "valid_to", &to, &err))
		return cli_usage(cli, "--to: %s", mmis_error_text(&err));
	if (days_s && !cli_int(days_s, 1, 36600, &days))
		return cli_usage(cli, "--days: a number of days from 1 to 36600");
	if (cli_open_ctx(cli, &c, &err))
		return cli_fail(&err);
	rc = stay_authorisation_add(&c.cx, &c.actor, person, kind, &from, &to, (int)days, number,
				    id, &err);
	if (!rc)
		rc = person_get(&c.cx, &c.actor, person, &p, &err);
	cli_close_ctx(&c);
	if (rc)
		return cli_fail(&err);
	printf("created stay authorisation %s\n", id);
	printf("status today: %s\n", str_of(json_object_get(p, "status"), "summary"));
	json_decref(p);
	return EXIT_OK;
}

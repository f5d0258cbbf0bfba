/*
 * cmd_case.c - `mmis case list`, `mmis case access` and `mmis case settings`: protection cases
 * from the command line for scripts and operators, acting as the system with the
 * operating-system user named in every audit event. Cases are worked in the web interface and
 * the API; the command line lists them, prints the access table and sets the deployment's
 * settings (the reflection period).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mmis/protect.h"

/* Every case, page by page (the system reaches all of them). */
static enum mmis_err all_cases(const struct mmis_ctx *cx, const struct actor *a, json_t **out,
			       struct mmis_error *err)
{
	struct case_filter f = { .limit = 500 };
	json_t *all = json_array();
	enum mmis_err rc = MMIS_OK;

	*out = NULL;
	if (!all)
		return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
	for (;;) {
		json_t *page = NULL;
		if ((rc = case_list(cx, a, &f, &page, err)))
			break;
		json_t *items = json_object_get(page, "items");
		size_t n = json_array_size(items);
		json_array_extend(all, items);
		json_decref(page);
		if (n < (size_t)f.limit)
			break;
		f.offset += f.limit;
	}
	if (rc)
		json_decref(all);
	else
		*out = all;
	return rc;
}

static const char *types_text(json_t *row)
{
	static char buf[200];
	size_t i, len = 0;
	json_t *t;

	buf[0] = '\0';
	json_array_foreach(json_object_get(row, "types"), i, t)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? "," : "",
					json_string_value(t));
	return buf;
}

static const struct cli_column case_columns[] = {
	{ "ID", "id", 36, NULL },
	{ "STATE", "state", 20, NULL },
	{ "AGENCY", "agency", 12, NULL },
	{ "OPENED", "opened_on", 10, NULL },
	{ "TYPES", NULL, 0, types_text },
	{ NULL, NULL, 0, NULL },
};

int cmd_case_list(struct cli *cli, int argc, char **argv)
{
	return cli_list(cli, argc, argv, all_cases, case_columns);
}

int cmd_case_access(struct cli *cli, int argc, char **argv)
{
	bool done;
	int rc, opt;
	char *md;

	while ((rc = cli_getopt(cli, argc, argv, NULL, &opt, &done)) == -1)
		;
	if (done)
		return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (!(md = protect_access_markdown()))
		return cli_failf("out of memory");
	fputs(md, stdout);
	free(md);
	return EXIT_OK;
}

int cmd_case_settings(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reflection-days", required_argument, NULL, 'r' },
		{ "reflection-warn-days", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *days = NULL, *warn = NULL;
	long long n_days = 0, n_warn = 0;
	struct protect_settings ps;
	struct mmis_error err;
	struct cli_ctx c;
	bool done;
	int rc, opt;

	while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1)
		*(opt == 'r' ? &days : &warn) = optarg;
	if (done)
		return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (days && !cli_int(days, 1, 365, &n_days))
		return cli_usage(cli, "--reflection-days is 1 to 365");
	if (warn && !cli_int(warn, 0, 90, &n_warn))
		return cli_usage(cli, "--reflection-warn-days is 0 to 90");
	if (cli_open_ctx(cli, &c, &err))
		return cli_fail(&err);
	rc = EXIT_OK;
	if (protect_settings_get(&c.cx, &ps, &err)) {
		rc = cli_fail(&err);
	} else if ((days || warn) &&
		   (ps.reflection_days = days ? (int)n_days : ps.reflection_days,
		    ps.reflection_warn_days = warn ? (int)n_warn : ps.reflection_warn_days,
		    protect_settings_set(&c.cx, &c.actor, &ps, &err))) {
		rc = cli_fail(&err);
	} else {
		printf("reflection_days %d\nreflection_warn_days %d\n", ps.reflection_days,
		       ps.reflection_warn_days);
	}
	cli_close_ctx(&c);
	return rc;
}

/* cmd_db.c - `mmis init` and `mmis db status`: creating, upgrading and inspecting the database. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "cli.h"
#include "mmis/json.h"

int cmd_init(struct cli *cli, int argc, char **argv)
{
	struct mmis_error err;
	struct store *s = NULL;
	int from = 0, to = 0, rc, opt;
	bool done;

	while ((rc = cli_getopt(cli, argc, argv, NULL, &opt, &done)) == -1)
		;
	if (done)
		return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);

	if (store_init(cli->db_url, &s, &from, &to, &err))
		return cli_fail(&err);
	if (from == 0)
		printf("created %s (%s) at schema version %d\n", store_display_url(s),
		       store_backend_name(s), to);
	else if (from < to)
		printf("upgraded %s (%s) from schema version %d to %d\n", store_display_url(s),
		       store_backend_name(s), from, to);
	else
		printf("%s (%s) is already at schema version %d\n", store_display_url(s),
		       store_backend_name(s), to);
	store_close(s);
	return EXIT_OK;
}

/* The database's state relative to this binary, worded for people and for scripts. */
static const char *schema_state(int version, int latest)
{
	if (version == latest)
		return "current";
	return version < latest ? "needs upgrade (run `mmis init`)" : "newer than this mmis";
}

int cmd_db_status(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct mmis_error err;
	struct store *s = NULL;
	bool json = false, done;
	int rc, opt, version = 0, latest = store_schema_latest();

	while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1)
		json = json || opt == 'j';
	if (done)
		return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);

	if (cli_open_store(cli, &s, &err))
		return cli_fail(&err);
	rc = store_schema_version(s, &version, &err);
	if (rc) {
		store_close(s);
		return cli_fail(&err);
	}
	if (json) {
		json_t *o = json_pack("{s:s, s:s, s:i, s:i, s:b}", "backend", store_backend_name(s),
				      "database", store_display_url(s), "schema_version", version,
				      "schema_latest", latest, "current", version == latest);
		char *text = o ? mjson_dump(o) : NULL;
		json_decref(o);
		if (!text) {
			store_close(s);
			return cli_failf("out of memory");
		}
		puts(text);
		free(text);
	} else {
		printf("backend:        %s\n", store_backend_name(s));
		printf("database:       %s\n", store_display_url(s));
		printf("schema version: %d (this mmis: %d, %s)\n", version, latest,
		       schema_state(version, latest));
	}
	store_close(s);
	/* A database this binary cannot use is a failure for scripts too. */
	return version > latest ? EXIT_FAILED : EXIT_OK;
}

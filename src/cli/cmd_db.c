/* cmd_db.c - `mmis init` and `mmis db status`: creating, upgrading and inspecting the database. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include <sodium.h>

#include "cli.h"
#include "mmis/stats.h"
#include "mmis/json.h"

/*
 * A database upgraded to the statistics' schema while it held crossings: count them into the
 * roll-ups now, so that the statistics answer after the upgrade without a step of their own.
 */
static int init_statistics(const struct mmis_ctx *cx)
{
	struct mmis_error err;
	struct actor sys;
	bool current = false;
	int64_t n = 0;

	if (stats_rollups_current(cx->store, &current, &err))
		return cli_fail(&err);
	if (current)
		return EXIT_OK;
	printf("counting the crossings into the statistics' roll-ups (once, after the upgrade)\n");
	fflush(stdout);
	cli_actor(&sys);
	if (stats_rebuild(cx, &sys, &n, &err))
		return cli_fail(&err);
	printf("counted %lld crossings\n", (long long)n);
	return EXIT_OK;
}

/*
 * The audit key and the first administrator, once the schema is there, then the statistics'
 * roll-ups when an upgrade left them stale. The key is made when missing; the administrator when
 * there is no user yet, with the password from the file, or $MMIS_ADMIN_PASSWORD, or else a
 * generated one printed once.
 */
static int init_accounts(struct cli *cli, struct store *s, const char *pwfile)
{
	char password[PASSWORD_MAX_LEN + 2] = "", generated[SECRET_STR_MAX] = "";
	const char *env = getenv("MMIS_ADMIN_PASSWORD");
	struct mmis_error err;
	struct audit_key key;
	struct mmis_ctx cx = { .store = s, .audit_key = &key };
	enum mmis_err rc;
	int status = EXIT_OK;

	if (access(cli->audit_key_path, F_OK) && errno == ENOENT) {
		if (audit_key_create(cli->audit_key_path, &err))
			return cli_fail(&err);
		printf("created the audit key %s: keep a copy, apart from the database's backups\n",
		       cli->audit_key_path);
	}
	if (audit_key_load(cli->audit_key_path, &key, &err))
		return cli_fail(&err);
	if (pwfile)
		status = cli_read_password(pwfile, "admin", password, sizeof(password));
	else if (env && *env)
		snprintf(password, sizeof(password), "%s", env);
	if (status == EXIT_OK) {
		rc = auth_bootstrap(&cx, password[0] ? password : NULL, generated, &err);
		if (rc == MMIS_OK && generated[0])
			printf("created the administrator admin\nadmin password: %s\n", generated);
		else if (rc == MMIS_OK)
			printf("created the administrator admin\n");
		else if (rc != MMIS_ECONFLICT) /* users exist: nothing to do */
			status = cli_fail(&err);
	}
	sodium_memzero(password, sizeof(password));
	sodium_memzero(generated, sizeof(generated));
	if (status == EXIT_OK)
		status = init_statistics(&cx);
	sodium_memzero(&key, sizeof(key));
	return status;
}

int cmd_init(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "admin-password-file", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct mmis_error err;
	struct store *s = NULL;
	const char *pwfile = NULL;
	int from = 0, to = 0, rc, opt;
	bool done;

	if ((rc = cli_refuse_password_args(cli, argc, argv, "--admin-password-file")) != -1)
		return rc;
	while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1)
		if (opt == 'p')
			pwfile = optarg;
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
	rc = init_accounts(cli, s, pwfile);
	store_close(s);
	return rc;
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

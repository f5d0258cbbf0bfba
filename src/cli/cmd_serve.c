/*
 * cmd_serve.c - `mmis serve` (the HTTP server and the web interface) and `mmis demo` (a database
 * with demo data, made when missing, then served).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "../server/http.h"
#include "cli.h"
#include "mmis/audit.h"
#include "mmis/auth.h"
#include "mmis/demo.h"
#include "mmis/stats.h"
#include "mmis_config.h"

#define DEFAULT_LISTEN "127.0.0.1:8080"

static const struct option serve_opts[] = {
	{ "listen", required_argument, NULL, 'l' },
	{ "tls-cert", required_argument, NULL, 'c' },
	{ "tls-key", required_argument, NULL, 'k' },
	{ "web", required_argument, NULL, 'w' },
	{ "threads", required_argument, NULL, 't' },
	{ "metrics-public", no_argument, NULL, 'm' },
	{ "print-routes", no_argument, NULL, 'p' },
	{ "seed", required_argument, NULL, 's' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

struct serve_args {
	struct server_config cfg;
	bool web_explicit;
	bool print_routes;
	bool demo;
	uint64_t seed;
};

static bool is_dir(const char *path)
{
	struct stat st;
	return path && !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* Parse the options `serve` and `demo` share; -1 to go on, else the exit code. */
static int parse(struct cli *cli, int argc, char **argv, struct serve_args *a)
{
	int rc, opt;
	bool done;
	char *end;
	const char *env_web = getenv("MMIS_WEB_DIR");

	a->cfg.listen = DEFAULT_LISTEN;
	a->cfg.web_dir = env_web && *env_web ? env_web : MMIS_WEB_DIR_DEFAULT;
	a->web_explicit = env_web && *env_web;
	a->cfg.db_url = cli->db_url;
	a->cfg.audit_key_path = cli->audit_key_path;
	a->seed = 1;
	while ((rc = cli_getopt(cli, argc, argv, serve_opts, &opt, &done)) == -1) {
		switch (opt) {
		case 'l':
			a->cfg.listen = optarg;
			break;
		case 'c':
			a->cfg.tls_cert = optarg;
			break;
		case 'k':
			a->cfg.tls_key = optarg;
			break;
		case 'w':
			a->cfg.web_dir = optarg;
			a->web_explicit = true;
			break;
		case 't': {
			long long n;
			if (!cli_int(optarg, 1, 256, &n))
				return cli_usage(cli, "--threads needs a number from 1 to 256");
			a->cfg.threads = (unsigned)n;
			break;
		}
		case 'm':
			a->cfg.metrics_public = true;
			break;
		case 'p':
			a->print_routes = true;
			break;
		case 's': {
			if (!a->demo)
				return cli_usage(cli, "unknown option '--seed'");
			unsigned long long n = strtoull(optarg, &end, 10);
			if (*end || end == optarg || optarg[0] == '-')
				return cli_usage(cli, "--seed needs a non-negative number");
			a->seed = n;
			break;
		}
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (done)
		return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if ((a->cfg.tls_cert != NULL) != (a->cfg.tls_key != NULL))
		return cli_usage(cli, "--tls-cert and --tls-key go together");
	{
		/* The statistics' minimum cell ($MMIS_MIN_CELL): refused at start-up when bad. */
		struct mmis_error err;
		int k;
		if (stats_deployment_min_cell(&k, &err))
			return cli_fail(&err);
	}
	if (!is_dir(a->cfg.web_dir)) {
		if (a->web_explicit)
			return cli_failf("web directory %s: not a directory", a->cfg.web_dir);
		fprintf(stderr, "mmis: no web directory at %s; serving the API only\n",
			a->cfg.web_dir);
		a->cfg.web_dir = NULL;
	}
	return -1;
}

static int serve(struct serve_args *a)
{
	struct mmis_error err;

	mmis_error_clear(&err);
	if (server_run(&a->cfg, &err))
		return cli_fail(&err);
	return EXIT_OK;
}

int cmd_serve(struct cli *cli, int argc, char **argv)
{
	struct serve_args a = { 0 };
	int rc = parse(cli, argc, argv, &a);

	if (rc != -1)
		return rc;
	if (a.print_routes) {
		server_print_routes(stdout);
		return EXIT_OK;
	}
	return serve(&a);
}

static void print_accounts(const json_t *accounts)
{
	size_t i;
	json_t *acc;

	printf("\nDemo accounts (see docs/demo.md); all data is synthetic:\n\n");
	printf("  %-18s %-22s %-12s %s\n", "username", "role", "agency", "password");
	json_array_foreach(accounts, i, acc) {
		const char *u = json_string_value(json_object_get(acc, "username"));
		const char *r = json_string_value(json_object_get(acc, "role"));
		const char *g = json_string_value(json_object_get(acc, "agency"));
		const char *p = json_string_value(json_object_get(acc, "password"));
		printf("  %-18s %-22s %-12s %s\n", u ? u : "", r ? r : "", g ? g : "", p ? p : "");
	}
	printf("\n");
	fflush(stdout);
}

/* Make the database with demo data; `fresh` tells whether it had to. */
static enum mmis_err demo_prepare(struct serve_args *a, bool *fresh, struct mmis_error *err)
{
	struct store *s = NULL;
	struct audit_key key;
	int version = 0, from = 0, to = 0;
	json_t *accounts = NULL;
	enum mmis_err rc;

	*fresh = false;
	rc = store_open(a->cfg.db_url, 0, &s, err);
	if (rc == MMIS_OK) {
		rc = store_schema_version(s, &version, err);
		store_close(s);
		s = NULL;
		if (rc || version > 0)
			return rc; /* an existing database is served as it is */
	} else if (rc != MMIS_ENOTFOUND) {
		return rc;
	}
	*fresh = true;
	if (store_init(a->cfg.db_url, &s, &from, &to, err))
		return err->code;
	rc = audit_key_create(a->cfg.audit_key_path, err);
	if (rc == MMIS_ECONFLICT)
		rc = MMIS_OK; /* keep the key that is there */
	if (!rc)
		rc = audit_key_load(a->cfg.audit_key_path, &key, err);
	if (!rc) {
		struct mmis_ctx cx = { .store = s, .audit_key = &key };
		rc = demo_seed(&cx, a->seed, &accounts, err);
	}
	store_close(s);
	if (rc) {
		json_decref(accounts);
		return mmis_error_prefix(err, "making the demo database %s (remove it before trying "
					      "again): ", a->cfg.db_url);
	}
	printf("created %s with demo data (seed %llu)\n", a->cfg.db_url,
	       (unsigned long long)a->seed);
	print_accounts(accounts);
	json_decref(accounts);
	return MMIS_OK;
}

int cmd_demo(struct cli *cli, int argc, char **argv)
{
	struct serve_args a = { .demo = true };
	struct mmis_error err;
	bool fresh;
	int rc = parse(cli, argc, argv, &a);

	if (rc != -1)
		return rc;
	if (a.print_routes) {
		server_print_routes(stdout);
		return EXIT_OK;
	}
	mmis_error_clear(&err);
	if (demo_prepare(&a, &fresh, &err))
		return cli_fail(&err);
	if (!fresh)
		printf("serving the existing database %s\n", a.cfg.db_url);
	fflush(stdout);
	return serve(&a);
}

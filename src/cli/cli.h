/*
 * cli.h - what every `mmis` subcommand shares: the command table entry, the global options, and
 * the few helpers that turn library errors into messages and exit codes.
 *
 * Exit codes: 0 success; 1 the operation failed (not found, invalid data, denied, database);
 * 2 usage error (unknown command or flag, missing argument). Errors go to stderr as
 * "mmis: message". The library never prints: only this front end does.
 */
#ifndef MMIS_CLI_H
#define MMIS_CLI_H

#include <stdbool.h>

#include <jansson.h>

#include "mmis/audit.h"
#include "mmis/auth.h"
#include "mmis/err.h"
#include "mmis/store.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

struct cli {
	const char *db_url; /* --db, else $MMIS_DB, else STORE_DEFAULT_URL */
	const char *audit_key_path; /* --audit-key, else $MMIS_AUDIT_KEY, else AUDIT_KEY_DEFAULT_PATH */
	const struct command *cmd;
};

struct command {
	const char *name;    /* "init", "db status": words the user types */
	int (*run)(struct cli *cli, int argc, char **argv); /* argv[0] is the command name */
	const char *args;    /* synopsis after the name: "[--json]" */
	const char *summary; /* one line for `mmis help` */
	const char *help;    /* the rest of `mmis help COMMAND`: options, one per line; may be NULL */
};

/* Print "mmis: <text>" on stderr and return EXIT_FAILED. */
int cli_fail(const struct mmis_error *err);
int cli_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "mmis: <message>" and the command's usage on stderr; return EXIT_USAGE. */
int cli_usage(const struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The number an option gives: digits (after an optional '-') and nothing else, from min to max.
 * False for anything else (no space, '+', hex, overflow); *out is unchanged then.
 */
bool cli_int(const char *s, long long min, long long max, long long *out);
/* A decimal number (digits, '.', an optional leading '-'; no inf or nan) from min to max. */
bool cli_real(const char *s, double min, double max, double *out);

/* Print the full help of a command on stdout. */
void cli_print_help(const struct command *cmd);

/*
 * Parse the options of a subcommand with getopt_long. Handles --help itself (prints help, *done
 * set, returns EXIT_OK) and unknown options (EXIT_USAGE). Returns -1 while there are options; the
 * caller switches on *opt. Usage:
 *     while ((rc = cli_getopt(cli, argc, argv, longopts, &opt, &done)) == -1) switch (opt) { ... }
 *     if (done) return rc;
 */
struct option;
int cli_getopt(struct cli *cli, int argc, char **argv, const struct option *longopts, int *opt,
	       bool *done);

/* Open the configured database (no creation). Prints nothing; fills err. */
enum mmis_err cli_open_store(const struct cli *cli, struct store **out, struct mmis_error *err);

/* What an account or audit command works with: the database, the audit key, and the actor (the
 * system, with the operating-system user as its origin). */
struct cli_ctx {
	struct store *store;
	struct audit_key key;
	struct mmis_ctx cx;
	struct actor actor;
};

/* Open the database and load the audit key; cli_close_ctx releases both (and the screening
 * service of cli_load_screen). */
enum mmis_err cli_open_ctx(const struct cli *cli, struct cli_ctx *c, struct mmis_error *err);
/* Load the alert lists into c->cx.screen (screen.h), with a progress bar on a terminal, so that
 * what the command records is screened as at the border. */
enum mmis_err cli_load_screen(const struct cli *cli, struct cli_ctx *c, struct mmis_error *err);
void cli_close_ctx(struct cli_ctx *c);

/* The system actor, its origin naming the operating-system user ("os user alice"). */
void cli_actor(struct actor *out);

/* A password from `file` (its first line) or stdin (prompted twice without echo on a terminal).
 * `what` names whose password it is in the prompt. Prints the error itself; EXIT_OK or
 * EXIT_FAILED. */
int cli_read_password(const char *file, const char *what, char *buf, size_t cap);

/* Refuse (usage error) any --...password... option but `file_option` itself: getopt_long would
 * take "--password SECRET" for an abbreviation of it. -1 to go on, else the exit code. */
int cli_refuse_password_args(struct cli *cli, int argc, char **argv, const char *file_option);

/* Print `value` as one line of JSON on stdout. */
int cli_print_json(json_t *value);

/*
 * A listing command from a table of columns: `--json` prints the library's array as it is,
 * otherwise one aligned line per row (the last column unpadded). A column shows member `key`, or
 * what `value` derives from the row; missing values show as "-".
 */
struct cli_column {
	const char *header;
	const char *key;
	int width;
	const char *(*value)(json_t *row);
};
typedef enum mmis_err (*cli_list_fn)(const struct mmis_ctx *cx, const struct actor *a,
				     json_t **out, struct mmis_error *err);
int cli_list(struct cli *cli, int argc, char **argv, cli_list_fn fn, const struct cli_column *cols);

/* The commands, defined in their cmd_*.c files. */
int cmd_help(struct cli *cli, int argc, char **argv);
int cmd_version(struct cli *cli, int argc, char **argv);
int cmd_init(struct cli *cli, int argc, char **argv);
int cmd_db_status(struct cli *cli, int argc, char **argv);
int cmd_user_add(struct cli *cli, int argc, char **argv);
int cmd_user_list(struct cli *cli, int argc, char **argv);
int cmd_user_passwd(struct cli *cli, int argc, char **argv);
int cmd_user_disable(struct cli *cli, int argc, char **argv);
int cmd_user_enable(struct cli *cli, int argc, char **argv);
int cmd_agency_add(struct cli *cli, int argc, char **argv);
int cmd_agency_list(struct cli *cli, int argc, char **argv);
int cmd_token_create(struct cli *cli, int argc, char **argv);
int cmd_token_revoke(struct cli *cli, int argc, char **argv);
int cmd_token_list(struct cli *cli, int argc, char **argv);
int cmd_audit_verify(struct cli *cli, int argc, char **argv);
int cmd_audit_list(struct cli *cli, int argc, char **argv);
int cmd_stay_calc(struct cli *cli, int argc, char **argv);
int cmd_mrz_parse(struct cli *cli, int argc, char **argv);
int cmd_mrz_make(struct cli *cli, int argc, char **argv);

int cmd_bcp_add(struct cli *cli, int argc, char **argv);
int cmd_bcp_list(struct cli *cli, int argc, char **argv);
int cmd_bcp_import(struct cli *cli, int argc, char **argv);
int cmd_cross_import(struct cli *cli, int argc, char **argv);
int cmd_border_overstayers(struct cli *cli, int argc, char **argv);
int cmd_stay_authorise(struct cli *cli, int argc, char **argv);

int cmd_dedup(struct cli *cli, int argc, char **argv);
int cmd_dedup_list(struct cli *cli, int argc, char **argv);
int cmd_dedup_show(struct cli *cli, int argc, char **argv);
int cmd_dedup_accept(struct cli *cli, int argc, char **argv);
int cmd_dedup_reject(struct cli *cli, int argc, char **argv);
int cmd_dedup_revert(struct cli *cli, int argc, char **argv);
int cmd_case_list(struct cli *cli, int argc, char **argv);
int cmd_case_access(struct cli *cli, int argc, char **argv);
int cmd_case_settings(struct cli *cli, int argc, char **argv);
int cmd_watchlist_import(struct cli *cli, int argc, char **argv);
int cmd_watchlist_list(struct cli *cli, int argc, char **argv);
int cmd_screen(struct cli *cli, int argc, char **argv);
int cmd_stats_table(struct cli *cli, int argc, char **argv); /* flows, refusals, cases, ... */
int cmd_stats_rebuild(struct cli *cli, int argc, char **argv);
int cmd_stats_alerts(struct cli *cli, int argc, char **argv);
int cmd_series_import(struct cli *cli, int argc, char **argv);
int cmd_series_list(struct cli *cli, int argc, char **argv);
int cmd_indicators(struct cli *cli, int argc, char **argv);

int cmd_serve(struct cli *cli, int argc, char **argv);
int cmd_demo(struct cli *cli, int argc, char **argv);

#endif

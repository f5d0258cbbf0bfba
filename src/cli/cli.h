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

#include "mmis/err.h"
#include "mmis/store.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

struct cli {
	const char *db_url; /* --db, else $MMIS_DB, else STORE_DEFAULT_URL */
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

/* The commands, defined in their cmd_*.c files. */
int cmd_help(struct cli *cli, int argc, char **argv);
int cmd_version(struct cli *cli, int argc, char **argv);
int cmd_init(struct cli *cli, int argc, char **argv);
int cmd_db_status(struct cli *cli, int argc, char **argv);

#endif

/*
 * main.c - `mmis [--db URL] COMMAND [ARGS]`: the global options and the table of subcommands.
 *
 * Adding a command is adding a row to `commands` and a cmd_*.c file (git's builtin/ and commands[]).
 * Multi-word commands ("db status") are matched on their words; the longest match wins.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mmis_config.h"

static const struct command commands[] = {
	{ "help", cmd_help, "[COMMAND]", "show the commands, or one command's help", NULL },
	{ "version", cmd_version, "", "print the version of mmis and of its database schema", NULL },
	{ "init", cmd_init, "", "create the database, or upgrade it to this version's schema",
	  "  Creates the database named by --db (default ./mmis.db, or $MMIS_DB) when missing and\n"
	  "  applies every pending schema migration; safe to run again.\n" },
	{ "db status", cmd_db_status, "[--json]", "print the database backend and schema version",
	  "  --json    print one JSON object instead of text\n"
	  "  Exits 1 when the database is missing, unreachable or made by a newer mmis.\n" },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char global_usage[] = "usage: mmis [--db URL] COMMAND [ARGS]\n";

static int word_count(const char *name)
{
	int n = 1;
	for (; *name; name++)
		n += *name == ' ';
	return n;
}

/* Whether the first words of argv spell `name`. */
static bool matches(const char *name, int argc, char **argv)
{
	int words = word_count(name);
	const char *p = name;

	if (words > argc)
		return false;
	for (int i = 0; i < words; i++) {
		size_t len = strcspn(p, " ");
		if (strlen(argv[i]) != len || strncmp(argv[i], p, len))
			return false;
		p += len + (p[len] == ' ');
	}
	return true;
}

static const struct command *find_command(int argc, char **argv)
{
	const struct command *best = NULL;
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (matches(commands[i].name, argc, argv) &&
		    (!best || word_count(commands[i].name) > word_count(best->name)))
			best = &commands[i];
	return best;
}

static void print_commands(FILE *out, const char *prefix)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!prefix || !strncmp(commands[i].name, prefix, strlen(prefix)))
			fprintf(out, "  %-16s %s\n", commands[i].name, commands[i].summary);
}

void cli_print_help(const struct command *cmd)
{
	printf("usage: mmis [--db URL] %s%s%s\n\n%s.\n", cmd->name, cmd->args[0] ? " " : "", cmd->args,
	       cmd->summary);
	if (cmd->help)
		printf("\n%s", cmd->help);
}

static void print_main_help(FILE *out)
{
	fprintf(out, "%s\n", global_usage);
	fputs("mmis is a migration management information system: border crossings and stay rules,\n"
	      "protection of vulnerable migrants, return and reintegration, statistics and exchange.\n\n"
	      "Global options:\n"
	      "  --db URL      the database: a file path for SQLite (default ./mmis.db, or $MMIS_DB),\n"
	      "                or postgres://user@host:port/dbname for PostgreSQL\n"
	      "  -h, --help    show this help\n"
	      "  --version     print the version\n\n"
	      "Commands:\n",
	      out);
	print_commands(out, NULL);
	fputs("\nRun `mmis help COMMAND` or `mmis COMMAND --help` for a command's options.\n", out);
}

int cmd_help(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	if (argc < 2) {
		print_main_help(stdout);
		return EXIT_OK;
	}
	const struct command *cmd = find_command(argc - 1, argv + 1);
	if (cmd) {
		cli_print_help(cmd);
		return EXIT_OK;
	}
	fprintf(stderr, "mmis: no command '%s'\n", argv[1]);
	return EXIT_USAGE;
}

int cmd_version(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argv;
	if (argc > 1)
		return cli_usage(cli, "version takes no arguments");
	printf("mmis %s (database schema %d)\n", MMIS_VERSION, store_schema_latest());
	return EXIT_OK;
}

int cli_fail(const struct mmis_error *err)
{
	fprintf(stderr, "mmis: %s\n", mmis_error_text(err));
	return EXIT_FAILED;
}

int cli_failf(const char *fmt, ...)
{
	va_list ap;
	fputs("mmis: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAILED;
}

int cli_usage(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;
	fputs("mmis: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cli && cli->cmd)
		fprintf(stderr, "usage: mmis %s%s%s\n", cli->cmd->name, cli->cmd->args[0] ? " " : "",
			cli->cmd->args);
	else
		fputs(global_usage, stderr);
	return EXIT_USAGE;
}

int cli_getopt(struct cli *cli, int argc, char **argv, const struct option *longopts, int *opt,
	       bool *done)
{
	static const struct option help_only[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	const struct option *opts = longopts ? longopts : help_only;
	int c;

	*done = false;
	opterr = 0;
	c = getopt_long(argc, argv, "+:h", opts, NULL);
	switch (c) {
	case -1:
		return EXIT_OK;
	case 'h':
		cli_print_help(cli->cmd);
		*done = true;
		return EXIT_OK;
	case '?':
		*done = true;
		if (optopt)
			return cli_usage(cli, "unknown option '-%c'", optopt);
		return cli_usage(cli, "unknown option '%s'", argv[optind - 1]);
	case ':':
		*done = true;
		return cli_usage(cli, "option '%s' needs a value", argv[optind - 1]);
	default:
		*opt = c;
		return -1;
	}
}

enum mmis_err cli_open_store(const struct cli *cli, struct store **out, struct mmis_error *err)
{
	return store_open(cli->db_url, 0, out, err);
}

int main(int argc, char **argv)
{
	static const struct option global[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct cli cli = { .db_url = getenv("MMIS_DB") };
	const struct command *cmd;
	int c;

	if (!cli.db_url || !*cli.db_url)
		cli.db_url = STORE_DEFAULT_URL;

	/* "+": stop at the first non-option, the command; its options are its own. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", global, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (!*optarg)
				return cli_usage(NULL, "--db needs a database URL or path");
			cli.db_url = optarg;
			break;
		case 'h':
			print_main_help(stdout);
			return EXIT_OK;
		case 'V':
			return cmd_version(&cli, 1, argv);
		case ':':
			return cli_usage(NULL, "option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return cli_usage(NULL, "unknown option '-%c'", optopt);
			return cli_usage(NULL, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		print_main_help(stderr);
		return EXIT_USAGE;
	}

	cmd = find_command(argc - optind, argv + optind);
	if (!cmd) {
		/* A group word alone ("mmis db") lists its subcommands. */
		size_t n = strlen(argv[optind]);
		for (size_t i = 0; i < N_COMMANDS; i++) {
			if (!strncmp(commands[i].name, argv[optind], n) && commands[i].name[n] == ' ') {
				fprintf(stderr, "mmis: '%s' needs a subcommand:\n", argv[optind]);
				print_commands(stderr, argv[optind]);
				return EXIT_USAGE;
			}
		}
		fprintf(stderr, "mmis: '%s' is not a command; see `mmis help`\n", argv[optind]);
		return EXIT_USAGE;
	}
	cli.cmd = cmd;

	/* The command sees argv starting at its last word, as a program sees its own name. */
	int first = optind + word_count(cmd->name) - 1;
	optind = 0; /* reset getopt for the command's own options */
	return cmd->run(&cli, argc - first, argv + first);
}

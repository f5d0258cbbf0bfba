/*
 * cmd_auth.c - `mmis user ...`, `mmis agency ...` and `mmis token ...`: accounts from the command
 * line, acting as the system with the operating-system user named in every audit event.
 *
 * Passwords never come from the command line (other users see it in ps): from --password-file,
 * or stdin, with a prompt and no echo when stdin is a terminal.
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "cli.h"
#include "mmis/json.h"
#include "mmis/screen.h"
#include "progress.h"

/* ---- shared with the other account and audit commands (cli.h) */

void cli_actor(struct actor *out)
{
	const struct passwd *pw = getpwuid(getuid());
	const char *sudo = getenv("SUDO_USER");
	char name[64];

	actor_system(out);
	if (pw && pw->pw_name)
		snprintf(name, sizeof(name), "%s", pw->pw_name);
	else
		snprintf(name, sizeof(name), "uid %u", (unsigned)getuid());
	if (sudo && *sudo && getuid() == 0)
		snprintf(out->origin, sizeof(out->origin), "os user %.32s (sudo from %.32s)", name, sudo);
	else
		snprintf(out->origin, sizeof(out->origin), "os user %.63s", name);
}

enum mmis_err cli_open_ctx(const struct cli *cli, struct cli_ctx *c, struct mmis_error *err)
{
	enum mmis_err rc;

	memset(c, 0, sizeof(*c));
	if ((rc = cli_open_store(cli, &c->store, err)))
		return rc;
	if ((rc = audit_key_load(cli->audit_key_path, &c->key, err))) {
		store_close(c->store);
		c->store = NULL;
		return rc;
	}
	c->cx.store = c->store;
	c->cx.audit_key = &c->key;
	cli_actor(&c->actor);
	return MMIS_OK;
}

enum mmis_err cli_load_screen(const struct cli *cli, struct cli_ctx *c, struct mmis_error *err)
{
	struct progress p;
	enum mmis_err rc;

	if ((rc = screen_new(cli->db_url, &c->cx.screen, err)))
		return rc;
	progress_start(&p, "loading the alert lists", 0);
	rc = screen_load(c->cx.screen, c->store, progress_update, &p, err);
	progress_finish(&p);
	return rc;
}

void cli_close_ctx(struct cli_ctx *c)
{
	screen_free(c->cx.screen);
	c->cx.screen = NULL;
	store_close(c->store);
	sodium_memzero(&c->key, sizeof(c->key));
	c->store = NULL;
}

int cli_print_json(json_t *value)
{
	char *text = value ? mjson_dump(value) : NULL;

	if (!text)
		return cli_failf("out of memory");
	puts(text);
	free(text);
	return EXIT_OK;
}

/* A missing or null member prints as "-". */
static const char *column_text(json_t *row, const struct cli_column *c)
{
	const char *v = c->value ? c->value(row) : json_string_value(json_object_get(row, c->key));
	return v && *v ? v : "-";
}

int cli_list(struct cli *cli, int argc, char **argv, cli_list_fn fn, const struct cli_column *cols)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct mmis_error err;
	struct cli_ctx c;
	json_t *list, *row;
	size_t i;
	bool json = false, done;
	int rc, opt;

	while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1)
		json = json || opt == 'j';
	if (done)
		return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (cli_open_ctx(cli, &c, &err))
		return cli_fail(&err);
	rc = fn(&c.cx, &c.actor, &list, &err);
	cli_close_ctx(&c);
	if (rc)
		return cli_fail(&err);
	if (json) {
		rc = cli_print_json(list);
	} else {
		for (const struct cli_column *col = cols; col->header; col++)
			printf(col[1].header ? "%-*s " : "%-*s\n", col->width, col->header);
		json_array_foreach(list, i, row)
			for (const struct cli_column *col = cols; col->header; col++)
				printf(col[1].header ? "%-*s " : "%-*s\n", col->width,
				       column_text(row, col));
	}
	json_decref(list);
	return rc;
}

/* One line from `f` without its line end; false at end of file or when too long. */
static bool read_line(FILE *f, char *buf, size_t cap)
{
	size_t n;

	if (!fgets(buf, (int)cap, f))
		return false;
	n = strlen(buf);
	if (n == cap - 1 && buf[n - 1] != '\n' && !feof(f))
		return false;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return true;
}

static bool prompt_no_echo(const char *prompt, char *buf, size_t cap)
{
	struct termios old, quiet;
	bool ok, restore;

	fputs(prompt, stderr);
	fflush(stderr);
	restore = tcgetattr(STDIN_FILENO, &old) == 0;
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	ok = read_line(stdin, buf, cap);
	if (restore)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	return ok;
}

int cli_read_password(const char *file, const char *what, char *buf, size_t cap)
{
	char again[PASSWORD_MAX_LEN + 2];
	FILE *f;
	bool ok;

	buf[0] = '\0';
	if (file) {
		if (!(f = fopen(file, "r")))
			return cli_failf("%s: %s", file, strerror(errno));
		ok = read_line(f, buf, cap);
		fclose(f);
		if (!ok)
			return cli_failf("%s: no password in it (or one longer than %d bytes)", file,
					 PASSWORD_MAX_LEN);
		return EXIT_OK;
	}
	if (!isatty(STDIN_FILENO)) {
		if (!read_line(stdin, buf, cap))
			return cli_failf("no password on standard input (or one longer than %d bytes)",
					 PASSWORD_MAX_LEN);
		return EXIT_OK;
	}
	char prompt[160];
	snprintf(prompt, sizeof(prompt), "New password for %s: ", what);
	if (!prompt_no_echo(prompt, buf, cap))
		return cli_failf("no password given");
	ok = prompt_no_echo("Again: ", again, sizeof(again));
	ok = ok && !strcmp(buf, again);
	sodium_memzero(again, sizeof(again));
	if (!ok) {
		sodium_memzero(buf, cap);
		return cli_failf("the passwords differ");
	}
	return EXIT_OK;
}

/*
 * The one positional argument (NAME, CODE, ID), before or after the options: getopt stops at the
 * first non-option, so one given first is taken out before the options are parsed. Call
 * take_first() before the option loop and take_rest() after it; -1 to go on, else the exit code.
 */
static void take_first(int *argc, char ***argv, const char **pos)
{
	*pos = NULL;
	if (*argc > 1 && (*argv)[1][0] != '-') {
		*pos = (*argv)[1];
		(*argv)[1] = (*argv)[0];
		(*argv)++;
		(*argc)--;
	}
}

static int take_rest(struct cli *cli, int argc, char **argv, const char **pos, const char *what)
{
	if (!*pos && optind < argc)
		*pos = argv[optind++];
	if (!*pos)
		return cli_usage(cli, "%s is needed", what);
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'%s", argv[optind],
				 strstr(what, "username") ? " (passwords are never taken from the command line)" : "");
	return -1;
}

int cli_refuse_password_args(struct cli *cli, int argc, char **argv, const char *file_option)
{
	const char *want = file_option + 2; /* without its "--" */

	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		const char *name = argv[i] + 2;
		size_t n = strcspn(name, "=");

		if (strncmp(argv[i], "--", 2) || (n == strlen(want) && !strncmp(name, want, n)))
			continue;
		/* getopt_long takes "--pass SECRET" for an abbreviation of "--password-file": the
		 * password would be read as a file name and shown in the error. */
		if ((n && n < strlen(want) && !strncmp(name, want, n)) || strstr(argv[i], "password"))
			return cli_usage(cli, "passwords are never taken from the command line: use %s "
					 "or standard input", file_option);
	}
	return -1;
}

/* ---- user */

int cmd_user_add(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "agency", required_argument, NULL, 'a' },
		{ "display-name", required_argument, NULL, 'n' },
		{ "password-file", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *role = NULL, *agency = NULL, *display = NULL, *pwfile = NULL, *name = NULL;
	char password[PASSWORD_MAX_LEN + 2], id[UUID_STR_MAX];
	struct mmis_error err;
	struct cli_ctx c;
	bool done;
	int rc, opt;

	if ((rc = cli_refuse_password_args(cli, argc, argv, "--password-file")) != -1)
		return rc;
	take_first(&argc, &argv, &name);
	while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1) {
		switch (opt) {
		case 'r': role = optarg; break;
		case 'a': agency = optarg; break;
		case 'n': display = optarg; break;
		case 'p': pwfile = optarg; break;
		default: break;
		}
	}
	if (done)
		return rc;
	if ((rc = take_rest(cli, argc, argv, &name, "a username")) != -1)
		return rc;
	if (!role || !agency)
		return cli_usage(cli, "--role and --agency are needed");
	if ((rc = cli_read_password(pwfile, name, password, sizeof(password))))
		return rc;
	if (cli_open_ctx(cli, &c, &err)) {
		sodium_memzero(password, sizeof(password));
		return cli_fail(&err);
	}
	rc = user_add(&c.cx, &c.actor, name, display, role, agency, password, id, &err);
	sodium_memzero(password, sizeof(password));
	cli_close_ctx(&c);
	if (rc)
		return cli_fail(&err);
	printf("created user %s (%s)\n", name, id);
	return EXIT_OK;
}

static const char *user_status(json_t *u)
{
	if (json_is_true(json_object_get(u, "disabled")))
		return "disabled";
	return json_is_string(json_object_get(u, "locked_until")) ? "locked" : "active";
}

static const struct cli_column user_columns[] = {
	{ "USERNAME", "username", 24, NULL },
	{ "ROLE", "role", 18, NULL },
	{ "AGENCY", "agency_code", 12, NULL },
	{ "STATUS", NULL, 8, user_status },
	{ "LAST LOGIN", "last_login_at", 0, NULL },
	{ 0 },
};

int cmd_user_list(struct cli *cli, int argc, char **argv)
{
	return cli_list(cli, argc, argv, user_list, user_columns);
}

/* A command taking one username and no options but the password file. */
static int one_name(struct cli *cli, int argc, char **argv, const char **pwfile, const char **name)
{
	static const struct option with_pw[] = {
		{ "password-file", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool done;
	int rc, opt;

	if ((rc = cli_refuse_password_args(cli, argc, argv, "--password-file")) != -1)
		return rc;
	take_first(&argc, &argv, name);
	while ((rc = cli_getopt(cli, argc, argv, pwfile ? with_pw : NULL, &opt, &done)) == -1)
		if (opt == 'p' && pwfile)
			*pwfile = optarg;
	if (done)
		return rc;
	return take_rest(cli, argc, argv, name, "a username");
}

int cmd_user_passwd(struct cli *cli, int argc, char **argv)
{
	char password[PASSWORD_MAX_LEN + 2];
	const char *pwfile = NULL, *name = NULL;
	struct mmis_error err;
	struct cli_ctx c;
	int rc;

	if ((rc = one_name(cli, argc, argv, &pwfile, &name)) != -1)
		return rc;
	if ((rc = cli_read_password(pwfile, name, password, sizeof(password))))
		return rc;
	if (cli_open_ctx(cli, &c, &err)) {
		sodium_memzero(password, sizeof(password));
		return cli_fail(&err);
	}
	rc = user_set_password(&c.cx, &c.actor, name, NULL, password, &err);
	sodium_memzero(password, sizeof(password));
	cli_close_ctx(&c);
	if (rc)
		return cli_fail(&err);
	printf("password of %s set; their sessions have ended\n", name);
	return EXIT_OK;
}

static int set_disabled(struct cli *cli, int argc, char **argv, bool disabled)
{
	const char *name = NULL;
	struct mmis_error err;
	struct cli_ctx c;
	int rc;

	if ((rc = one_name(cli, argc, argv, NULL, &name)) != -1)
		return rc;
	if (cli_open_ctx(cli, &c, &err))
		return cli_fail(&err);
	rc = user_set_disabled(&c.cx, &c.actor, name, disabled, &err);
	cli_close_ctx(&c);
	if (rc)
		return cli_fail(&err);
	printf(disabled ? "disabled %s: sessions ended, tokens revoked\n" : "enabled %s\n", name);
	return EXIT_OK;
}

int cmd_user_disable(struct cli *cli, int argc, char **argv)
{
	return set_disabled(cli, argc, argv, true);
}

int cmd_user_enable(struct cli *cli, int argc, char **argv)
{
	return set_disabled(cli, argc, argv, false);
}

/* ---- agency */

int cmd_agency_add(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "kind", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *name = NULL, *kind = NULL, *code = NULL;
	char id[UUID_STR_MAX];
	struct mmis_error err;
	struct cli_ctx c;
	bool done;
	int rc, opt;

	take_first(&argc, &argv, &code);
	while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1) {
		if (opt == 'n')
			name = optarg;
		else if (opt == 'k')
			kind = optarg;
	}
	if (done)
		return rc;
	if ((rc = take_rest(cli, argc, argv, &code, "an agency code")) != -1)
		return rc;
	if (!name)
		return cli_usage(cli, "--name is needed");
	if (cli_open_ctx(cli, &c, &err))
		return cli_fail(&err);
	rc = agency_add(&c.cx, &c.actor, code, name, kind, id, &err);
	cli_close_ctx(&c);
	if (rc)
		return cli_fail(&err);
	printf("created agency %s (%s)\n", code, id);
	return EXIT_OK;
}

static const struct cli_column agency_columns[] = {
	{ "CODE", "code", 16, NULL },
	{ "KIND", "kind", 14, NULL },
	{ "NAME", "name", 0, NULL },
	{ 0 },
};

int cmd_agency_list(struct cli *cli, int argc, char **argv)
{
	return cli_list(cli, argc, argv, agency_list, agency_columns);
}

/* ---- token */

int cmd_token_create(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *user = NULL, *name = "cli";
	char token[SECRET_STR_MAX];
	struct mmis_error err;
	struct cli_ctx c;
	bool done;
	int rc, opt;

	while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1) {
		if (opt == 'u')
			user = optarg;
		else if (opt == 'n')
			name = optarg;
	}
	if (done)
		return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (!user)
		return cli_usage(cli, "--user is needed");
	if (cli_open_ctx(cli, &c, &err))
		return cli_fail(&err);
	rc = token_create(&c.cx, &c.actor, user, name, token, NULL, &err);
	cli_close_ctx(&c);
	if (rc)
		return cli_fail(&err);
	/* The only time it is shown: stdout holds nothing else, for scripts. */
	puts(token);
	sodium_memzero(token, sizeof(token));
	return EXIT_OK;
}

int cmd_token_revoke(struct cli *cli, int argc, char **argv)
{
	struct mmis_error err;
	struct cli_ctx c;
	const char *id = NULL;
	bool done;
	int rc, opt;

	take_first(&argc, &argv, &id);
	while ((rc = cli_getopt(cli, argc, argv, NULL, &opt, &done)) == -1)
		;
	if (done)
		return rc;
	if ((rc = take_rest(cli, argc, argv, &id, "a token id (see mmis token list)")) != -1)
		return rc;
	if (cli_open_ctx(cli, &c, &err))
		return cli_fail(&err);
	rc = token_revoke(&c.cx, &c.actor, id, &err);
	cli_close_ctx(&c);
	if (rc)
		return cli_fail(&err);
	printf("revoked token %s\n", id);
	return EXIT_OK;
}

static const struct cli_column token_columns[] = {
	{ "ID", "id", 36, NULL },
	{ "USER", "username", 16, NULL },
	{ "NAME", "name", 20, NULL },
	{ "LAST USED", "last_used_at", 24, NULL },
	{ "REVOKED", "revoked_at", 0, NULL },
	{ 0 },
};

int cmd_token_list(struct cli *cli, int argc, char **argv)
{
	return cli_list(cli, argc, argv, token_list, token_columns);
}

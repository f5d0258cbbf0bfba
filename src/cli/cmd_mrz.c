/*
 * cmd_mrz.c - `mmis mrz parse` and `mmis mrz make`: machine readable zones (ICAO 9303) from the
 * command line. No database. The contract is in docs/border.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "mmis/date.h"
#include "mmis/mrz.h"

#define MRZ_INPUT_MAX 65536 /* far more than any MRZ with whitespace around it */

/* Exit codes of `mmis mrz parse`. */
enum { MRZ_EXIT_VALID = 0, MRZ_EXIT_CHECK = 1, MRZ_EXIT_NOT_MRZ = 2 };

int cmd_mrz_parse(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "today", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static char buf[MRZ_INPUT_MAX + 1];
	struct mmis_error err;
	struct date today;
	struct mrz m;
	bool done;
	int rc, opt;
	size_t n;

	date_today(&today);
	while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1) {
		switch (opt) {
		case 't':
			if (date_parse(optarg, "today", &today, &err))
				return cli_usage(cli, "--today: %s", mmis_error_text(&err));
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (done)
		return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s' (the MRZ is read from standard input)",
				 argv[optind]);

	n = fread(buf, 1, sizeof(buf), stdin);
	if (ferror(stdin))
		return cli_failf("reading standard input failed");
	if (n > MRZ_INPUT_MAX) {
		fprintf(stderr, "mmis: the input is longer than %d bytes: not an MRZ\n", MRZ_INPUT_MAX);
		return MRZ_EXIT_NOT_MRZ;
	}
	buf[n] = '\0';
	if (strlen(buf) != n) {
		/* A NUL byte: say where, as the library would for any other bad byte. */
		size_t at = strlen(buf), line = 1, col = 1;
		for (size_t i = 0; i < at; i++) {
			col++;
			if (buf[i] == '\n') {
				line++;
				col = 1;
			}
		}
		fprintf(stderr, "mmis: line %zu, position %zu: byte 0x00 is not allowed in an MRZ\n", line,
			col);
		return MRZ_EXIT_NOT_MRZ;
	}

	if (mrz_parse(buf, &today, &m, &err)) {
		fprintf(stderr, "mmis: %s\n", mmis_error_text(&err));
		return MRZ_EXIT_NOT_MRZ;
	}
	json_t *j = mrz_to_json(&m);
	rc = cli_print_json(j);
	json_decref(j);
	if (rc)
		return rc;
	if (!m.valid) {
		char why[256] = "";
		size_t w = 0;
		for (int i = 0; i < m.n_checks; i++)
			if (!m.checks[i].ok && w < sizeof(why))
				w += (size_t)snprintf(why + w, sizeof(why) - w, "%s%s", w ? ", " : "",
						      m.checks[i].name);
		if (w)
			fprintf(stderr, "mmis: the MRZ is not valid: check digit wrong: %s\n", why);
		else
			fprintf(stderr, "mmis: the MRZ is not valid: %s\n",
				m.n_warnings ? m.warnings[m.n_warnings - 1] : "unreadable field");
		return MRZ_EXIT_CHECK;
	}
	return MRZ_EXIT_VALID;
}

/* A date for make: YYYY-MM-DD, YYYY-MM or YYYY (partial), or "unknown". */
static bool make_date(const char *s, const char *field, struct date *d, struct mmis_error *err)
{
	if (!strcmp(s, "unknown")) {
		memset(d, 0, sizeof(*d));
		return true;
	}
	return date_parse_partial(s, field, d, err) == MMIS_OK;
}

int cmd_mrz_make(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "document-code", required_argument, NULL, 'c' },
		{ "issuing-state", required_argument, NULL, 'i' },
		{ "surname", required_argument, NULL, 's' },
		{ "given-names", required_argument, NULL, 'g' },
		{ "document-number", required_argument, NULL, 'n' },
		{ "nationality", required_argument, NULL, 'N' },
		{ "birth-date", required_argument, NULL, 'b' },
		{ "expiry-date", required_argument, NULL, 'e' },
		{ "sex", required_argument, NULL, 'x' },
		{ "optional-data", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct mrz_fields f = { .format = MRZ_TD3 };
	struct mmis_error err;
	char out[MRZ_TEXT_MAX];
	bool done, have_birth = false, have_expiry = false;
	int rc, opt;

	while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1) {
		switch (opt) {
		case 'f':
			if (!mrz_format_from_name(optarg, &f.format))
				return cli_usage(cli, "--format: TD1, TD2, TD3, MRVA or MRVB, not '%s'", optarg);
			break;
		case 'c': f.document_code = optarg; break;
		case 'i': f.issuing_state = optarg; break;
		case 's': f.surname = optarg; break;
		case 'g': f.given_names = optarg; break;
		case 'n': f.document_number = optarg; break;
		case 'N': f.nationality = optarg; break;
		case 'o': f.optional_data = optarg; break;
		case 'b':
			if (!make_date(optarg, "birth_date", &f.birth_date, &err))
				return cli_usage(cli, "--birth-date: %s", mmis_error_text(&err));
			have_birth = true;
			break;
		case 'e':
			if (!make_date(optarg, "expiry_date", &f.expiry_date, &err))
				return cli_usage(cli, "--expiry-date: %s", mmis_error_text(&err));
			have_expiry = true;
			break;
		case 'x':
			if (strlen(optarg) != 1)
				return cli_usage(cli, "--sex: M, F or X, not '%s'", optarg);
			f.sex = optarg[0];
			break;
		default:
			return cli_usage(cli, "unknown option");
		}
	}
	if (done)
		return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (!f.document_code)
		f.document_code = f.format == MRZ_TD3 ? "P" : f.format == MRZ_MRVA || f.format == MRZ_MRVB ? "V" : "I";
	if (!f.issuing_state || !f.surname || !f.document_number || !f.nationality || !have_birth ||
	    !have_expiry || !f.sex)
		return cli_usage(cli, "needs --issuing-state, --surname, --document-number, --nationality, "
				      "--birth-date, --expiry-date and --sex");
	if (mrz_make(&f, out, sizeof(out), &err))
		return cli_fail(&err);
	puts(out);
	return EXIT_OK;
}

/*
 * mrz.h - the machine readable zone of travel documents (ICAO Doc 9303): parse and build.
 *
 * Formats (lines x characters):
 *
 *   TD1   3 x 30   identity cards               (Doc 9303 part 5)
 *   TD2   2 x 36   older identity cards         (part 6)
 *   TD3   2 x 44   passports                    (part 4)
 *   MRVA  2 x 44   visas, document code V...    (part 7)
 *   MRVB  2 x 36   visas, document code V...    (part 7)
 *
 * Check digits: weights 7, 3, 1 repeating over the field; digits count as themselves, A-Z as
 * 10-35 and the filler '<' as 0; the digit is the sum modulo 10. A check digit of '<' is accepted
 * only when the field it covers is all filler (an unused personal number).
 *
 * What the parser reports, in the terms of `mmis mrz parse` (docs/border.md):
 *
 *  - fillers removed: "D<<" is "D", "P<" is "P"; names split at the first "<<" into surname and
 *    given names, a single '<' inside a name being a space; a name without "<<" is all surname
 *    (a person with one name only has no given names);
 *  - the document number whole: a TD1 or TD2 number longer than 9 characters has '<' where its
 *    check digit would be and continues in the optional data, followed by its check digit;
 *  - sex 'M', 'F', or 'X' for '<' (unspecified) and 'X';
 *  - two-digit years resolved against a reference date `today`: a birth date is put in the latest
 *    century that does not put it after `today`; an expiry date in the century that puts its year
 *    within [today's year - 50, today's year + 49];
 *  - a date of birth with unknown parts ("74<<<<" year only, "7408<<" year and month) as a
 *    partial date; "<<<<<<" as unknown (`*_known` false);
 *  - codes that are neither ISO 3166-1 alpha-3 nor ICAO's own (country_valid()) are kept, with a
 *    warning; they do not make the MRZ invalid.
 *
 * `valid` is true when every check digit holds, the dates are dates and the sex is one of
 * M, F, X, '<'. A text that is not an MRZ at all (wrong number of lines, wrong length, a character
 * outside A-Z, 0-9, '<') is an error instead, naming the line and position.
 */
#ifndef MMIS_MRZ_H
#define MMIS_MRZ_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "mmis/date.h"
#include "mmis/err.h"

enum mrz_format { MRZ_TD1, MRZ_TD2, MRZ_TD3, MRZ_MRVA, MRZ_MRVB };

/* "TD1", "TD2", "TD3", "MRVA", "MRVB"; "?" for a value outside the enum. */
const char *mrz_format_name(enum mrz_format f);

/* The format named by `name` ("TD3", case-insensitive; "MRV-A" too); false when none. */
bool mrz_format_from_name(const char *name, enum mrz_format *out);

#define MRZ_MAX_CHECKS 6
#define MRZ_MAX_WARNINGS 8
#define MRZ_WARNING_MAX 96
#define MRZ_TEXT_MAX 140 /* the longest MRZ (2 x 44, 3 x 30) with its line ends and NUL */

/*
 * One check digit. `name` is a static string: "document_number", "birth_date", "expiry_date",
 * "personal_number" (TD3 positions 29-42, the personal number or other optional data) or
 * "composite" (TD1, TD2, TD3). Visas have no composite and no personal number check.
 */
struct mrz_check {
	const char *name;
	bool ok;
};

/* A parsed MRZ. Every string is NUL-terminated, upper case, without trailing fillers. */
struct mrz {
	enum mrz_format format;
	char document_code[3];     /* "P", "ID", "I", "V", "AC" */
	char issuing_state[4];     /* "UTO", "D" (from "D<<"), "RKS" */
	char surname[40];          /* "ERIKSSON", "DE LA CRUZ" */
	char given_names[40];      /* "ANNA MARIA"; "" for a person with one name */
	char document_number[30];  /* whole, also when longer than 9 characters */
	char nationality[4];
	struct date birth_date;    /* DATE_DAY, or DATE_MONTH / DATE_YEAR when parts are "<<" */
	bool birth_date_known;     /* false: "<<<<<<" or not a date (then a warning says so) */
	struct date expiry_date;
	bool expiry_date_known;
	char sex;                  /* 'M', 'F', 'X' ('<' in the MRZ is 'X') */
	char optional_data[32];    /* TD3 personal number (29-42), TD2 29-35, TD1 line 1 16-30
				    * (after a long document number), MRV-A 29-44, MRV-B 29-36;
				    * trailing fillers removed, inner ones kept */
	char optional_data2[16];   /* TD1 line 2 positions 19-29; "" for the other formats */
	struct mrz_check checks[MRZ_MAX_CHECKS]; /* in the order of the names above */
	int n_checks;
	bool valid;                /* every check holds, dates and sex readable */
	char warnings[MRZ_MAX_WARNINGS][MRZ_WARNING_MAX]; /* "issuing state 'ZZZ' is not a known code" */
	int n_warnings;
};

/*
 * Parse the MRZ in `text`: its lines separated by "\n" (or "\r\n"). Whitespace around the text
 * and around each line is ignored, lower case is read as upper case; the number of lines, their
 * length and their characters are checked strictly.
 *
 * `today` is the reference date for two-digit years (NULL: today in UTC).
 *
 * Returns MMIS_OK when `text` is an MRZ, also when a check digit fails (then out->valid is false
 * and the failing check says which). Returns MMIS_EINVAL with `field` "mrz" when it is not an MRZ,
 * the message naming the line and position:
 *     "line 2, position 14: '#' is not allowed in an MRZ (only A-Z, 0-9 and '<')"
 * `out` is filled only on MMIS_OK (zeroed otherwise).
 */
enum mmis_err mrz_parse(const char *text, const struct date *today, struct mrz *out,
			struct mmis_error *err);

/*
 * The contract object of `mmis mrz parse` (a new reference; NULL when out of memory):
 *     {"format":"TD3","document_code":"P","issuing_state":"UTO","surname":"ERIKSSON",
 *      "given_names":"ANNA MARIA","document_number":"L898902C3","nationality":"UTO",
 *      "birth_date":"1974-08-12","expiry_date":"2012-04-15","sex":"F",
 *      "optional_data":"ZE184226B","checks":{"document_number":true,...},"valid":true,
 *      "warnings":[...]}
 * A date is null when unknown, "YYYY" or "YYYY-MM" when partial. TD1 adds "optional_data2".
 */
json_t *mrz_to_json(const struct mrz *m);

/*
 * What mrz_make writes. Strings may be NULL for "" (given names, optional data). A date whose
 * `year` is 0 is written as unknown ("<<<<<<"); a partial date (DATE_MONTH, DATE_YEAR) with "<<"
 * for its unknown parts. Sex 'M', 'F', or 'X' / '<' / 0 for unspecified (written '<').
 */
struct mrz_fields {
	enum mrz_format format;
	const char *document_code, *issuing_state, *surname, *given_names, *document_number,
		*nationality, *optional_data;
	struct date birth_date, expiry_date;
	char sex;
};

/*
 * Build an MRZ from `f` into `out` (`cap` bytes): its lines joined by "\n", no trailing newline,
 * check digits computed. Transliterates nothing: lower case is upper-cased, spaces, hyphens and
 * apostrophes become '<'; any other character outside A-Z, 0-9 and '<' (and digits in names) is
 * refused with MMIS_EINVAL naming the field ("surname"). A field too long for the format is
 * refused the same way (names are not truncated). A document number longer than 9 characters is
 * written in the TD1/TD2 way (continued in the optional data); the other formats refuse it.
 * MMIS_ETOOBIG when `cap` is too small (MRZ_TEXT_MAX always suffices).
 */
enum mmis_err mrz_make(const struct mrz_fields *f, char *out, size_t cap, struct mmis_error *err);

/*
 * The check digit (0-9) of the `n` characters at `s`, or -1 when one of them is not A-Z, 0-9 or
 * '<' (lower case is not accepted here).
 */
int mrz_check_digit(const char *s, size_t n);

#endif

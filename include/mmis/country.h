/*
 * country.h - country codes: ISO 3166-1 alpha-3 from Debian's iso-codes, plus ICAO's own codes.
 *
 * The ISO list is read from iso-codes' JSON data (never typed by hand), by default
 * /usr/share/iso-codes/json/iso_3166-1.json, or from $MMIS_ISO_CODES when set. ICAO Doc 9303 adds
 * codes that are not ISO 3166-1 alpha-3: D (Germany, as written in MRZs), RKS (Kosovo), XXA
 * (stateless person), XXB (refugee, 1951 Convention), XXC (refugee, other), XXX (unspecified
 * nationality), UNO, UNA, UNK (United Nations documents), EUE (European Union), and the British
 * codes GBD, GBN, GBO, GBP, GBS.
 *
 * The table is loaded once per process, on the first call (thread-safe); country_init() loads it
 * explicitly so that a front end can report a missing data file at start-up.
 */
#ifndef MMIS_COUNTRY_H
#define MMIS_COUNTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "mmis/err.h"

enum country_kind {
	COUNTRY_ISO = 0,  /* an ISO 3166-1 alpha-3 code */
	COUNTRY_ICAO = 1, /* an ICAO-only code (D, RKS, XXA, ...) */
};

struct country {
	const char *alpha3;  /* "MNE", or the ICAO code ("D", "RKS") */
	const char *alpha2;  /* "ME"; NULL for ICAO-only codes */
	const char *name;    /* English short name: "Montenegro" */
	enum country_kind kind;
};

/* Load the table (idempotent). MMIS_EIO naming the file when it cannot be read or parsed. */
enum mmis_err country_init(struct mmis_error *err);

/*
 * The entry for a code, case-insensitive, also with MRZ filler: "mne", "MNE", "D", "D<<" and "D<"
 * find their entries. NULL when unknown (or when the table could not be loaded).
 */
const struct country *country_lookup(const char *code);

/* Whether `code` is a known alpha-3 or ICAO code (as country_lookup). */
bool country_valid(const char *code);

/* The entry for an ISO alpha-2 code, case-insensitive ("me", "ME"); NULL when unknown. */
const struct country *country_from_alpha2(const char *alpha2);

/* Number of entries, and entry `i` of them (sorted by code), for listings. */
size_t country_count(void);
const struct country *country_at(size_t i);

#endif

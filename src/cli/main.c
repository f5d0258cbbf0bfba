/*
 * main.c - `mmis [--db URL] COMMAND [ARGS]`: the global options and the table of subcommands.
 *
 * Adding a command is adding a row to `commands` and a cmd_*.c file (git's builtin/ and commands[]).
 * Multi-word commands ("db status") are matched on their words; the longest match wins.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mmis/match.h"
#include "mmis_config.h"

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

static const struct command commands[] = {
	{ "help", cmd_help, "[COMMAND]", "show the commands, or one command's help", NULL },
	{ "version", cmd_version, "", "print the version of mmis and of its database schema", NULL },
	{ "init", cmd_init, "[--admin-password-file F]",
	  "create the database, or upgrade it to this version's schema",
	  "  Creates the database named by --db (default ./mmis.db, or $MMIS_DB) when missing and\n"
	  "  applies every pending schema migration; safe to run again. Creates the audit key\n"
	  "  (--audit-key) when missing, and the first administrator, `admin`, when there is no\n"
	  "  user yet: its password from the file, or $MMIS_ADMIN_PASSWORD, or else a generated\n"
	  "  one, printed once.\n"
	  "  --admin-password-file F   the first administrator's password (its first line)\n" },
	{ "db status", cmd_db_status, "[--json]", "print the database backend and schema version",
	  "  --json    print one JSON object instead of text\n"
	  "  Exits 1 when the database is missing, unreachable or made by a newer mmis.\n" },
	{ "user add", cmd_user_add,
	  "NAME --role ROLE --agency CODE [--display-name TEXT] [--password-file F]", "add a user",
	  "  --role ROLE             admin, auditor, border_officer, border_supervisor, case_worker,\n"
	  "                          case_supervisor, identification_officer, return_counsellor,\n"
	  "                          analyst, internal_analyst, exchange_officer, screening_client\n"
	  "  --agency CODE           the user's agency (see mmis agency list)\n"
	  "  --display-name TEXT     the name shown to others (default: NAME)\n"
	  "  --password-file F       read the password from F; else from stdin (asked twice,\n"
	  "                          without echo, on a terminal). Never on the command line.\n" },
	{ "user list", cmd_user_list, "[--json]", "list the users",
	  "  --json    print a JSON array instead of text\n" },
	{ "user passwd", cmd_user_passwd, "NAME [--password-file F]",
	  "set a user's password, ending their sessions",
	  "  --password-file F   read the password from F; else from stdin as for user add\n" },
	{ "user disable", cmd_user_disable, "NAME",
	  "disable a user: end their sessions, revoke their tokens", NULL },
	{ "user enable", cmd_user_enable, "NAME", "enable a disabled user again", NULL },
	{ "agency add", cmd_agency_add, "CODE --name NAME [--kind KIND]", "add an agency",
	  "  CODE          2 to 32 of A-Z, 0-9, _ and -, starting with a letter or digit\n"
	  "                (BP, CSW-PG)\n"
	  "  --name NAME   its full name\n"
	  "  --kind KIND   police, government, social_work, ngo, international or other (default)\n" },
	{ "agency list", cmd_agency_list, "[--json]", "list the agencies",
	  "  --json    print a JSON array instead of text\n" },
	{ "token create", cmd_token_create, "--user NAME [--name LABEL]",
	  "create an API token acting as a user; prints it, once",
	  "  --user NAME    the user the token acts as\n"
	  "  --name LABEL   what it is for (default: cli)\n" },
	{ "token revoke", cmd_token_revoke, "ID", "revoke an API token", NULL },
	{ "token list", cmd_token_list, "[--json]", "list the API tokens (never the tokens themselves)",
	  "  --json    print a JSON array instead of text\n" },
	{ "audit verify", cmd_audit_verify, "", "verify the audit trail's chain of MACs",
	  "  Exits 0 when intact, printing how many events were checked and the head (sequence\n"
	  "  and MAC: record it elsewhere); exits 1 naming the first bad event and why.\n" },
	{ "audit list", cmd_audit_list,
	  "[--actor U] [--action A] [--object-type T] [--object-id I] [--from TS] [--to TS] "
	  "[--before SEQ] [--limit N] [--json]",
	  "list audit events, newest first",
	  "  --actor U         by username\n"
	  "  --action A        exactly, or a prefix ending in '.' (session.)\n"
	  "  --object-type T, --object-id I\n"
	  "  --from TS, --to TS  a date (YYYY-MM-DD, the whole day) or a timestamp with its zone\n"
	  "  --before SEQ      only events before this sequence number (paging)\n"
	  "  --limit N         1 to 1000 (default 100)\n"
	  "  --json            print a JSON array instead of text\n" },
	{ "stay calc", cmd_stay_calc, "--on YYYY-MM-DD [--limit DAYS] [--window DAYS] [STAY ...]",
	  "the 90-days-in-any-180 stay rule: days used, overstay, how long one may stay",
	  "  STAY               ENTRY..EXIT (both days count) or ENTRY.. (still present, up to and\n"
	  "                     including the day of the check); YYYY-MM-DD dates, in any order,\n"
	  "                     overlapping or touching stays allowed (a day counts once)\n"
	  "  --on YYYY-MM-DD    the day of the check (required)\n"
	  "  --limit DAYS       at most this many days of presence ... (default 90)\n"
	  "  --window DAYS      ... in any period of this many days (default 180)\n"
	  "  Prints one JSON object: on, days_used (in the window ending on that day),\n"
	  "  days_remaining, overstay_days (days so far on which the window held more than the\n"
	  "  limit) and may_stay_until (with presence on every day from the check on, the last\n"
	  "  day the rule allows; null when the day of the check already exceeds it).\n"
	  "  Exits 1 naming the stay when a stay is invalid. See docs/border.md.\n" },
	{ "mrz parse", cmd_mrz_parse, "[--today YYYY-MM-DD] < MRZ",
	  "read a machine readable zone (ICAO 9303) on stdin; print it as JSON",
	  "  --today YYYY-MM-DD   the reference date for two-digit years (default: today, UTC)\n"
	  "  Reads TD1 (3x30), TD2 (2x36), TD3 (2x44), MRV-A (2x44) and MRV-B (2x36). Exits 0\n"
	  "  when every check digit holds, 1 when one fails (the JSON still printed), 2 when the\n"
	  "  text is not an MRZ (the line and position named). See docs/border.md.\n" },
	{ "mrz make", cmd_mrz_make,
	  "--format F --issuing-state S --surname N [--given-names N] --document-number N "
	  "--nationality S --birth-date D --expiry-date D --sex M|F|X [--document-code C] "
	  "[--optional-data O]",
	  "build a machine readable zone with its check digits (tests, demo data, training)",
	  "  --format F           TD1, TD2, TD3 (default), MRVA or MRVB\n"
	  "  --document-code C    P, I, ID, AC, V... (default P for TD3, I for TD1/TD2, V for visas)\n"
	  "  --issuing-state S, --nationality S   ICAO codes (UTO, D, RKS, XXA, ...)\n"
	  "  --surname N, --given-names N   A-Z only: transliterate first\n"
	  "  --birth-date D, --expiry-date D   YYYY-MM-DD, YYYY-MM, YYYY or unknown\n"
	  "  --optional-data O    personal number or other optional data\n" },
	{ "bcp add", cmd_bcp_add, "CODE --name NAME --kind KIND [--neighbour ISO3]",
	  "add a border crossing point",
	  "  CODE              3 to 16 of A-Z, 0-9 and - (Montenegro's are MNE-XXX: docs/border.md)\n"
	  "  --name NAME       its name\n"
	  "  --kind KIND       road, rail, air or sea\n"
	  "  --neighbour ISO3  the country across the border (none for airports and ports)\n" },
	{ "bcp list", cmd_bcp_list, "[--json]", "list the border crossing points",
	  "  --json    print a JSON array instead of text\n" },
	{ "bcp import", cmd_bcp_import, "FILE.csv",
	  "import border crossing points from CSV, all or nothing",
	  "  FILE.csv   the header code,name,kind,neighbour, then one BCP a line (- for stdin).\n"
	  "  Every bad line is reported with its number and nothing is imported.\n" },
	{ "cross import", cmd_cross_import, "FILE.csv [--agency CODE]",
	  "import crossings from CSV, all or nothing, in one transaction",
	  "  FILE.csv   the header time,bcp,direction,document_type,issuing_state,\n"
	  "             document_number,surname,given_names,sex,birth_date,nationality,\n"
	  "             expiry_date,transport,purpose (any order; the last seven may be left\n"
	  "             out), then one crossing a line (- for stdin). Times are ISO 8601 with\n"
	  "             their zone. Every bad line is reported with its number and nothing is\n"
	  "             imported. Exits without a recorded entry are imported and flagged.\n"
	  "             A progress bar is shown on a terminal.\n"
	  "  --agency CODE  the agency the crossings are recorded for (the BCPs' border police);\n"
	  "             its officers and supervisors see them and decide their alert-list hits\n"
	  "  The travellers are screened against the alert lists (each document once); hits are\n"
	  "  saved pending, for the agency's officers to confirm or dismiss.\n" },
	{ "stay authorise", cmd_stay_authorise,
	  "--person ID --kind KIND --from YYYY-MM-DD --to YYYY-MM-DD [--days N] [--number DOCNO]",
	  "record a visa or residence permit that decides a traveller's stay status",
	  "  --person ID    the traveller (mmis prints it on every crossing; GET /api/v1/persons)\n"
	  "  --kind KIND    residence_permit or long_stay_visa: days of presence while it is valid\n"
	  "                 do not count toward 90 in 180, and it decides the status; visa: a\n"
	  "                 short-stay visa, whose own limit (--days) counts over its validity\n"
	  "  --from, --to   the validity, both days included\n"
	  "  --days N       a visa's number of days (default: every day of the validity)\n"
	  "  --number DOCNO the visa's or permit's number\n"
	  "  Prints the new authorisation's id and the traveller's status today. See\n"
	  "  docs/border.md, \"Stay authorisations\".\n" },
	{ "border overstayers", cmd_border_overstayers, "[--on YYYY-MM-DD] [--csv | --json]",
	  "travellers present beyond their limit: 90 days in 180, or a visa's own days",
	  "  --on DATE   the day (default today)\n"
	  "  --csv       print CSV (for a spreadsheet) instead of a table\n"
	  "  --json      print a JSON array instead of a table\n" },
	{ "dedup", cmd_dedup, "[--threshold T] [--dry-run] [--threads N] [--json]",
	  "find persons recorded more than once and propose merging them",
	  "  Compares every person who is not merged (names in MRZ form and as typed, in any\n"
	  "  script; birth dates, sex, nationality, document numbers) and stores each pair\n"
	  "  scoring at least the threshold as a proposal with its explanation. Pairs already\n"
	  "  rejected or reverted are not proposed again. Prints the pairs; a progress bar on a\n"
	  "  terminal. Review with `mmis dedup list` or on the web page. See docs/dedup.md.\n"
	  "  --threshold T   0.5 to 1 (default 0.85)\n"
	  "  --dry-run       compare and print, store nothing\n"
	  "  --threads N     comparison threads (default: one per core)\n"
	  "  --json          print one JSON object with the counts and every pair\n" },
	{ "dedup list", cmd_dedup_list, "[--status S] [--limit N] [--offset N] [--json]",
	  "list merge proposals: the open queue, or the decisions",
	  "  --status S   open (default: proposed, both persons unmerged), decided, all,\n"
	  "               proposed, accepted, rejected or reverted\n"
	  "  --limit N    1 to 500 (default 50); --offset N to page\n"
	  "  --json       print the JSON object {items, total, limit, offset}\n" },
	{ "dedup show", cmd_dedup_show, "ID [--json]",
	  "one proposal: both persons with their documents and records, and the explanation",
	  "  --json   print the JSON object instead of text\n" },
	{ "dedup accept", cmd_dedup_accept, "ID [--survivor PERSON] [--note TEXT]",
	  "merge the two persons of a proposal (undo with dedup revert)",
	  "  Moves the documents, crossings, refusals and stay authorisations of one person to\n"
	  "  the other (the survivor), recording every row it moves; the merged person's record\n"
	  "  is kept, marked merged. The survivor's stay status counts the merged crossings.\n"
	  "  --survivor PERSON  who keeps the records (default: the person recorded first)\n"
	  "  --note TEXT        why\n" },
	{ "dedup reject", cmd_dedup_reject, "ID [--note TEXT]",
	  "record that the two persons of a proposal are different people",
	  "  The pair is never proposed again.\n"
	  "  --note TEXT   why\n" },
	{ "dedup revert", cmd_dedup_revert, "ID --note TEXT",
	  "undo an accepted merge exactly",
	  "  Moves back every row the merge moved, and the rows recorded since under the\n"
	  "  merged person's documents. Merges are undone newest first.\n"
	  "  --note TEXT   why (required)\n" },
	{ "case list", cmd_case_list, "[--json]", "list the protection cases (all of them)",
	  "  --json    print a JSON array instead of text (id, state, types, agency, worker,\n"
	  "            opened_on, overdue_followups, reflection_end, ...); every listing is\n"
	  "            in the audit trail. Cases are worked in the web interface and the API.\n" },
	{ "case access", cmd_case_access, "",
	  "print the access table of protection cases (Markdown; docs/protection.md)",
	  "  Which permission and which relation to the case each action needs: the table\n"
	  "  lib/protect/workflow.c applies.\n" },
	{ "case settings", cmd_case_settings,
	  "[--reflection-days N] [--reflection-warn-days N]",
	  "show or set the protection settings of this deployment",
	  "  --reflection-days N        a presumed victim's reflection period (1 to 365;\n"
	  "                             default 90, as in Montenegro)\n"
	  "  --reflection-warn-days N   warn this many days before it ends (0 to 90; default 14)\n"
	  "  Applies to cases opened (or found presumed victims) after the change.\n" },
	{ "watchlist import", cmd_watchlist_import,
	  "FILE.csv [--list NAME] [--format csv|opensanctions] [--source TEXT] [--category C] "
	  "[--action A]",
	  "import an alert list from CSV, replacing the list of that name, all or nothing",
	  "  FILE.csv        - for standard input. Format csv: the header\n"
	  "                  id,name,aliases,birth_date,nationality,document_number (any order;\n"
	  "                  also sex, valid_from, valid_to), several values separated by ';'.\n"
	  "                  An entry needs an id and a name or a document number (a list of\n"
	  "                  lost and stolen documents has no names).\n"
	  "  --list NAME     the list (default: the file's name without extension)\n"
	  "  --format F      csv (default) or opensanctions (OpenSanctions' targets.simple.csv:\n"
	  "                  Person rows only, countries as ISO alpha-2)\n"
	  "  --source TEXT   where the list comes from (default: the file's name)\n"
	  "  --category C    sanctions, wanted, entry_ban, lost_stolen_documents,\n"
	  "                  missing_persons or other (default: other; sanctions for opensanctions)\n"
	  "  --action A      what a hit asks of the officer: refuse_entry, detain, notify or\n"
	  "                  check_further (default)\n"
	  "  Every bad line is reported with its number and field, and nothing is imported. A\n"
	  "  running server screens against the new list within seconds. See docs/watchlists.md.\n" },
	{ "watchlist list", cmd_watchlist_list, "[--json]", "list the alert lists",
	  "  --json    print a JSON array instead of text\n" },
	{ "screen", cmd_screen, "[--threshold T] [--limit K] < QUERIES.jsonl",
	  "screen names against the alert lists: JSON lines in, one JSON line out per query",
	  "  Reads {\"id\",\"name\",\"birth_date\"?,\"nationality\"?,\"sex\"?,\"document_number\"?}\n"
	  "  a line and prints {\"id\",\"hits\":[{\"entry_id\",\"list\",\"name\",\"score\",\n"
	  "  \"reasons\",\"category\",\"action\"}]} a line, best first. A bad line is answered\n"
	  "  with {\"id\",\"line\",\"error\":{\"field\",\"message\"}} and the others go on; the\n"
	  "  exit status is then 1. Answers as soon as the input pauses (usable from a pipe).\n"
	  "  --threshold T   the lowest score shown, above 0 and at most 1 (default "
	  STRINGIFY(MATCH_DEFAULT_THRESHOLD) ")\n"
	  "  --limit K       hits per query, 1 to 100 (default 10)\n" },
	{ "stats flows", cmd_stats_table,
	  "--from DATE --to DATE --by DIMS [--format csv|json|xlsx|sdmx-csv] [--min-cell K] "
	  "[--totals] [--output FILE]",
	  "crossings by period, BCP, direction, nationality, sex, age band, transport",
	  "  --from, --to DATE  the period, both days included: YYYY-MM-DD (or YYYY-MM, YYYY)\n"
	  "  --by DIMS          dimensions in the order wanted, comma-separated: one of day,\n"
	  "                     week, month, quarter, year, and bcp, direction, nationality,\n"
	  "                     sex, age_band, transport (at most 5)\n"
	  "  --format F         csv (default), json, xlsx (with --output) or sdmx-csv\n"
	  "  --min-cell K       suppress cells below K (default $MMIS_MIN_CELL or 5); below the\n"
	  "                     deployment's needs stats.unsuppressed; 0 turns suppression off\n"
	  "  --totals           add the margins, coded _T\n"
	  "  --output FILE      write there instead of standard output\n"
	  "  CSV: one column per dimension, then count and conf_status (C: suppressed, count\n"
	  "  empty). Months YYYY-MM, quarters YYYY-Qn. Audited. See docs/statistics.md.\n" },
	{ "stats refusals", cmd_stats_table,
	  "--from DATE --to DATE --by DIMS [--format F] [--min-cell K] [--totals] [--output FILE]",
	  "refusals of entry by period, BCP, nationality, sex, age band, ground",
	  "  As stats flows; the dimensions: a period, bcp, nationality, sex, age_band, ground\n"
	  "  (A to I; a refusal on two grounds counts under each).\n" },
	{ "stats overstays", cmd_stats_table,
	  "[--on DATE] --by DIMS [--format F] [--min-cell K] [--totals] [--output FILE]",
	  "travellers overstaying on a day, by BCP of entry, nationality, sex, age band",
	  "  --on DATE   the day (default today); the other options as stats flows\n" },
	{ "stats cases", cmd_stats_table,
	  "--from DATE --to DATE --by DIMS [--format F] [--min-cell K] [--totals] [--output FILE]",
	  "protection cases by period, type, state, agency, nationality, sex, age band",
	  "  As stats flows; the dimensions: a period, case_type, state, agency, nationality,\n"
	  "  sex, age_band (at the opening). A case of two types counts under each. No cell\n"
	  "  below 11 is ever published, to anyone: --min-cell may raise it, never lower it.\n" },
	{ "stats referrals", cmd_stats_table,
	  "--from DATE --to DATE --by DIMS [--format F] [--min-cell K] [--totals] [--output FILE]",
	  "referrals of protection cases by period, provider, service, state",
	  "  As stats cases; the dimensions: a period, provider (the agency referred to),\n"
	  "  service, state (the referral's, now). No cell below 11.\n" },
	{ "stats services", cmd_stats_table,
	  "--from DATE --to DATE --by DIMS [--format F] [--min-cell K] [--totals] [--output FILE]",
	  "services delivered to protection cases, by period, provider, project, service",
	  "  As stats cases; the dimensions: a period, provider, project (NONE: no project),\n"
	  "  service. No cell below 11.\n" },
	{ "stats rebuild", cmd_stats_rebuild, "",
	  "recompute the statistics' roll-ups from the crossings (after an upgrade)", NULL },
	{ "stats alerts", cmd_stats_alerts, "[--month YYYY-MM] [--json]",
	  "BCPs whose arrivals depart far from their seasonal expectation",
	  "  --month YYYY-MM   the month (default the last complete month)\n"
	  "  --json            print one JSON object\n" },
	{ "series import", cmd_series_import, "FILE.csv [--country ISO3]",
	  "import official series (population, migration, remittances, immigrant stock)",
	  "  FILE.csv    the header indicator,period,value,source,unit (and optionally country),\n"
	  "              then one value a line (- for stdin). Indicators: population,\n"
	  "              immigrants, emigrants, remittances_usd, immigrant_stock,\n"
	  "              immigrant_stock_female. Periods YYYY, YYYY-Qn or YYYY-MM. All or\n"
	  "              nothing: every bad line is reported with its number.\n"
	  "  --country   the country of lines without one (default MNE)\n" },
	{ "series list", cmd_series_list, "[--country ISO3] [--indicator NAME] [--json]",
	  "list the official series held", NULL },
	{ "indicators", cmd_indicators, "--year YYYY [--country ISO3] [--json]",
	  "national indicators: net migration rate, women among immigrants, remittances",
	  "  --year YYYY     the year\n"
	  "  --country ISO3  default MNE; the long-term estimate from the border records is\n"
	  "                  Montenegro's only\n"
	  "  --json          print one JSON object: each indicator with its value, source and\n"
	  "                  period, or null where an input is missing\n" },
	{ "serve", cmd_serve,
	  "[--listen ADDR:PORT] [--tls-cert FILE --tls-key FILE] [--web DIR] [--threads N]",
	  "serve the HTTP API and the web interface",
	  "  --listen ADDR:PORT   where to listen (default 127.0.0.1:8080; [::1]:8080 for IPv6)\n"
	  "  --tls-cert FILE      PEM certificate (chain) for HTTPS, with --tls-key\n"
	  "  --tls-key FILE       PEM private key for HTTPS\n"
	  "  --web DIR            the web interface's files (default: the source tree's web/,\n"
	  "                       or $MMIS_WEB_DIR)\n"
	  "  --threads N          worker threads (default: one per core)\n"
	  "  --metrics-public     answer /metrics on every address, not only loopback\n"
	  "  --print-routes       print the route table (METHOD PATH) and exit\n"
	  "  Stops on SIGTERM or SIGINT after answering the requests in flight. One JSON\n"
	  "  line per request on stderr. The API is described in docs/api.md.\n" },
	{ "demo", cmd_demo, "[--seed N] [--listen ADDR:PORT] [serve options]",
	  "create a database with demo data when missing, then serve it",
	  "  --seed N    the demo data's seed (default 1): the same seed, the same data\n"
	  "  When the database does not exist yet, creates it, the audit key and the demo\n"
	  "  agencies and users, and prints the demo accounts (docs/demo.md); then serves\n"
	  "  it with the options of `mmis serve`.\n" },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char global_usage[] = "usage: mmis [--db URL] [--audit-key FILE] COMMAND [ARGS]\n";

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
	      "  --audit-key FILE  the audit trail's key (default ./mmis-audit.key, or\n"
	      "                $MMIS_AUDIT_KEY); mmis init creates it\n"
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

/*
 * getopt_long, but long options only in full: getopt would take "--pass X" for "--password-file
 * X", and a mistyped option must never silently become another (or echo a secret). Returns '?'
 * for an abbreviation, and names the option without any "=value" in *bad.
 */
static int getopt_exact(int argc, char **argv, const struct option *opts, const char **bad,
			size_t *bad_len)
{
	int idx = -1;
	int c = getopt_long(argc, argv, "+:h", opts, &idx);
	const char *text;

	*bad = NULL;
	*bad_len = 0;
	if (c == '?' || c == ':') {
		text = argv[optind - 1];
		*bad = text;
		*bad_len = strcspn(text, "=");
		return c;
	}
	if (c == -1 || idx < 0)
		return c;
	/* The option's own word: before its separate value, if it took one. */
	text = optarg && optarg == argv[optind - 1] && optind >= 2 ? argv[optind - 2] : argv[optind - 1];
	size_t len = strcspn(text, "=");
	if (len < 2 || len - 2 != strlen(opts[idx].name)) {
		*bad = text;
		*bad_len = len;
		optopt = 0;
		return '?';
	}
	return c;
}

bool cli_int(const char *s, long long min, long long max, long long *out)
{
	const char *p = s && *s == '-' ? s + 1 : s;
	char *end;
	long long v;

	if (!p || *p < '0' || *p > '9')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool cli_real(const char *s, double min, double max, double *out)
{
	const char *p = s && *s == '-' ? s + 1 : s;
	char *end;
	double v;

	if (!p || !((*p >= '0' && *p <= '9') || *p == '.'))
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v >= min && v <= max))
		return false;
	*out = v;
	return true;
}

int cli_getopt(struct cli *cli, int argc, char **argv, const struct option *longopts, int *opt,
	       bool *done)
{
	static const struct option help_only[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	const struct option *opts = longopts ? longopts : help_only;
	const char *bad;
	size_t bad_len;
	int c;

	*done = false;
	opterr = 0;
	c = getopt_exact(argc, argv, opts, &bad, &bad_len);
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
		return cli_usage(cli, "unknown option '%.*s'", (int)bad_len, bad);
	case ':':
		*done = true;
		return cli_usage(cli, "option '%.*s' needs a value", (int)bad_len, bad);
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
		{ "audit-key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct cli cli = { .db_url = getenv("MMIS_DB"), .audit_key_path = getenv("MMIS_AUDIT_KEY") };
	const struct command *cmd;
	int c;

	if (!cli.db_url || !*cli.db_url)
		cli.db_url = STORE_DEFAULT_URL;
	if (!cli.audit_key_path || !*cli.audit_key_path)
		cli.audit_key_path = AUDIT_KEY_DEFAULT_PATH;

	/* "+": stop at the first non-option, the command; its options are its own. */
	opterr = 0;
	const char *bad;
	size_t bad_len;
	while ((c = getopt_exact(argc, argv, global, &bad, &bad_len)) != -1) {
		switch (c) {
		case 'd':
			if (!*optarg)
				return cli_usage(NULL, "--db needs a database URL or path");
			cli.db_url = optarg;
			break;
		case 'k':
			if (!*optarg)
				return cli_usage(NULL, "--audit-key needs a file name");
			cli.audit_key_path = optarg;
			break;
		case 'h':
			print_main_help(stdout);
			return EXIT_OK;
		case 'V':
			return cmd_version(&cli, 1, argv);
		case ':':
			return cli_usage(NULL, "option '%.*s' needs a value", (int)bad_len, bad);
		default:
			if (optopt)
				return cli_usage(NULL, "unknown option '-%c'", optopt);
			return cli_usage(NULL, "unknown option '%.*s'", (int)bad_len, bad);
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

/* cmd_audit.c - `mmis audit verify` and `mmis audit list`: the audit trail from the command line. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "mmis/date.h"

int cmd_audit_verify(struct cli *cli, int argc, char **argv)
{
	struct audit_verify_result r;
	struct mmis_error err;
	struct cli_ctx c;
	bool done;
	int rc, opt;

	while ((rc = cli_getopt(cli, argc, argv, NULL, &opt, &done)) == -1)
		;
	if (done)
		return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (cli_open_ctx(cli, &c, &err))
		return cli_fail(&err);
	rc = audit_verify(c.store, &c.key, &c.actor, &r, &err);
	cli_close_ctx(&c);
	if (rc)
		return cli_fail(&err);
	if (r.bad_seq)
		return cli_failf("audit trail broken at event %" PRId64 ": %s", r.bad_seq, r.reason);
	printf("audit trail intact: %" PRId64 " events checked\n", r.checked);
	printf("head: %" PRId64 " %s\n", r.head_seq, r.head_mac);
	return EXIT_OK;
}

/* A timestamp, or a date meaning its whole day (from its start, or to its end). */
static bool parse_when(const char *s, bool end_of_day, int64_t *ms)
{
	struct date d;

	if (strlen(s) == 10 && !date_parse(s, NULL, &d, NULL)) {
		*ms = date_to_days(&d) * 86400000LL + (end_of_day ? 86399999LL : 0);
		return true;
	}
	return !timestamp_parse(s, NULL, ms, NULL);
}

int cmd_audit_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "actor", required_argument, NULL, 'a' },
		{ "action", required_argument, NULL, 'A' },
		{ "object-type", required_argument, NULL, 't' },
		{ "object-id", required_argument, NULL, 'i' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 'T' },
		{ "before", required_argument, NULL, 'b' },
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct audit_filter f = { 0 };
	struct mmis_error err;
	struct cli_ctx c;
	json_t *list, *e;
	long long n;
	size_t i;
	bool done, json = false;
	int rc, opt;

	while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1) {
		switch (opt) {
		case 'a': f.actor = optarg; break;
		case 'A': f.action = optarg; break;
		case 't': f.object_type = optarg; break;
		case 'i': f.object_id = optarg; break;
		case 'j': json = true; break;
		case 'f':
			if (!parse_when(optarg, false, &f.from_ms))
				return cli_usage(cli, "--from: not a date or a timestamp with a zone: '%s'", optarg);
			break;
		case 'T':
			if (!parse_when(optarg, true, &f.to_ms))
				return cli_usage(cli, "--to: not a date or a timestamp with a zone: '%s'", optarg);
			break;
		case 'b':
			if (!cli_int(optarg, 1, INT64_MAX, &n))
				return cli_usage(cli, "--before: not a sequence number: '%s'", optarg);
			f.before_seq = n;
			break;
		case 'l':
			if (!cli_int(optarg, 1, 1000, &n))
				return cli_usage(cli, "--limit: a number from 1 to 1000, not '%s'", optarg);
			f.limit = (int)n;
			break;
		default:
			break;
		}
	}
	if (done)
		return rc;
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (cli_open_ctx(cli, &c, &err))
		return cli_fail(&err);
	rc = audit_list(c.store, &c.key, &c.actor, &f, &list, &err);
	cli_close_ctx(&c);
	if (rc)
		return cli_fail(&err);
	if (json) {
		rc = cli_print_json(list);
	} else {
		json_array_foreach(list, i, e) {
			const char *ot = json_string_value(json_object_get(e, "object_type"));
			const char *oid = json_string_value(json_object_get(e, "object_id"));
			const char *detail = json_string_value(json_object_get(e, "detail"));
			printf("%6" JSON_INTEGER_FORMAT "  %s  %-16s %-16s %-6s %s%s%s%s%s\n",
			       json_integer_value(json_object_get(e, "seq")),
			       json_string_value(json_object_get(e, "at")),
			       json_string_value(json_object_get(e, "actor")),
			       json_string_value(json_object_get(e, "action")),
			       json_string_value(json_object_get(e, "outcome")),
			       ot ? ot : "", oid ? " " : "", oid ? oid : "", detail ? "  " : "",
			       detail ? detail : "");
		}
	}
	json_decref(list);
	return rc;
}

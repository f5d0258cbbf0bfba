/* cmd_stay.c - `mmis stay calc`: the 90-days-in-any-180 rule for a list of stays. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "mmis/date.h"
#include "mmis/stay.h"

int cmd_stay_calc(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "on", required_argument, NULL, 'o' },
		{ "limit", required_argument, NULL, 'l' },
		{ "window", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int limit = STAY_LIMIT_DAYS, window = STAY_WINDOW_DAYS;
	long long num;
	const char *on_text = NULL;
	struct stay_result r;
	struct mmis_error err;
	struct stay *stays;
	struct date on;
	size_t n;
	json_t *json;
	bool done;
	int rc, opt;

	while ((rc = cli_getopt(cli, argc, argv, opts, &opt, &done)) == -1) {
		switch (opt) {
		case 'o':
			on_text = optarg;
			break;
		case 'l':
			if (!cli_int(optarg, 1, STAY_WINDOW_MAX - 1, &num))
				return cli_usage(cli, "--limit: a number of days from 1 to %d, not '%s'",
						 STAY_WINDOW_MAX - 1, optarg);
			limit = (int)num;
			break;
		case 'w':
			if (!cli_int(optarg, 2, STAY_WINDOW_MAX, &num))
				return cli_usage(cli, "--window: a number of days from 2 to %d, not '%s'",
						 STAY_WINDOW_MAX, optarg);
			window = (int)num;
			break;
		default:
			break;
		}
	}
	if (done)
		return rc;
	if (!on_text)
		return cli_usage(cli, "--on YYYY-MM-DD is required: the day of the check");
	if (date_parse(on_text, "on", &on, &err))
		return cli_usage(cli, "--on: %s", mmis_error_text(&err));
	if (limit >= window)
		return cli_usage(cli, "--limit (%d) must be less than --window (%d)", limit, window);

	n = (size_t)(argc - optind);
	stays = calloc(n ? n : 1, sizeof(*stays));
	if (!stays)
		return cli_failf("out of memory");
	for (size_t i = 0; i < n; i++) {
		if (stay_parse(argv[optind + (int)i], &stays[i], &err)) {
			mmis_error_prefix(&err, "stay %zu", i + 1);
			free(stays);
			return cli_fail(&err);
		}
	}
	rc = stay_calc(stays, n, &on, limit, window, &r, &err);
	free(stays);
	if (rc)
		return cli_fail(&err);
	json = stay_result_json(&r);
	if (!json)
		return cli_failf("out of memory");
	rc = cli_print_json(json);
	json_decref(json);
	return rc;
}

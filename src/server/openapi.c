/*
 * openapi.c - GET /api/v1/openapi.json: the OpenAPI 3.1 document, generated from the route table
 * so that the document and the server cannot disagree. Every operation names its permission in
 * x-permission ("none" for public routes) and its security schemes.
 */
#include <string.h>

#include "http.h"
#include "mmis/json.h"
#include "mmis/strbuf.h"
#include "mmis_config.h"

/* The component schemas the table names; constant JSON text, parsed once at start-up. */
static const struct {
	const char *name;
	const char *json;
} schemas[] = {
	{ "Problem",
	  "{\"type\":\"object\",\"description\":\"RFC 9457 problem details\","
	  "\"required\":[\"type\",\"title\",\"status\"],\"properties\":{"
	  "\"type\":{\"type\":\"string\"},\"title\":{\"type\":\"string\"},"
	  "\"status\":{\"type\":\"integer\"},\"detail\":{\"type\":\"string\"},"
	  "\"field\":{\"type\":\"string\",\"description\":\"the offending member of the body or query\"},"
	  "\"request_id\":{\"type\":\"string\"}}}" },
	{ "Health",
	  "{\"type\":\"object\",\"properties\":{\"status\":{\"type\":\"string\"},"
	  "\"version\":{\"type\":\"string\"},\"schema_version\":{\"type\":\"integer\"}}}" },
	{ "Login",
	  "{\"type\":\"object\",\"required\":[\"username\",\"password\"],\"additionalProperties\":false,"
	  "\"properties\":{\"username\":{\"type\":\"string\"},\"password\":{\"type\":\"string\"}}}" },
	{ "Session",
	  "{\"type\":\"object\",\"properties\":{\"user\":{\"$ref\":\"#/components/schemas/Me\"},"
	  "\"csrf_token\":{\"type\":\"string\"},\"expires_at\":{\"type\":\"string\",\"format\":\"date-time\"}}}" },
	{ "Me",
	  "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"username\":{\"type\":\"string\"},"
	  "\"display_name\":{\"type\":\"string\"},\"role\":{\"type\":\"string\"},\"role_label\":{\"type\":\"string\"},"
	  "\"agency\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},"
	  "\"code\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"}}},"
	  "\"permissions\":{\"type\":\"object\",\"additionalProperties\":{\"enum\":[\"own\",\"agency\",\"all\"]}},"
	  "\"via\":{\"enum\":[\"session\",\"token\"]},\"csrf_token\":{\"type\":\"string\"}}}" },
	{ "PasswordChange",
	  "{\"type\":\"object\",\"required\":[\"old_password\",\"new_password\"],\"additionalProperties\":false,"
	  "\"properties\":{\"old_password\":{\"type\":\"string\"},\"new_password\":{\"type\":\"string\"}}}" },
	{ "PasswordReset",
	  "{\"type\":\"object\",\"required\":[\"password\"],\"additionalProperties\":false,"
	  "\"properties\":{\"password\":{\"type\":\"string\"}}}" },
	{ "RoleList",
	  "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
	  "\"properties\":{\"name\":{\"type\":\"string\"},\"label\":{\"type\":\"string\"},"
	  "\"permissions\":{\"type\":\"object\",\"additionalProperties\":{\"enum\":[\"own\",\"agency\",\"all\"]}}}}}}}" },
	{ "Agency",
	  "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"code\":{\"type\":\"string\"},"
	  "\"name\":{\"type\":\"string\"},\"kind\":{\"type\":\"string\"},"
	  "\"created_at\":{\"type\":\"string\",\"format\":\"date-time\"}}}" },
	{ "AgencyNew",
	  "{\"type\":\"object\",\"required\":[\"code\",\"name\",\"kind\"],\"additionalProperties\":false,"
	  "\"properties\":{\"code\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},\"kind\":{\"type\":\"string\"}}}" },
	{ "AgencyList",
	  "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Agency\"}}}}" },
	{ "User",
	  "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"username\":{\"type\":\"string\"},"
	  "\"display_name\":{\"type\":\"string\"},\"role\":{\"type\":\"string\"},\"agency_id\":{\"type\":\"string\"},"
	  "\"agency_code\":{\"type\":\"string\"},\"disabled\":{\"type\":\"boolean\"},"
	  "\"locked_until\":{\"type\":[\"string\",\"null\"]},\"created_at\":{\"type\":\"string\"},"
	  "\"last_login_at\":{\"type\":[\"string\",\"null\"]}}}" },
	{ "UserNew",
	  "{\"type\":\"object\",\"required\":[\"username\",\"display_name\",\"role\",\"agency\",\"password\"],"
	  "\"additionalProperties\":false,\"properties\":{\"username\":{\"type\":\"string\"},"
	  "\"display_name\":{\"type\":\"string\"},\"role\":{\"type\":\"string\"},"
	  "\"agency\":{\"type\":\"string\",\"description\":\"agency code\"},\"password\":{\"type\":\"string\"}}}" },
	{ "UserList",
	  "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/User\"}}}}" },
	{ "Token",
	  "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},"
	  "\"username\":{\"type\":\"string\"},\"created_at\":{\"type\":\"string\"},"
	  "\"last_used_at\":{\"type\":[\"string\",\"null\"]},\"revoked_at\":{\"type\":[\"string\",\"null\"]}}}" },
	{ "TokenNew",
	  "{\"type\":\"object\",\"required\":[\"username\",\"name\"],\"additionalProperties\":false,"
	  "\"properties\":{\"username\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"}}}" },
	{ "TokenCreated",
	  "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},"
	  "\"token\":{\"type\":\"string\",\"description\":\"shown once\"}}}" },
	{ "TokenList",
	  "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Token\"}}}}" },
	{ "AuditEvent",
	  "{\"type\":\"object\",\"properties\":{\"seq\":{\"type\":\"integer\"},\"at\":{\"type\":\"string\"},"
	  "\"actor\":{\"type\":\"string\"},\"actor_id\":{\"type\":[\"string\",\"null\"]},"
	  "\"agency_id\":{\"type\":[\"string\",\"null\"]},\"via\":{\"type\":\"string\"},"
	  "\"action\":{\"type\":\"string\"},\"object_type\":{\"type\":[\"string\",\"null\"]},"
	  "\"object_id\":{\"type\":[\"string\",\"null\"]},\"outcome\":{\"enum\":[\"ok\",\"denied\",\"failed\"]},"
	  "\"detail\":{\"type\":[\"string\",\"null\"]}}}" },
	{ "AuditPage",
	  "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/AuditEvent\"}},"
	  "\"next_before\":{\"type\":[\"integer\",\"null\"]}}}" },
	{ "AuditVerify",
	  "{\"type\":\"object\",\"properties\":{\"intact\":{\"type\":\"boolean\"},\"checked\":{\"type\":\"integer\"},"
	  "\"bad_seq\":{\"type\":\"integer\"},\"reason\":{\"type\":\"string\"},\"head_seq\":{\"type\":\"integer\"},"
	  "\"head_mac\":{\"type\":\"string\"}}}" },
	{ "MrzText",
	  "{\"type\":\"object\",\"required\":[\"mrz\"],\"additionalProperties\":false,"
	  "\"properties\":{\"mrz\":{\"type\":\"string\",\"description\":\"the lines, separated by newlines\"}}}" },
	{ "Mrz", "{\"type\":\"object\",\"description\":\"the parsed MRZ (lib/border/mrz.c)\"}" },
	{ "Bcp",
	  "{\"type\":\"object\",\"properties\":{\"code\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},"
	  "\"kind\":{\"enum\":[\"road\",\"rail\",\"air\",\"sea\"]},\"neighbour\":{\"type\":[\"string\",\"null\"]}}}" },
	{ "BcpList",
	  "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Bcp\"}}}}" },
	{ "CrossingNew",
	  "{\"type\":\"object\",\"required\":[\"bcp\",\"direction\"],\"additionalProperties\":false,"
	  "\"properties\":{\"mrz\":{\"type\":\"string\"},\"person_id\":{\"type\":\"string\"},"
	  "\"document_type\":{\"type\":\"string\"},\"issuing_state\":{\"type\":\"string\"},"
	  "\"document_number\":{\"type\":\"string\"},\"expiry_date\":{\"type\":\"string\",\"format\":\"date\"},"
	  "\"surname\":{\"type\":\"string\"},\"given_names\":{\"type\":\"string\"},\"sex\":{\"enum\":[\"F\",\"M\",\"X\"]},"
	  "\"birth_date\":{\"type\":\"string\"},\"nationality\":{\"type\":\"string\"},\"bcp\":{\"type\":\"string\"},"
	  "\"direction\":{\"enum\":[\"entry\",\"exit\"]},\"time\":{\"type\":\"string\",\"format\":\"date-time\"},"
	  "\"transport\":{\"enum\":[\"car\",\"bus\",\"truck\",\"motorcycle\",\"bicycle\",\"foot\",\"train\",\"aircraft\",\"vessel\",\"other\"]},"
	  "\"purpose\":{\"enum\":[\"tourism\",\"business\",\"family\",\"work\",\"study\",\"transit\",\"medical\",\"other\"]}}}" },
	{ "StayStatus",
	  "{\"type\":\"object\",\"properties\":{\"on\":{\"type\":\"string\"},\"days_used\":{\"type\":\"integer\"},"
	  "\"days_remaining\":{\"type\":\"integer\"},\"overstay_days\":{\"type\":\"integer\"},"
	  "\"may_stay_until\":{\"type\":[\"string\",\"null\"]},\"present\":{\"type\":\"boolean\"},"
	  "\"limit\":{\"type\":[\"integer\",\"null\"]},\"summary\":{\"type\":\"string\"},"
	  "\"basis\":{\"enum\":[\"90/180\",\"visa\",\"long_stay_visa\",\"residence_permit\"]}}}" },
	{ "CrossingRecorded",
	  "{\"type\":\"object\",\"properties\":{\"crossing\":{\"type\":\"object\"},\"person\":{\"type\":\"object\"},"
	  "\"document\":{\"type\":\"object\"},\"status\":{\"$ref\":\"#/components/schemas/StayStatus\"},"
	  "\"warnings\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
	  "\"flags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}" },
	{ "Person",
	  "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"surname\":{\"type\":\"string\"},"
	  "\"given_names\":{\"type\":\"string\"},\"sex\":{\"type\":\"string\"},\"birth_date\":{\"type\":[\"string\",\"null\"]},"
	  "\"nationality\":{\"type\":[\"string\",\"null\"]},\"documents\":{\"type\":\"array\"},"
	  "\"crossings\":{\"type\":\"array\"},\"refusals\":{\"type\":\"array\"},"
	  "\"status\":{\"$ref\":\"#/components/schemas/StayStatus\"}}}" },
	{ "PersonList",
	  "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Person\"}}}}" },
	{ "AuthorisationNew",
	  "{\"type\":\"object\",\"required\":[\"kind\",\"valid_from\",\"valid_to\"],\"additionalProperties\":false,"
	  "\"properties\":{\"kind\":{\"enum\":[\"visa\",\"long_stay_visa\",\"residence_permit\"]},"
	  "\"valid_from\":{\"type\":\"string\",\"format\":\"date\"},\"valid_to\":{\"type\":\"string\",\"format\":\"date\"},"
	  "\"days_allowed\":{\"type\":\"integer\",\"minimum\":0},\"number\":{\"type\":\"string\"}}}" },
	{ "AuthorisationRecorded",
	  "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"person_id\":{\"type\":\"string\"},"
	  "\"stay_authorisations\":{\"type\":\"array\"},"
	  "\"status\":{\"$ref\":\"#/components/schemas/StayStatus\"}}}" },
	{ "RefusalNew",
	  "{\"type\":\"object\",\"required\":[\"bcp\",\"grounds\"],\"additionalProperties\":false,"
	  "\"properties\":{\"mrz\":{\"type\":\"string\"},\"document_type\":{\"type\":\"string\"},"
	  "\"issuing_state\":{\"type\":\"string\"},\"document_number\":{\"type\":\"string\"},"
	  "\"surname\":{\"type\":\"string\"},\"given_names\":{\"type\":\"string\"},\"bcp\":{\"type\":\"string\"},"
	  "\"time\":{\"type\":\"string\",\"format\":\"date-time\"},"
	  "\"grounds\":{\"type\":\"array\",\"items\":{\"enum\":[\"A\",\"B\",\"C\",\"D\",\"E\",\"F\",\"G\",\"H\",\"I\"]}},"
	  "\"note\":{\"type\":\"string\"}}}" },
	{ "Refusal", "{\"type\":\"object\"}" },
	{ "RefusalRecorded",
	  "{\"type\":\"object\",\"properties\":{\"refusal\":{\"$ref\":\"#/components/schemas/Refusal\"},"
	  "\"person\":{\"type\":\"object\"},\"document\":{\"type\":\"object\"},\"warnings\":{\"type\":\"array\"}}}" },
	{ "RefusalList",
	  "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Refusal\"}}}}" },
	{ "OverstayerList",
	  "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
	  "\"properties\":{\"person_id\":{\"type\":\"string\"},\"days_used\":{\"type\":\"integer\"},"
	  "\"overstay_days\":{\"type\":\"integer\"}}}}}}" },
	{ "BorderSummary", "{\"type\":\"object\"}" },
	{ "StatsTable",
	  "{\"type\":\"object\",\"description\":\"a suppressed table (JSON; or CSV, SDMX-CSV, "
	  "XLSX with format)\",\"properties\":{\"source\":{\"type\":\"string\"},"
	  "\"dimensions\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
	  "\"min_cell\":{\"type\":\"integer\"},\"suppressed\":{\"type\":\"integer\"},"
	  "\"rows\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
	  "\"count\":{\"type\":[\"integer\",\"null\"]},\"conf_status\":{\"type\":[\"string\","
	  "\"null\"]}}}},\"notes\":{\"type\":\"object\"}}}" },
	{ "Indicators", "{\"type\":\"object\",\"properties\":{\"year\":{\"type\":\"integer\"},"
	  "\"country\":{\"type\":\"string\"},\"net_migration_rate\":{\"type\":[\"object\",\"null\"]},"
	  "\"women_pct_immigrants\":{\"type\":[\"object\",\"null\"]},"
	  "\"remittances_usd\":{\"type\":[\"object\",\"null\"]},"
	  "\"long_term\":{\"type\":[\"object\",\"null\"]}}}" },
	{ "SeriesList", "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\"}}}" },
	{ "StatsAlerts", "{\"type\":\"object\",\"properties\":{\"month\":{\"type\":\"string\"},"
	  "\"alerts\":{\"type\":\"array\"},\"checked\":{\"type\":\"integer\"}}}" },
	{ "OpenAPI", "{\"type\":\"object\"}" },
};

static json_t *ref_to(const char *name)
{
	struct strbuf sb;
	json_t *o;

	strbuf_init(&sb, 256);
	strbuf_addstr(&sb, "#/components/schemas/");
	strbuf_addstr(&sb, name);
	o = json_pack("{s:s}", "$ref", strbuf_str(&sb));
	strbuf_release(&sb);
	return o;
}

/* "post" from "POST". */
static void lower(char *dst, size_t cap, const char *src)
{
	size_t i = 0;
	for (; src[i] && i + 1 < cap; i++)
		dst[i] = (char)(src[i] >= 'A' && src[i] <= 'Z' ? src[i] + 32 : src[i]);
	dst[i] = '\0';
}

/* "post_api_v1_users_username_disable" */
static void operation_id(struct strbuf *sb, const struct route *rt)
{
	char m[16];
	lower(m, sizeof(m), rt->method);
	strbuf_addstr(sb, m);
	for (const char *p = rt->pattern; *p; p++) {
		if (*p == '/' || *p == '.' || *p == '-')
			strbuf_addch(sb, '_');
		else if (*p != '{' && *p != '}')
			strbuf_addch(sb, *p);
	}
}

static json_t *parameters_of(const struct route *rt)
{
	json_t *params = json_array();
	const char *p = rt->pattern;

	while (params && (p = strchr(p, '{'))) {
		const char *end = strchr(p, '}');
		char name[64];
		size_t n = end ? (size_t)(end - p - 1) : 0;
		if (!end || n >= sizeof(name))
			break;
		memcpy(name, p + 1, n);
		name[n] = '\0';
		json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", name, "in",
						       "path", "required", 1, "schema", "type", "string"));
		p = end;
	}
	for (const char *q = rt->query; params && q && *q;) {
		size_t n = strcspn(q, ",");
		char name[64];
		if (n >= sizeof(name))
			break;
		memcpy(name, q, n);
		name[n] = '\0';
		json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", name, "in",
						       "query", "required", 0, "schema", "type", "string"));
		q += n + (q[n] == ',');
	}
	return params;
}

static json_t *operation_of(const struct route *rt)
{
	json_t *op, *responses, *ok;
	struct strbuf sb;
	char code[8];

	strbuf_init(&sb, 256);
	operation_id(&sb, rt);
	op = json_pack("{s:s, s:s}", "summary", rt->summary, "operationId", strbuf_str(&sb));
	strbuf_release(&sb);
	if (!op)
		return NULL;
	if (rt->perm == ROUTE_PUBLIC) {
		json_object_set_new(op, "security", json_array());
		json_object_set_new(op, "x-permission", json_string("none"));
	} else {
		json_object_set_new(op, "security",
				    json_pack("[{s:[]}, {s:[]}]", "session", "bearer"));
		json_object_set_new(op, "x-permission", json_string(perm_name((enum perm)rt->perm)));
	}
	if (rt->pattern[0] && (strchr(rt->pattern, '{') || rt->query)) {
		json_t *params = parameters_of(rt);
		if (params)
			json_object_set_new(op, "parameters", params);
	}
	if (rt->request_schema)
		json_object_set_new(op, "requestBody",
				    json_pack("{s:b, s:{s:{s:o}}}", "required", 1, "content",
					      "application/json", "schema", ref_to(rt->request_schema)));
	responses = json_object();
	ok = json_pack("{s:s}", "description", "success");
	if (ok && rt->response_schema)
		json_object_set_new(ok, "content",
				    json_pack("{s:{s:o}}", rt->content_type ? rt->content_type : "application/json",
					      "schema", ref_to(rt->response_schema)));
	else if (ok && rt->content_type)
		json_object_set_new(ok, "content",
				    json_pack("{s:{s:{s:s}}}", rt->content_type, "schema", "type", "string"));
	snprintf(code, sizeof(code), "%u", rt->status);
	json_object_set_new(responses, code, ok);
	json_object_set_new(responses, "default",
			    json_pack("{s:s, s:{s:{s:o}}}", "description", "an error (RFC 9457)",
				      "content", "application/problem+json", "schema",
				      ref_to("Problem")));
	json_object_set_new(op, "responses", responses);
	return op;
}

char *openapi_document(void)
{
	json_t *doc, *paths, *comps, *sch;
	char *text = NULL;

	doc = json_pack("{s:s, s:{s:s, s:s, s:s}}", "openapi", "3.1.0", "info", "title",
			"mmis — Migration Management Information System", "version", MMIS_VERSION,
			"description",
			"Generated from the server's route table. x-permission names the permission a "
			"route needs (\"none\" for public routes). Errors are RFC 9457 problems.");
	paths = json_object();
	sch = json_object();
	comps = json_pack("{s:o, s:{s:{s:s, s:s, s:s}, s:{s:s, s:s}}}", "schemas", sch,
			  "securitySchemes", "session", "type", "apiKey", "in", "cookie", "name",
			  "mmis_session", "bearer", "type", "http", "scheme", "bearer");
	if (!doc || !paths || !comps)
		goto out;
	for (size_t i = 0; i < sizeof(schemas) / sizeof(schemas[0]); i++) {
		json_error_t je;
		json_t *s = json_loads(schemas[i].json, JSON_REJECT_DUPLICATES, &je);
		if (!s)
			goto out;
		json_object_set_new(sch, schemas[i].name, s);
	}
	for (size_t i = 0; i < server_route_count; i++) {
		const struct route *rt = &server_routes[i];
		json_t *item = json_object_get(paths, rt->pattern);
		char m[16];
		if (!item) {
			item = json_object();
			if (!item || json_object_set_new(paths, rt->pattern, item))
				goto out;
		}
		lower(m, sizeof(m), rt->method);
		json_t *op = operation_of(rt);
		if (!op || json_object_set_new(item, m, op))
			goto out;
	}
	json_object_set(doc, "paths", paths);
	json_object_set(doc, "components", comps);
	text = mjson_dump(doc);
out:
	json_decref(doc);
	json_decref(paths);
	json_decref(comps);
	return text;
}

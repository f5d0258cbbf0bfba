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
	  "\"flags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
	  "\"hits\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Hit\"}},"
	  "\"screening\":{\"type\":[\"object\",\"null\"]}}}" },
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
	{ "MergePerson",
	  "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"surname\":{\"type\":\"string\"},"
	  "\"given_names\":{\"type\":[\"string\",\"null\"]},\"surname_typed\":{\"type\":[\"string\",\"null\"]},"
	  "\"given_names_typed\":{\"type\":[\"string\",\"null\"]},\"sex\":{\"type\":\"string\"},"
	  "\"birth_date\":{\"type\":[\"string\",\"null\"]},\"nationality\":{\"type\":[\"string\",\"null\"]},"
	  "\"merged_into\":{\"type\":[\"string\",\"null\"]},\"documents\":{\"type\":\"array\"},"
	  "\"counts\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"integer\"}},"
	  "\"last_crossing_at\":{\"type\":[\"string\",\"null\"]}}}" },
	{ "Merge",
	  "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},"
	  "\"status\":{\"enum\":[\"proposed\",\"accepted\",\"rejected\",\"reverted\"]},"
	  "\"score\":{\"type\":\"number\"},\"open\":{\"type\":\"boolean\"},"
	  "\"proposed_at\":{\"type\":\"string\"},\"decided_at\":{\"type\":[\"string\",\"null\"]},"
	  "\"decided_by\":{\"type\":[\"string\",\"null\"]},\"note\":{\"type\":[\"string\",\"null\"]},"
	  "\"reverted_at\":{\"type\":[\"string\",\"null\"]},\"reverted_by\":{\"type\":[\"string\",\"null\"]},"
	  "\"revert_note\":{\"type\":[\"string\",\"null\"]},\"survivor_id\":{\"type\":[\"string\",\"null\"]},"
	  "\"merged_id\":{\"type\":[\"string\",\"null\"]},"
	  "\"persons\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/MergePerson\"}},"
	  "\"reasons\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
	  "\"field\":{\"type\":\"string\"},\"query\":{\"type\":\"string\"},\"entry\":{\"type\":\"string\"},"
	  "\"how\":{\"type\":\"string\"},\"similarity\":{\"type\":\"number\"},\"effect\":{\"type\":\"number\"},"
	  "\"text\":{\"type\":\"string\"}}}},"
	  "\"moved\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"integer\"}},"
	  "\"moved_back_since\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"integer\"}}}}" },
	{ "MergeList",
	  "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Merge\"}},"
	  "\"total\":{\"type\":\"integer\"},\"limit\":{\"type\":\"integer\"},\"offset\":{\"type\":\"integer\"}}}" },
	{ "MergeAccept",
	  "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"note\":{\"type\":\"string\"},"
	  "\"survivor\":{\"type\":\"string\",\"description\":\"the person who keeps the records (default: the one recorded first)\"}}}" },
	{ "MergeNote",
	  "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"note\":{\"type\":\"string\"}}}" },
	{ "MergeRevert",
	  "{\"type\":\"object\",\"required\":[\"note\"],\"additionalProperties\":false,"
	  "\"properties\":{\"note\":{\"type\":\"string\"}}}" },
	{ "DetectNew",
	  "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
	  "\"threshold\":{\"type\":\"number\",\"minimum\":0.5,\"maximum\":1},\"dry_run\":{\"type\":\"boolean\"}}}" },
	{ "DetectResult",
	  "{\"type\":\"object\",\"properties\":{\"dry_run\":{\"type\":\"boolean\"},\"threshold\":{\"type\":\"number\"},"
	  "\"persons\":{\"type\":\"integer\"},\"unusable\":{\"type\":\"integer\"},\"found\":{\"type\":\"integer\"},\"names_only\":{\"type\":\"integer\"},"
	  "\"proposed\":{\"type\":\"integer\"},\"refreshed\":{\"type\":\"integer\"},\"skipped\":{\"type\":\"integer\"},"
	  "\"elapsed_ms\":{\"type\":\"integer\"},\"pairs\":{\"type\":\"array\"}}}" },
	/* Protection (routes_protect.c; docs/protection.md) */
	{ "FormList",
	  "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
	  "\"properties\":{\"id\":{\"type\":\"string\"},\"version\":{\"type\":\"integer\"},"
	  "\"title\":{\"type\":\"object\"},\"case_form\":{\"type\":\"boolean\"},\"child_only\":{\"type\":\"boolean\"}}}}}}" },
	{ "Form", "{\"type\":\"object\",\"description\":\"a form definition (lib/protect/forms/): "
	  "sections, fields {id, section, type, scope, label {en, cnr}, required, shown_if, choices, "
	  "indicator}, outcomes, default_outcome, case_types\"}" },
	{ "ScreeningNew",
	  "{\"type\":\"object\",\"required\":[\"answers\"],\"additionalProperties\":false,\"properties\":{"
	  "\"form\":{\"type\":\"string\"},\"answers\":{\"type\":\"object\"},\"person_id\":{\"type\":\"string\"},"
	  "\"bcp\":{\"type\":\"string\"}}}" },
	{ "Screening",
	  "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"form\":{\"type\":\"string\"},"
	  "\"outcomes\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}},"
	  "\"case_types\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"indicators\":{\"type\":\"object\"}}}" },
	{ "CaseNew",
	  "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"screening_id\":{\"type\":\"string\"},"
	  "\"types\":{\"type\":\"array\",\"items\":{\"enum\":[\"presumed_victim_of_trafficking\",\"unaccompanied_child\","
	  "\"separated_child\",\"smuggled_migrant\",\"other_vulnerable\"]}},\"opened_on\":{\"type\":\"string\",\"format\":\"date\"},"
	  "\"surname\":{\"type\":\"string\"},\"given_names\":{\"type\":\"string\"},\"sex\":{\"enum\":[\"F\",\"M\",\"X\"]},"
	  "\"birth_date\":{\"type\":\"string\"},\"citizenship\":{\"type\":\"string\"},\"languages\":{\"type\":\"string\"},"
	  "\"phone\":{\"type\":\"string\"},\"address\":{\"type\":\"string\"},\"story\":{\"type\":\"string\"},"
	  "\"health\":{\"type\":\"string\"},\"exploitation\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
	  "\"description\":\"HTCDS vic_TypeOfExploitation\"},\"means_of_control\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
	  "\"description\":\"HTCDS vic_MethodsOfControl\"},\"relationship_to_trafficker\":{\"enum\":[\"Familial\",\"Acquainted\",\"Unacquainted\"]},"
	  "\"country_of_exploitation\":{\"type\":\"string\"},\"person_id\":{\"type\":\"string\"},\"bcp\":{\"type\":\"string\"}}}" },
	{ "CaseUpdate", "{\"type\":\"object\",\"description\":\"the members of CaseNew but screening_id and opened_on\"}" },
	{ "Case",
	  "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"state\":{\"enum\":[\"identified\","
	  "\"assessment\",\"case_plan\",\"services\",\"services_implemented\",\"closed\"]},"
	  "\"types\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"access\":{\"enum\":[\"full\",\"referred\"]},"
	  "\"scopes\":{\"type\":\"array\",\"items\":{\"enum\":[\"identity\",\"contact\",\"story\",\"health\"]}},"
	  "\"identity\":{\"type\":\"object\"},\"contact\":{\"type\":\"object\"},\"story\":{\"type\":\"object\","
	  "\"description\":\"with the HTCDS trafficking_status, exploitation, means_of_control, "
	  "relationship_to_trafficker, country_of_exploitation\"},\"health\":{\"type\":\"object\"},"
	  "\"reflection\":{\"type\":[\"object\",\"null\"]},\"screening\":{\"type\":[\"object\",\"null\"]},"
	  "\"forms\":{\"type\":\"array\"},\"consents\":{\"type\":\"array\"},\"referrals\":{\"type\":\"array\"},"
	  "\"services\":{\"type\":\"array\"},\"notes\":{\"type\":\"array\"},\"followups\":{\"type\":\"array\"},"
	  "\"timeline\":{\"type\":\"array\"},\"allowed\":{\"type\":\"object\"}}}" },
	{ "CasePage",
	  "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}},"
	  "\"total\":{\"type\":\"integer\"},\"limit\":{\"type\":\"integer\"},\"offset\":{\"type\":\"integer\"}}}" },
	{ "Transition",
	  "{\"type\":\"object\",\"required\":[\"to\"],\"additionalProperties\":false,\"properties\":{"
	  "\"to\":{\"type\":\"string\"},\"closure_reason\":{\"type\":\"string\"},\"reason\":{\"type\":\"string\"}}}" },
	{ "Identification",
	  "{\"type\":\"object\",\"required\":[\"outcome\"],\"additionalProperties\":false,\"properties\":{"
	  "\"outcome\":{\"enum\":[\"victim\",\"not_victim\"]},\"decided_on\":{\"type\":\"string\",\"format\":\"date\"},"
	  "\"note\":{\"type\":\"string\"}}}" },
	{ "Assignment",
	  "{\"type\":\"object\",\"required\":[\"worker\"],\"additionalProperties\":false,\"properties\":{"
	  "\"worker\":{\"type\":\"string\",\"description\":\"username\"}}}" },
	{ "Transfer",
	  "{\"type\":\"object\",\"required\":[\"to_agency\",\"reason\"],\"additionalProperties\":false,"
	  "\"properties\":{\"to_agency\":{\"type\":\"string\"},\"worker\":{\"type\":\"string\"},\"reason\":{\"type\":\"string\"}}}" },
	{ "FormAnswers",
	  "{\"type\":\"object\",\"required\":[\"answers\"],\"additionalProperties\":false,\"properties\":{"
	  "\"answers\":{\"type\":\"object\"}}}" },
	{ "Created",
	  "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"case\":{\"$ref\":\"#/components/schemas/Case\"}}}" },
	{ "ConsentNew",
	  "{\"type\":\"object\",\"required\":[\"to_agency\",\"scopes\",\"given_by\"],\"additionalProperties\":false,"
	  "\"properties\":{\"to_agency\":{\"type\":\"string\"},\"scopes\":{\"type\":\"array\",\"items\":{\"enum\":"
	  "[\"identity\",\"contact\",\"story\",\"health\"]}},\"given_by\":{\"enum\":[\"person\",\"guardian\"]},"
	  "\"guardian_name\":{\"type\":\"string\"},\"given_on\":{\"type\":\"string\",\"format\":\"date\"},\"note\":{\"type\":\"string\"}}}" },
	{ "ReferralNew",
	  "{\"type\":\"object\",\"required\":[\"to_agency\",\"service\"],\"additionalProperties\":false,"
	  "\"properties\":{\"to_agency\":{\"type\":\"string\"},\"service\":{\"enum\":[\"shelter\",\"medical\","
	  "\"psychosocial\",\"legal_aid\",\"interpretation\",\"education\",\"family_tracing\",\"financial\","
	  "\"documents\",\"return_counselling\"]},\"note\":{\"type\":\"string\"},\"override_reason\":{\"type\":\"string\"},"
	  "\"scopes\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}" },
	{ "Referral",
	  "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"case_id\":{\"type\":\"string\"},"
	  "\"from_agency\":{\"type\":\"string\"},\"to_agency\":{\"type\":\"string\"},\"service\":{\"type\":\"string\"},"
	  "\"state\":{\"enum\":[\"pending\",\"accepted\",\"declined\",\"completed\",\"withdrawn\"]},"
	  "\"with_consent\":{\"type\":\"boolean\"},\"decline_reason\":{\"type\":[\"string\",\"null\"]}}}" },
	{ "ReferralList",
	  "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Referral\"}}}}" },
	{ "Reason",
	  "{\"type\":\"object\",\"required\":[\"reason\"],\"additionalProperties\":false,\"properties\":{"
	  "\"reason\":{\"type\":\"string\"},\"note\":{\"type\":\"string\"}}}" },
	{ "ServiceNew",
	  "{\"type\":\"object\",\"required\":[\"service\",\"delivered_on\"],\"additionalProperties\":false,"
	  "\"properties\":{\"service\":{\"type\":\"string\"},\"delivered_on\":{\"type\":\"string\",\"format\":\"date\"},"
	  "\"provider\":{\"type\":\"string\"},\"project\":{\"type\":\"string\"},\"referral_id\":{\"type\":\"string\"},"
	  "\"note\":{\"type\":\"string\"}}}" },
	{ "NoteNew",
	  "{\"type\":\"object\",\"required\":[\"text\"],\"additionalProperties\":false,\"properties\":{\"text\":{\"type\":\"string\"}}}" },
	{ "FollowupNew",
	  "{\"type\":\"object\",\"required\":[\"due_on\",\"text\"],\"additionalProperties\":false,\"properties\":{"
	  "\"due_on\":{\"type\":\"string\",\"format\":\"date\"},\"text\":{\"type\":\"string\"}}}" },
	{ "Provider",
	  "{\"type\":\"object\",\"properties\":{\"code\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},"
	  "\"kind\":{\"type\":\"string\"},\"services\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}" },
	{ "ProviderList",
	  "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Provider\"}}}}" },
	{ "Services",
	  "{\"type\":\"object\",\"required\":[\"services\"],\"additionalProperties\":false,\"properties\":{"
	  "\"services\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}" },
	{ "Project",
	  "{\"type\":\"object\",\"required\":[\"code\",\"name\",\"donor\"],\"properties\":{\"code\":{\"type\":\"string\"},"
	  "\"name\":{\"type\":\"string\"},\"donor\":{\"type\":\"string\"}}}" },
	{ "ProjectList",
	  "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Project\"}}}}" },
	{ "Dashboard", "{\"type\":\"object\",\"properties\":{\"open_by_type_state\":{\"type\":\"array\"},"
	  "\"by_state\":{\"type\":\"array\"},\"overdue_followups\":{\"type\":\"array\"},"
	  "\"reflection_ending\":{\"type\":\"array\"},\"unassigned\":{\"type\":\"integer\"},"
	  "\"referrals_waiting_in\":{\"type\":\"integer\"},\"referrals_waiting_out\":{\"type\":\"integer\"}}}" },
	{ "AccessTable", "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{"
	  "\"type\":\"object\",\"properties\":{\"action\":{\"type\":\"string\"},\"method\":{\"type\":\"string\"},"
	  "\"route\":{\"type\":\"string\"},\"permission\":{\"type\":\"string\"},\"reach\":{\"type\":\"array\"},"
	  "\"what\":{\"type\":\"string\"}}}},\"workflow\":{\"type\":\"array\"}}}" },
	{ "ScreenQuery",
	  "{\"type\":\"object\",\"additionalProperties\":false,"
	  "\"properties\":{\"id\":{\"type\":[\"string\",\"integer\"]},\"name\":{\"type\":\"string\"},"
	  "\"birth_date\":{\"type\":\"string\"},\"nationality\":{\"type\":\"string\"},"
	  "\"sex\":{\"enum\":[\"F\",\"M\",\"X\"]},\"document_number\":{\"type\":\"string\"}}}" },
	{ "ScreenRequest",
	  "{\"description\":\"one query (with threshold and limit as members), or {queries:[...], threshold, limit}\","
	  "\"oneOf\":[{\"$ref\":\"#/components/schemas/ScreenQuery\"},"
	  "{\"type\":\"object\",\"required\":[\"queries\"],\"properties\":{\"queries\":{\"type\":\"array\","
	  "\"items\":{\"$ref\":\"#/components/schemas/ScreenQuery\"},\"maxItems\":1000},"
	  "\"threshold\":{\"type\":\"number\"},\"limit\":{\"type\":\"integer\"}}}]}" },
	{ "ScreenHit",
	  "{\"type\":\"object\",\"properties\":{\"entry_id\":{\"type\":\"string\"},\"list\":{\"type\":\"string\"},"
	  "\"name\":{\"type\":[\"string\",\"null\"]},\"score\":{\"type\":\"number\"},\"reasons\":{\"type\":\"array\"},"
	  "\"category\":{\"type\":\"string\"},\"action\":{\"enum\":[\"refuse_entry\",\"detain\",\"notify\",\"check_further\"]}}}" },
	{ "ScreenResult",
	  "{\"type\":\"object\",\"description\":\"{id, hits} for one query; {results:[{id, hits}]} for a batch\","
	  "\"properties\":{\"id\":{},\"hits\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/ScreenHit\"}},"
	  "\"results\":{\"type\":\"array\"}}}" },
	{ "WatchlistList",
	  "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}},"
	  "\"screening\":{\"type\":[\"object\",\"null\"]}}}" },
	{ "Hit",
	  "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"crossing_id\":{\"type\":\"string\"},"
	  "\"list\":{\"type\":\"string\"},\"action\":{\"type\":\"string\"},\"entry_id\":{\"type\":\"string\"},"
	  "\"name\":{\"type\":[\"string\",\"null\"]},\"entry\":{\"type\":\"object\"},\"score\":{\"type\":\"number\"},"
	  "\"reasons\":{\"type\":\"array\"},\"status\":{\"enum\":[\"pending\",\"confirmed\",\"dismissed\"]},"
	  "\"traveller\":{\"type\":\"object\",\"description\":\"the traveller and the crossing the hit was raised on: "
	  "surname, given_names, nationality, birth_date, document_number, issuing_state, crossing_at, bcp, direction\"}}}" },
	{ "HitList",
	  "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Hit\"}}}}" },
	{ "HitDecision",
	  "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"note\":{\"type\":\"string\"}}}" },
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

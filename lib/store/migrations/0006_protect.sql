-- 0006 protect: protection of vulnerable migrants (docs/protection.md): screenings, cases and
-- their types, timeline, forms, consents, referrals, services delivered, the services providers
-- offer, projects and donors, notes and follow-ups.
--
-- Identifiers are UUIDv7 text; times UTC ISO 8601 text; dates "YYYY-MM-DD" (a date of birth may be
-- partial). Codes (states, types, services, HTCDS codes) are plain text columns, checked by the
-- library against its tables (lib/protect/workflow.c) and indexed where statistics count them.
-- Lists of codes (exploitation, means of control, consent scopes) are comma-separated.

-- A vulnerability screening: the form's answers (JSON text) and the suggested outcome(s).
CREATE TABLE protect_screening (
	id TEXT PRIMARY KEY,
	form_id TEXT NOT NULL,
	form_version BIGINT NOT NULL,
	answers TEXT NOT NULL,
	outcome TEXT NOT NULL,
	suggested_types TEXT NOT NULL DEFAULT '',
	person_id TEXT REFERENCES person (id),
	bcp_code TEXT REFERENCES bcp (code),
	case_id TEXT,
	created_by TEXT NOT NULL REFERENCES app_user (id),
	agency_id TEXT NOT NULL REFERENCES agency (id),
	created_at TEXT NOT NULL
);
CREATE INDEX protect_screening_agency ON protect_screening (agency_id, created_at);
CREATE INDEX protect_screening_outcome ON protect_screening (outcome, created_at);

-- A case. The owner is a worker (NULL: unassigned) and an agency. The person's particulars live
-- here (person_id links a traveller of the border records when there is one). HTCDS 2.0 fields:
-- trafficking_status (PossibleVictim, ActualVictim, NotAVictimOfTrafficking, or NULL),
-- exploitation (vic_TypeOfExploitation codes), means_of_control (vic_MethodsOfControl),
-- relationship_to_trafficker (vic_RelationshipToTrafficker), citizenship and
-- country_of_exploitation (ISO 3166-1 alpha-3).
CREATE TABLE protect_case (
	id TEXT PRIMARY KEY,
	state TEXT NOT NULL CHECK (state IN ('identified', 'assessment', 'case_plan', 'services',
		'services_implemented', 'closed')),
	agency_id TEXT NOT NULL REFERENCES agency (id),
	worker_id TEXT REFERENCES app_user (id),
	person_id TEXT REFERENCES person (id),
	screening_id TEXT REFERENCES protect_screening (id),
	bcp_code TEXT REFERENCES bcp (code),
	surname TEXT,
	given_names TEXT,
	sex TEXT CHECK (sex IN ('F', 'M', 'X')),
	birth_date TEXT,
	citizenship TEXT,
	languages TEXT,
	phone TEXT,
	address TEXT,
	story TEXT,
	health TEXT,
	is_child BOOLEAN NOT NULL DEFAULT FALSE,
	trafficking_status TEXT,
	exploitation TEXT NOT NULL DEFAULT '',
	means_of_control TEXT NOT NULL DEFAULT '',
	relationship_to_trafficker TEXT,
	country_of_exploitation TEXT,
	identification_outcome TEXT,
	identified_on TEXT,
	identified_by TEXT REFERENCES app_user (id),
	reflection_start TEXT,
	reflection_end TEXT,
	closure_reason TEXT,
	opened_on TEXT NOT NULL,
	closed_at TEXT,
	created_by TEXT NOT NULL REFERENCES app_user (id),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX protect_case_agency_state ON protect_case (agency_id, state);
CREATE INDEX protect_case_worker ON protect_case (worker_id, state);
CREATE INDEX protect_case_state ON protect_case (state, opened_on);
CREATE INDEX protect_case_person ON protect_case (person_id);
CREATE INDEX protect_case_reflection ON protect_case (reflection_end);

-- A case's types (several per case).
CREATE TABLE protect_case_type (
	case_id TEXT NOT NULL REFERENCES protect_case (id),
	type TEXT NOT NULL,
	PRIMARY KEY (case_id, type)
);
CREATE INDEX protect_case_type_type ON protect_case_type (type);

-- The timeline: every transition, assignment, transfer, identification, consent, referral step,
-- service, form, note and follow-up of a case.
CREATE TABLE protect_event (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES protect_case (id),
	at TEXT NOT NULL,
	kind TEXT NOT NULL,
	from_state TEXT,
	to_state TEXT,
	detail TEXT,
	actor_id TEXT,
	actor TEXT NOT NULL,
	agency_id TEXT
);
CREATE INDEX protect_event_case ON protect_event (case_id, at);

-- A completed case form (assessment, case plan, guardian, best interests ...): its answers as JSON.
CREATE TABLE protect_case_form (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES protect_case (id),
	form_id TEXT NOT NULL,
	form_version BIGINT NOT NULL,
	answers TEXT NOT NULL,
	created_by TEXT REFERENCES app_user (id),
	agency_id TEXT,
	created_at TEXT NOT NULL
);
CREATE INDEX protect_case_form_case ON protect_case_form (case_id, form_id, created_at);

-- The person's (a guardian's, for a child) consent to share with an agency what `scopes` name
-- (identity, contact, story, health).
CREATE TABLE protect_consent (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES protect_case (id),
	to_agency_id TEXT NOT NULL REFERENCES agency (id),
	scopes TEXT NOT NULL,
	given_by TEXT NOT NULL CHECK (given_by IN ('person', 'guardian')),
	guardian_name TEXT,
	given_on TEXT NOT NULL,
	note TEXT,
	recorded_by TEXT REFERENCES app_user (id),
	created_at TEXT NOT NULL,
	withdrawn_at TEXT,
	withdrawn_by TEXT REFERENCES app_user (id)
);
CREATE INDEX protect_consent_case ON protect_consent (case_id, to_agency_id);

-- A referral to a service provider. consent_id: the consent that covers it; or override_reason and
-- override_scopes when a case supervisor referred without one.
CREATE TABLE protect_referral (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES protect_case (id),
	from_agency_id TEXT NOT NULL REFERENCES agency (id),
	to_agency_id TEXT NOT NULL REFERENCES agency (id),
	service TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'declined', 'completed',
		'withdrawn')),
	consent_id TEXT REFERENCES protect_consent (id),
	override_reason TEXT,
	override_scopes TEXT,
	note TEXT,
	decline_reason TEXT,
	created_by TEXT REFERENCES app_user (id),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	decided_by TEXT REFERENCES app_user (id),
	decided_at TEXT,
	completed_at TEXT
);
CREATE INDEX protect_referral_to ON protect_referral (to_agency_id, state);
CREATE INDEX protect_referral_from ON protect_referral (from_agency_id, state);
CREATE INDEX protect_referral_case ON protect_referral (case_id);
CREATE INDEX protect_referral_service ON protect_referral (service, created_at);

-- The services an agency offers (a service provider).
CREATE TABLE agency_service (
	agency_id TEXT NOT NULL REFERENCES agency (id),
	service TEXT NOT NULL,
	PRIMARY KEY (agency_id, service)
);

-- Projects that fund services, and their donors.
CREATE TABLE protect_project (
	id TEXT PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	donor TEXT NOT NULL,
	created_at TEXT NOT NULL
);

-- A service delivered to a case: when, by which provider, funded by which project.
CREATE TABLE protect_service (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES protect_case (id),
	service TEXT NOT NULL,
	provider_agency_id TEXT NOT NULL REFERENCES agency (id),
	project_id TEXT REFERENCES protect_project (id),
	referral_id TEXT REFERENCES protect_referral (id),
	delivered_on TEXT NOT NULL,
	note TEXT,
	recorded_by TEXT REFERENCES app_user (id),
	created_at TEXT NOT NULL
);
CREATE INDEX protect_service_case ON protect_service (case_id);
CREATE INDEX protect_service_provider ON protect_service (provider_agency_id, delivered_on);
CREATE INDEX protect_service_project ON protect_service (project_id, delivered_on);
CREATE INDEX protect_service_service ON protect_service (service, delivered_on);

CREATE TABLE protect_note (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES protect_case (id),
	text TEXT NOT NULL,
	created_by TEXT REFERENCES app_user (id),
	agency_id TEXT,
	created_at TEXT NOT NULL
);
CREATE INDEX protect_note_case ON protect_note (case_id, created_at);

CREATE TABLE protect_followup (
	id TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES protect_case (id),
	due_on TEXT NOT NULL,
	text TEXT NOT NULL,
	created_by TEXT REFERENCES app_user (id),
	created_at TEXT NOT NULL,
	done_at TEXT,
	done_by TEXT REFERENCES app_user (id)
);
CREATE INDEX protect_followup_case ON protect_followup (case_id, due_on);
CREATE INDEX protect_followup_due ON protect_followup (due_on);

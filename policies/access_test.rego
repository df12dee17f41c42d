# METADATA
# title: Unit tests of credgate.access
# description: |
#   Run with `opa test -b policies/` (data.json is loaded alongside); in CI
#   tests/policy/test_opa_reference.py runs every test_ rule here under OPA's
#   own engine, one pytest case each. Inputs are built from whole objects so that object.union is
#   never asked to merge nested objects (it is not recursive in rego-cpp).
package credgate.access_test

import rego.v1

import data.credgate.access

now := 1764000000000000000

day := 86400000000000

subject := "91210502MA0XXXXXXX"

bank := {"id": "bank-001", "role": "institution", "kind": "bank", "status": "active"}

suspended_bank := {"id": "bank-001", "role": "institution", "kind": "bank", "status": "suspended"}

tax := {"dataset": "tax_payments", "class": "authorized"}

licence := {"dataset": "business_licence", "class": "public"}

court := {"dataset": "court_judgments", "class": "institution"}

utilities := {"dataset": "utility_payments", "class": "verify_only"}

vat_predicate := {"name": "vat_paid_last_year_at_least", "reads": [tax]}

utility_predicate := {"name": "utilities_paid_on_time", "reads": [utilities]}

grant := {
	"id": "auth-1",
	"institution": "bank-001",
	"enterprise": subject,
	"purpose": "loan_underwriting",
	"datasets": ["tax_payments", "utility_payments"],
	"classes": [],
	"modes": ["report", "verify"],
	"not_before_ns": now - day,
	"expires_at_ns": now + day,
	"state": "active",
	"uses_left": null,
}

report := {
	"now_ns": now,
	"caller": bank,
	"action": "report",
	"purpose": "loan_underwriting",
	"subject": subject,
	"resources": [tax, licence, court, utilities],
	"predicates": [],
	"authorizations": [grant],
}

verify := object.union(report, {
	"action": "verify",
	"resources": [],
	"predicates": [vat_predicate, utility_predicate],
})

decide(request) := d if {
	d := access.decision with input as request
}

# The caller replaced whole: OPA's object.union would merge the old caller's fields back in.
with_caller(request, caller) := object.union(object.remove(request, {"caller"}), {"caller": caller})

with_grant(request, g) := object.union(request, {"authorizations": [g]})

disclosed(d, r, id) if {
	{"dataset": r.dataset, "class": r.class, "authorization": id} in d.disclose
}

withheld(d, r, reason) if {
	{"dataset": r.dataset, "class": r.class, "reason": reason} in d.withhold
}

refused(d, p, reason) if {
	{"predicate": p.name, "reason": reason} in d.refuse
}

test_authorized_report_discloses_under_the_authorization if {
	d := decide(report)
	d.allow == true
	d.reason == "ok"
	disclosed(d, tax, "auth-1")
	disclosed(d, licence, null)
	disclosed(d, court, null)
	withheld(d, utilities, "verify_only")
	count(d.disclose) + count(d.withhold) == 4
}

test_public_needs_no_authorization_nor_financing_purpose if {
	d := decide(object.union(report, {"purpose": "credit_reporting", "authorizations": []}))
	d.allow == true
	disclosed(d, licence, null)
	withheld(d, court, "not_financing_purpose")
	withheld(d, tax, "no_authorization")
}

test_institution_class_needs_financing_purpose if {
	disclosed(decide(object.union(report, {"purpose": "post_loan_monitoring"})), court, null)
	withheld(decide(object.union(report, {"purpose": "insurance_underwriting"})), court, "not_financing_purpose")
}

test_authorization_must_name_this_institution if {
	g := object.union(grant, {"institution": "bank-002"})
	withheld(decide(with_grant(report, g)), tax, "no_authorization")
}

test_authorization_must_be_granted_by_the_subject if {
	g := object.union(grant, {"enterprise": "91110000MA0YYYYYYY"})
	withheld(decide(with_grant(report, g)), tax, "no_authorization")
}

test_authorization_must_match_the_purpose if {
	g := object.union(grant, {"purpose": "post_loan_monitoring"})
	withheld(decide(with_grant(report, g)), tax, "no_authorization")
}

test_report_needs_report_mode if {
	g := object.union(grant, {"modes": ["verify"]})
	withheld(decide(with_grant(report, g)), tax, "no_authorization")
}

test_authorization_scope_by_class if {
	g := object.union(grant, {"datasets": [], "classes": ["authorized"]})
	disclosed(decide(with_grant(report, g)), tax, "auth-1")
}

test_authorization_scope_elsewhere_does_not_cover if {
	g := object.union(grant, {"datasets": ["social_insurance"], "classes": ["institution"]})
	withheld(decide(with_grant(report, g)), tax, "no_authorization")
}

test_revoked_authorization_is_not_in_force if {
	g := object.union(grant, {"state": "revoked"})
	withheld(decide(with_grant(report, g)), tax, "no_authorization")
}

test_authorization_in_force_from_not_before if {
	g := object.union(grant, {"not_before_ns": now})
	disclosed(decide(with_grant(report, g)), tax, "auth-1")
	early := object.union(grant, {"not_before_ns": now + 1})
	withheld(decide(with_grant(report, early)), tax, "no_authorization")
}

test_authorization_expires_at_expires_at if {
	g := object.union(grant, {"expires_at_ns": now + 1})
	disclosed(decide(with_grant(report, g)), tax, "auth-1")
	expired := object.union(grant, {"expires_at_ns": now})
	withheld(decide(with_grant(report, expired)), tax, "no_authorization")
}

test_authorization_longer_than_the_maximum_lifetime_is_ignored if {
	longest := object.union(grant, {"not_before_ns": now - day, "expires_at_ns": (now - day) + 365 * day})
	disclosed(decide(with_grant(report, longest)), tax, "auth-1")
	too_long := object.union(grant, {"not_before_ns": now - day, "expires_at_ns": (now - day) + 365 * day + 1})
	withheld(decide(with_grant(report, too_long)), tax, "no_authorization")
}

test_used_up_authorization_is_not_in_force if {
	withheld(decide(with_grant(report, object.union(grant, {"uses_left": 0}))), tax, "no_authorization")
	disclosed(decide(with_grant(report, object.union(grant, {"uses_left": 1}))), tax, "auth-1")
}

test_smallest_authorization_id_is_relied_on if {
	request := object.union(report, {"authorizations": [object.union(grant, {"id": "auth-9"}), grant]})
	disclosed(decide(request), tax, "auth-1")
}

test_verify_only_is_never_disclosed if {
	g := object.union(grant, {"classes": ["verify_only", "authorized", "institution", "public"]})
	withheld(decide(with_grant(report, g)), utilities, "verify_only")
}

test_verify_evaluates_predicates_under_verify_mode if {
	d := decide(verify)
	d.allow == true
	{"predicate": "vat_paid_last_year_at_least", "authorizations": ["auth-1"]} in d.evaluate
	{"predicate": "utilities_paid_on_time", "authorizations": ["auth-1"]} in d.evaluate
	count(d.refuse) == 0
}

test_verify_needs_verify_mode if {
	d := decide(with_grant(verify, object.union(grant, {"modes": ["report"]})))
	refused(d, vat_predicate, "no_authorization")
	refused(d, utility_predicate, "no_authorization")
	count(d.evaluate) == 0
}

test_predicate_over_public_data_needs_nothing if {
	p := {"name": "licence_valid", "reads": [licence]}
	d := decide(object.union(verify, {"predicates": [p], "authorizations": []}))
	{"predicate": "licence_valid", "authorizations": []} in d.evaluate
}

test_predicate_over_institution_data_needs_financing_or_verify_authorization if {
	p := {"name": "no_judgments", "reads": [court]}
	financing := decide(object.union(verify, {"predicates": [p], "authorizations": []}))
	{"predicate": "no_judgments", "authorizations": []} in financing.evaluate
	bureau := object.union(verify, {"purpose": "credit_reporting", "predicates": [p]})
	refused(decide(bureau), p, "not_financing_purpose")
	g := object.union(grant, {"purpose": "credit_reporting", "classes": ["institution"]})
	{"predicate": "no_judgments", "authorizations": ["auth-1"]} in decide(with_grant(bureau, g)).evaluate
}

test_predicate_refused_for_its_first_refused_read if {
	p := {"name": "mixed", "reads": [licence, tax, {"dataset": "zoning", "class": "secret"}]}
	refused(decide(object.union(verify, {"predicates": [p], "authorizations": []})), p, "no_authorization")
}

# "First" is in (dataset, class) order, as the gateway sends reads; not the order given.
test_predicate_refusal_does_not_depend_on_read_order if {
	p := {"name": "mixed", "reads": [{"dataset": "zoning", "class": "secret"}, tax, licence]}
	refused(decide(object.union(verify, {"predicates": [p], "authorizations": []})), p, "no_authorization")
}

test_predicate_without_reads_is_refused if {
	p := {"name": "nothing", "reads": []}
	refused(decide(object.union(verify, {"predicates": [p]})), p, "no_reads")
}

test_suspended_institution_gets_public_data_only if {
	d := decide(object.union(report, {"caller": suspended_bank}))
	d.allow == true
	disclosed(d, licence, null)
	withheld(d, tax, "suspended")
	withheld(d, court, "suspended")
	withheld(d, utilities, "suspended")
	v := decide(object.union(verify, {"caller": suspended_bank}))
	refused(v, vat_predicate, "suspended")
	count(v.evaluate) == 0
}

test_unknown_purpose_denies_the_whole_request if {
	d := decide(object.union(report, {"purpose": "marketing"}))
	d.allow == false
	d.reason == "unknown_purpose"
	count(d.disclose) == 0
	withheld(d, licence, "unknown_purpose")
	withheld(d, tax, "unknown_purpose")
	v := decide(object.union(verify, {"purpose": "marketing"}))
	refused(v, vat_predicate, "unknown_purpose")
}

test_unknown_action_denies if {
	decide(object.union(report, {"action": "export"})).reason == "unknown_action"
}

# A missing field is as unknown as a wrong one (OPA once allowed these: `not <undefined> in s`).
test_missing_action_status_role_or_purpose_denies if {
	no_action := decide(object.remove(report, {"action"}))
	no_action.allow == false
	no_action.reason == "unknown_action"
	no_status := decide(with_caller(report, object.remove(bank, {"status"})))
	no_status.allow == false
	no_status.reason == "unknown_status"
	no_role := decide(with_caller(report, object.remove(bank, {"role"})))
	no_role.allow == false
	no_role.reason == "role_not_permitted"
	no_purpose := decide(object.remove(report, {"purpose"}))
	no_purpose.allow == false
	no_purpose.reason == "unknown_purpose"
}

test_self_view_without_role_or_caller_id_denies if {
	me := {"id": subject, "kind": "enterprise", "status": "active"}
	view := object.union(report, {"action": "self_view", "purpose": "self_view"})
	no_role := decide(with_caller(view, me))
	no_role.allow == false
	no_role.reason == "role_not_permitted"
	anonymous := {"role": "enterprise", "kind": "enterprise", "status": "active"}
	no_id := decide(with_caller(view, anonymous))
	no_id.allow == false
	no_id.reason == "not_subject"
}

test_unknown_status_denies if {
	caller := {"id": "bank-001", "role": "institution", "kind": "bank", "status": "pending"}
	decide(object.union(report, {"caller": caller})).reason == "unknown_status"
}

test_operators_sources_assessors_and_enterprises_get_nothing_by_report_or_verify if {
	every role in ["operator", "source", "assessor", "enterprise"] {
		every action in ["report", "verify"] {
			denied_for_role(role, action)
		}
	}
}

denied_for_role(role, action) if {
	caller := {"id": "someone", "role": role, "kind": role, "status": "active"}
	d := decide(object.union(report, {"caller": caller, "action": action}))
	d.allow == false
	d.reason == "role_not_permitted"
	count(d.disclose) == 0
	withheld(d, licence, "role_not_permitted")
}

test_enterprise_sees_all_of_itself if {
	me := {"id": subject, "role": "enterprise", "kind": "enterprise", "status": "active"}
	request := object.union(report, {
		"caller": me, "action": "self_view", "purpose": "self_view",
		"authorizations": [], "predicates": [utility_predicate],
	})
	d := decide(request)
	d.allow == true
	count(d.withhold) == 0
	disclosed(d, utilities, null)
	disclosed(d, tax, null)
	{"predicate": "utilities_paid_on_time", "authorizations": []} in d.evaluate
}

test_enterprise_cannot_self_view_another if {
	other := {"id": "91110000MA0YYYYYYY", "role": "enterprise", "kind": "enterprise", "status": "active"}
	d := decide(object.union(report, {"caller": other, "action": "self_view"}))
	d.allow == false
	d.reason == "not_subject"
}

test_institution_cannot_self_view if {
	decide(object.union(report, {"action": "self_view"})).reason == "role_not_permitted"
}

test_unknown_class_is_withheld if {
	odd := {"dataset": "odd", "class": "secret"}
	withheld(decide(object.union(report, {"resources": [odd]})), odd, "unknown_class")
}

test_every_resource_answered_exactly_once if {
	requests := [report, object.union(report, {"caller": suspended_bank}), object.union(report, {"purpose": "x"})]
	every request in requests {
		answered_once(request)
	}
}

answered_once(request) if {
	d := decide(request)
	answered := {[x.dataset, x.class] | some x in d.disclose} | {[x.dataset, x.class] | some x in d.withhold}
	count(answered) == count(request.resources)
	count(d.disclose) + count(d.withhold) == count(request.resources)
}

# Government relying parties and the provincial platform (issue 15).

council := {"id": "gov-finance-bureau", "role": "government", "kind": "government", "status": "active"}

dishonesty := {"dataset": "serious_dishonesty_list", "class": "public"}

penalty_details := {"dataset": "administrative_penalties", "class": "institution"}

government_report := {
	"now_ns": now,
	"caller": council,
	"action": "report",
	"purpose": "procurement",
	"subject": subject,
	"resources": [licence, dishonesty, penalty_details, tax, utilities],
	"predicates": [],
	"authorizations": [],
}

test_government_sees_the_purposes_datasets_institution_class_included if {
	d := decide(government_report)
	d.allow == true
	disclosed(d, licence, null)
	disclosed(d, dishonesty, null)
	disclosed(d, penalty_details, null)
}

test_government_never_sees_datasets_outside_the_purpose if {
	d := decide(government_report)
	withheld(d, tax, "not_for_purpose")
	withheld(d, utilities, "not_for_purpose")
}

test_government_cannot_use_a_financing_purpose if {
	d := decide(object.union(government_report, {"purpose": "loan_underwriting"}))
	d.allow == false
	d.reason == "purpose_not_for_role"
}

test_institution_cannot_use_a_government_purpose if {
	d := decide(object.union(government_report, {"caller": bank}))
	d.allow == false
	d.reason == "purpose_not_for_role"
}

test_province_feed_gets_public_and_institution_never_authorized if {
	province := {"id": "prov-liaoning", "role": "province", "kind": "province", "status": "active"}
	resources := [licence, penalty_details, tax, {"dataset": "real_estate", "class": "authorized"}]
	request := {
		"now_ns": now, "caller": province, "action": "report", "purpose": "provincial_sharing",
		"subject": subject, "resources": resources, "predicates": [], "authorizations": [],
	}
	d := decide(request)
	d.allow == true
	disclosed(d, licence, null)
	disclosed(d, penalty_details, null)
	withheld(d, {"dataset": "real_estate", "class": "authorized"}, "no_authorization")
	withheld(d, tax, "not_for_purpose")
}

# METADATA
# title: credgate access decision
# description: |
#   One decision per gateway request: which (dataset, disclosure class) groups
#   may be disclosed, which predicates may be evaluated, and a reason for
#   everything withheld or refused. Input and output are documented in
#   policies/README.md; policy numbers live in data.credgate.params.
#   The same file runs in regopy (embedded) and in OPA >= 1.21.3, so it avoids
#   rego-cpp's pitfalls: no brace-less `every`, no `[k | some k, v in obj]`,
#   no reliance on object or set iteration order, and it compares ASCII
#   identifiers only. Outputs are arrays built in input order (arrays iterate
#   in order in both engines; the gateway sorts them): rego-cpp builds sets of
#   objects about three times slower than arrays, and each resource's outcome
#   is computed once, because it does not memoise function calls.
package credgate.access

import rego.v1

# METADATA
# title: decision
# description: |
#   The gateway's only entrypoint. Always defined for a well-formed input;
#   the default exists so that a broken input still yields a denial, which
#   the gateway rejects as inconsistent and fails closed.
# scope: document
# entrypoint: true
default decision := {
	"allow": false,
	"reason": "malformed_input",
	"disclose": [],
	"withhold": [],
	"evaluate": [],
	"refuse": [],
}

decision := {
	"allow": allow,
	"reason": request_reason,
	"disclose": disclose,
	"withhold": withhold,
	"evaluate": evaluate,
	"refuse": refuse,
}

default allow := false

allow if not denial

params := data.credgate.params

actions := {"report", "verify", "self_view"}

query_actions := {"report", "verify"}

statuses := {"active", "suspended"}

classes := {"public", "institution", "authorized", "verify_only"}

# Classes whose predicates can be unlocked by a verify-mode authorization.
verifiable_classes := {"institution", "authorized", "verify_only"}

ns_per_day := 86400000000000

max_authorization_lifetime_ns := params.authorization.max_lifetime_days * ns_per_day

# METADATA
# description: Why the whole request is denied; undefined when it is admitted.
denial := "unknown_action" if {
	not known_action
} else := "unknown_status" if {
	not known_status
} else := "role_not_permitted" if {
	input.action in query_actions
	not query_role
} else := "unknown_purpose" if {
	input.action in query_actions
	not known_purpose
} else := "purpose_not_for_role" if {
	input.action in query_actions
	not role_fits_purpose
} else := "role_not_permitted" if {
	input.action == "self_view"
	not enterprise_caller
} else := "not_subject" if {
	input.action == "self_view"
	not caller_is_subject
}

# Every denial negates a helper rule that must hold positively, never a comparison of input:
# OPA leaves `not input.x in s` and `not params.p[input.x]` undefined when input.x is missing
# (regopy makes them true), and `input.x != v` is undefined in both, so a request missing a
# field would skip its denial and be allowed.
known_action if input.action in actions

known_status if input.caller.status in statuses

query_role if input.caller.role in params.query_roles

known_purpose if params.purposes[input.purpose]

role_fits_purpose if input.caller.role in purpose_roles

enterprise_caller if input.caller.role == "enterprise"

caller_is_subject if input.caller.id == input.subject

request_reason := denial if {
	not allow
} else := "ok"

caller_active if input.caller.status == "active"

# An enterprise looking at its own data (role and identity already checked).
self_view if {
	allow
	input.action == "self_view"
}

financing_purpose if params.purposes[input.purpose].financing == true

# METADATA
# description: |
#   Roles that may ask for the purpose: its `roles`, institutions when it
#   names none (government purposes name `government`, the feed `province`).
purpose_roles := object.get(params.purposes[input.purpose], "roles", ["institution"])

# A purpose served by law (government use, the provincial feed): `institution`
# data is disclosed as for a financing purpose.
statutory_purpose if params.purposes[input.purpose].statutory == true

# METADATA
# description: A purpose that names its `datasets` covers only those.
out_of_scope(r) if {
	input.action in query_actions
	scope := params.purposes[input.purpose].datasets
	not r.dataset in scope
}

# METADATA
# description: Authorizations the subject granted to this caller for this purpose, in force now.
usable_authorizations := [a |
	some a in input.authorizations
	a.institution == input.caller.id
	a.enterprise == input.subject
	a.purpose == input.purpose
	in_force(a)
]

in_force(a) if {
	a.state == "active"
	a.not_before_ns <= input.now_ns
	input.now_ns < a.expires_at_ns
	a.expires_at_ns - a.not_before_ns <= max_authorization_lifetime_ns
	uses_remaining(a)
}

uses_remaining(a) if a.uses_left == null

uses_remaining(a) if a.uses_left > 0

covers(a, r) if r.dataset in a.datasets

covers(a, r) if r.class in a.classes

# METADATA
# description: The smallest id among usable authorizations in `mode` covering `r`.
authorization_for(r, mode) := min(ids) if {
	ids := {a.id |
		some a in usable_authorizations
		mode in a.modes
		covers(a, r)
	}
	count(ids) > 0
}

# METADATA
# description: |
#   Exactly one outcome per resource: disclose (with the authorization used,
#   or null) or withhold (with a reason). The first matching branch wins.
resource_outcome(r) := {"disclose": false, "reason": denial} if {
	not allow
} else := {"disclose": false, "reason": "not_for_purpose"} if {
	out_of_scope(r)
} else := {"disclose": true, "authorization": null} if {
	r.class == "public"
} else := {"disclose": false, "reason": "suspended"} if {
	not caller_active
} else := {"disclose": true, "authorization": null} if {
	self_view
	r.class in classes
} else := {"disclose": true, "authorization": null} if {
	r.class == "institution"
	financing_purpose
} else := {"disclose": true, "authorization": null} if {
	r.class == "institution"
	statutory_purpose
} else := {"disclose": true, "authorization": id} if {
	r.class == "authorized"
	id := authorization_for(r, "report")
} else := {"disclose": false, "reason": "verify_only"} if {
	r.class == "verify_only"
} else := {"disclose": false, "reason": "not_financing_purpose"} if {
	r.class == "institution"
} else := {"disclose": false, "reason": "no_authorization"} if {
	r.class == "authorized"
} else := {"disclose": false, "reason": "unknown_class"}

# METADATA
# description: |
#   Whether a predicate may read one (dataset, class) group: ok (with the
#   authorization used, or null) or refused (with a reason).
read_outcome(r) := {"ok": false, "reason": "not_for_purpose"} if {
	out_of_scope(r)
} else := {"ok": true, "authorization": null} if {
	r.class == "public"
} else := {"ok": false, "reason": "suspended"} if {
	not caller_active
} else := {"ok": true, "authorization": null} if {
	self_view
	r.class in classes
} else := {"ok": true, "authorization": null} if {
	r.class == "institution"
	financing_purpose
} else := {"ok": true, "authorization": null} if {
	r.class == "institution"
	statutory_purpose
} else := {"ok": true, "authorization": id} if {
	r.class in verifiable_classes
	id := authorization_for(r, "verify")
} else := {"ok": false, "reason": "not_financing_purpose"} if {
	r.class == "institution"
} else := {"ok": false, "reason": "no_authorization"} if {
	r.class in verifiable_classes
} else := {"ok": false, "reason": "unknown_class"}

# METADATA
# description: |
#   Exactly one outcome per predicate: evaluate (with the authorizations it
#   relies on) or refuse (with the reason of its first refused read).
predicate_outcome(p) := {"evaluate": false, "reason": denial} if {
	not allow
} else := {"evaluate": false, "reason": "no_reads"} if {
	count(p.reads) == 0
} else := {"evaluate": false, "reason": refusals[0][2]} if {
	# The first refused read in (dataset, class) order, whatever order the reads came in.
	refusals := sort([[r.dataset, r.class, o.reason] |
		some r in p.reads
		o := read_outcome(r)
		o.ok == false
	])
	count(refusals) > 0
} else := {"evaluate": true, "authorizations": sort(ids)} if {
	# sort: rego-cpp iterates a set in insertion order, OPA in sorted order.
	ids := {o.authorization |
		some r in p.reads
		o := read_outcome(r)
		o.authorization != null
	}
}

resource_outcomes := [{"resource": r, "outcome": resource_outcome(r)} |
	some r in input.resources
]

disclose := [d |
	some x in resource_outcomes
	x.outcome.disclose == true
	d := {
		"dataset": x.resource.dataset,
		"class": x.resource.class,
		"authorization": x.outcome.authorization,
	}
]

withhold := [{"dataset": x.resource.dataset, "class": x.resource.class, "reason": x.outcome.reason} |
	some x in resource_outcomes
	x.outcome.disclose == false
]

predicate_outcomes := [{"name": p.name, "outcome": predicate_outcome(p)} |
	some p in input.predicates
]

evaluate := [{"predicate": x.name, "authorizations": x.outcome.authorizations} |
	some x in predicate_outcomes
	x.outcome.evaluate == true
]

refuse := [{"predicate": x.name, "reason": x.outcome.reason} |
	some x in predicate_outcomes
	x.outcome.evaluate == false
]

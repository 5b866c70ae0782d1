# METADATA
# title: Exceptions
# description: >-
#   Waivers by finding id, vulnerability id, rule id or purl pattern, each with
#   a reason and an expiry date. A waiver in force marks the findings it
#   matches accepted before the other policies run, whatever policies run;
#   an expired one, or one without reason or expiry, no longer applies and
#   warns, and one that matches no open finding warns as unused (fails with
#   exceptions_unused: fail). One in force warns exceptions_warn_days
#   before it expires.
# custom:
#   severity: info
#   config: exceptions
package secgate.exceptions

import data.secgate.lib

waivers := object.get(data.secgate.config, "exceptions", [])

# in_force are the waivers that apply: with a reason and an unexpired date.
in_force := [w | some w in waivers; usable(w); not lib.expired(w)]

usable(w) if {
	is_string(w.reason)
	w.reason != ""
	is_string(w.expires)
}

# applied names each open finding a waiver in force accepts.
applied contains {"finding_id": f.id, "exception": w} if {
	some w in in_force
	some f in input.findings
	f.status == "open"
	waives(w, f)
}

# used are the waivers in force that accept a finding. The other policies
# see the findings after the waivers are applied: those a waiver accepted
# are then accepted by an exception, no longer open.
used contains a.exception if some a in applied

used contains w if {
	some f in object.get(secgate.group_by(input.findings, "status"), "accepted", [])
	f.status_reason.by == "exception"
	some w in in_force
	waives(w, f)
}

waives(w, f) if w.id == f.id

waives(w, f) if w.id == f.rule_id

waives(w, f) if w.id in f.aliases

waives(w, f) if w.rule == f.rule_id

waives(w, f) if w.rule in f.aliases

waives(w, f) if lib.purl_matches(w.purl, f.package.purl)

# An expired waiver names the open findings it waived: their tickets
# quote it, so that whoever accepted the risk is asked again.
warn contains {
	"msg": sprintf("exception for %s%s expired on %s and no longer applies", [what(w), lib.owned_by(w), w.expires]),
	"severity": "info",
	"finding_ids": sort([f.id | some f in input.findings; f.status == "open"; waives(w, f)]),
} if {
	some w in waivers
	usable(w)
	lib.expired(w)
}

warn contains {
	"msg": sprintf("exception for %s is ignored: it needs a reason and an expires date (YYYY-MM-DD)", [what(w)]),
	"severity": "info",
} if {
	some w in waivers
	not usable(w)
}

warn contains {
	"msg": sprintf("exception for %s matches no finding by design: give id, rule or purl", [what(w)]),
	"severity": "info",
} if {
	some w in in_force
	not w.id
	not w.rule
	not w.purl
}

# exceptions_warn_days before its last day, a waiver in force warns, so
# that it is renewed or the finding fixed before the gate starts failing.
warn contains {
	"msg": sprintf("exception for %s expires %s%s", [what(w), lib.expires_in(w), lib.ownership(w)]),
	"severity": "info",
	"remediation": "fix what it waives, or renew it with a new expires date if its reason still holds",
	"exception": w,
} if {
	some w in in_force
	lib.expiring(w)
}

# unused are the waivers in force that accept no finding: they warn, or
# fail with exceptions_unused: fail.
unused contains {
	"msg": sprintf("exception for %s%s matches no open finding and is unused: remove it, or correct what it names", [what(w), lib.owned_by(w)]),
	"severity": "info",
	"exception": w,
} if {
	some w in in_force
	names_something(w)
	not w in used
}

warn contains m if {
	not lib.unused_fails
	some m in unused
}

deny contains object.union(m, {"severity": "medium"}) if {
	lib.unused_fails
	some m in unused
}

names_something(w) if w.id

names_something(w) if w.rule

names_something(w) if w.purl

what(w) := w.id if w.id

what(w) := sprintf("rule %s", [w.rule]) if {
	not w.id
	w.rule
}

what(w) := sprintf("purl %s", [w.purl]) if {
	not w.id
	not w.rule
	w.purl
}

what(w) := "(nothing: give id, rule or purl)" if {
	not w.id
	not w.rule
	not w.purl
}

# METADATA
# title: New dependencies
# description: >-
#   With a baseline, a component that is new (absent from the baseline) needs
#   an approval from dependencies.approvals: a purl or name pattern, who
#   approved it, until when and why. An expired approval does not apply; one
#   that matches no new dependency warns as unused.
# custom:
#   severity: high
#   config: dependencies
package secgate.dependencies

import data.secgate.lib

cfg := data.secgate.config.dependencies

new_components := [c | some c in input.components; c.new == true]

approvals_for(c) := [a | some a in cfg.approvals; lib.component_matches(a.match, c)]

valid_approvals(c) := [a | some a in approvals_for(c); not lib.expired(a)]

deny contains {
	"msg": sprintf("new dependency %s is not approved%s", [lib.label(c), expired_note(c)]),
	"severity": "high",
	"components": [lib.label(c)],
	"remediation": sprintf("get %s approved: add it to dependencies.approvals with approved_by, expires and reason", [lib.label(c)]),
} if {
	input.context.baseline
	cfg.require_approval
	some c in new_components
	count(valid_approvals(c)) == 0
}

warn contains {
	"msg": sprintf("approval of %s by %s matches no new dependency and is unused: remove it, or correct its match", [a.match, a.approved_by]),
	"severity": "info",
	"approval": a,
} if {
	input.context.baseline
	cfg.require_approval
	some a in cfg.approvals
	not approves_new(a)
}

approves_new(a) if {
	some c in new_components
	lib.component_matches(a.match, c)
}

expired_note(c) := sprintf(" (its approval by %s expired on %s)", [a.approved_by, a.expires]) if {
	some a in approvals_for(c)
	lib.expired(a)
} else := ""

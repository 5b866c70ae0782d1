# METADATA
# title: Dependency changes
# description: >-
#   With a baseline, each dependency change that
#   dependencies.require_approval_for lists (by default a component added;
#   also upgraded, downgraded, license_changed) needs an approval from
#   dependencies.approvals: a purl or name pattern (a purl without version
#   names every version), who approved it, until when and why. A version
#   change whose order cannot be told needs one when upgraded or downgraded
#   is listed. An expired approval does not apply; one that matches no
#   component needing approval warns as unused (fails with
#   exceptions_unused: fail); one in force warns exceptions_warn_days
#   before it expires. The approvals applied are listed in the decision.
# custom:
#   severity: high
#   config: dependencies
package secgate.dependencies

import data.secgate.lib

cfg := data.secgate.config.dependencies

# required are the changes that need an approval.
required := {ch | some ch in cfg.require_approval_for}

# reasons(c) are the changes of c that need an approval, each one of
# added, upgraded, downgraded, changed (a version change of unknown order,
# asked for when either upgraded or downgraded is) or license_changed.
reasons(c) := {r |
	some r in ["added", "upgraded", "downgraded", "changed", "license_changed"]
	needs(r, c)
}

needs("added", c) if {
	"added" in required
	change_of(c) == "added"
}

needs("upgraded", c) if {
	"upgraded" in required
	c.change == "upgraded"
}

needs("downgraded", c) if {
	"downgraded" in required
	c.change == "downgraded"
}

needs("changed", c) if {
	count(required & {"upgraded", "downgraded"}) > 0
	c.change == "changed"
}

needs("license_changed", c) if {
	"license_changed" in required
	c.license_changed == true
}

# change_of is how c changed; a component marked new without saying how
# was added.
change_of(c) := c.change if says_change(c)

change_of(c) := "added" if {
	not says_change(c)
	c.new == true
}

says_change(c) if is_string(c.change)

# needing are the components that need an approval. (asked is a quick
# test on each component; reasons, the slower one, is left for these.)
needing := [c |
	input.context.baseline
	cfg.require_approval
	some c in input.components
	asked(c)
	count(reasons(c)) > 0
]

asked(c) if {
	"added" in required
	c.new == true
}

asked(c) if c.change in version_changes

asked(c) if {
	"license_changed" in required
	c.license_changed == true
}

# version_changes are the changes of version that need an approval.
version_changes := (required & {"added", "upgraded", "downgraded"}) | {"changed" | count(required & {"upgraded", "downgraded"}) > 0}

approvals_for(c) := [a | some a in cfg.approvals; lib.component_matches(a.match, c)]

valid_approvals(c) := [a | some a in approvals_for(c); not lib.expired(a)]

deny contains {
	"msg": sprintf("%s is not approved%s", [what(r, c), expired_note(c)]),
	"severity": "high",
	"components": [lib.label(c)],
	"remediation": sprintf("get %s approved: add to dependencies.approvals an entry with match %s, approved_by, expires and reason", [lib.label(c), package_of(c)]),
} if {
	some c in needing
	count(valid_approvals(c)) == 0
	some r in reasons(c)
}

# what names the change that needs an approval.
what("added", c) := sprintf("new dependency %s", [lib.label(c)])

what("upgraded", c) := sprintf("upgrade of %s from %s to %s", [package_of(c), c.previous_version, c.version])

what("downgraded", c) := sprintf("downgrade of %s from %s to %s", [package_of(c), c.previous_version, c.version])

what("changed", c) := sprintf("version change of %s from %s to %s (neither an upgrade nor a downgrade can be told)", [package_of(c), c.previous_version, c.version])

what("license_changed", c) := sprintf("licence change of %s (%s → %s)", [lib.label(c), licences(object.get(c, "previous_licenses", []), ""), licences(object.get(c, "licenses", []), object.get(c, "license_expression", ""))])

# package_of names a component's package whatever its version: its purl
# without version, as an approval may match it, else its name.
package_of(c) := lib.versionless(c.purl) if c.purl

package_of(c) := c.name if not c.purl

# licences shows a licence expression, else a list of licences, else none.
licences(_, expr) := expr if expr != ""

licences(ls, "") := concat(", ", ls) if count(ls) > 0

licences([], "") := "none"

# applied lists each approval in force with the components it approved,
# for the decision: what was let through, and on whose word.
applied contains object.union(object.filter(a, ["owner", "ticket"]), {
	"match": a.match,
	"approved_by": a.approved_by,
	"expires": a.expires,
	"reason": a.reason,
	"components": sort({lib.label(c) | some c in needing; lib.component_matches(a.match, c)}),
}) if {
	some a in cfg.approvals
	not lib.expired(a)
	approves(a)
}

# unused are the approvals that approve nothing: they warn, or fail with
# exceptions_unused: fail.
unused contains {
	"msg": sprintf("approval of %s by %s%s matches no dependency that needs approval and is unused: remove it, or correct its match", [a.match, a.approved_by, lib.owned_by(a)]),
	"severity": "info",
	"approval": a,
} if {
	input.context.baseline
	cfg.require_approval
	some a in cfg.approvals
	not approves(a)
}

warn contains m if {
	not lib.unused_fails
	some m in unused
}

deny contains object.union(m, {"severity": "medium"}) if {
	lib.unused_fails
	some m in unused
}

# exceptions_warn_days before its last day, an approval in force warns,
# with or without a baseline: once it expires, the changes it approves
# fail.
warn contains {
	"msg": sprintf("approval of %s by %s expires %s%s", [a.match, a.approved_by, lib.expires_in(a), lib.ownership(a)]),
	"severity": "info",
	"remediation": "renew it with a new expires date if its reason still holds, or remove what it approves",
	"approval": a,
} if {
	cfg.require_approval
	some a in cfg.approvals
	lib.expiring(a)
}

approves(a) if {
	some c in needing
	lib.component_matches(a.match, c)
}

# expired_note names the approvals of c that lapsed, in the order of
# the configuration, each with who answers for it, so that the violation,
# and the remediation ticket made of it, say whom to ask for a renewal:
# " (its approval by security-team (owner alice, ticket SEC-12) expired
# on 2026-10-01)".
expired_note(c) := sprintf(" (%s)", [concat("; ", notes)]) if {
	notes := [sprintf("its approval by %s%s expired on %s", [a.approved_by, lib.owned_by(a), a.expires]) |
		some a in approvals_for(c)
		lib.expired(a)
	]
	count(notes) > 0
} else := ""

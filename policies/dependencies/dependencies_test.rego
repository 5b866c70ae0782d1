package secgate.dependencies_test

import data.secgate.dependencies

now := time.parse_rfc3339_ns("2026-06-01T00:00:00Z")

axios := {"name": "axios", "version": "1.7.0", "purl": "pkg:npm/axios@1.7.0", "new": true}

left_pad := {"name": "left-pad", "version": "1.3.0", "purl": "pkg:npm/left-pad@1.3.0", "new": true}

old := {"name": "lodash", "version": "4.17.21", "purl": "pkg:npm/lodash@4.17.21", "new": false}

nopurl := {"name": "vendored-lib", "version": "", "new": true}

approve(match, expires) := {"match": match, "approved_by": "security-team", "expires": expires, "reason": "r"}

denied(cs, approvals) := r if {
	r := dependencies.deny with input as {"components": cs, "context": {"baseline": true}}
		with data.secgate.config.dependencies.approvals as approvals
		with time.now_ns as now
}

test_unapproved_new_dependency_fails if {
	res := denied([axios, old], [])
	count(res) == 1
	some v in res
	v.components == ["pkg:npm/axios@1.7.0"]
	v.msg == "new dependency pkg:npm/axios@1.7.0 is not approved"
}

test_approved_by_purl_pattern if {
	count(denied([axios], [approve("pkg:npm/axios@*", "2027-06-30")])) == 0
	count(denied([axios, left_pad], [approve("pkg:npm/axios@*", "2027-06-30")])) == 1
}

test_approved_by_name if {
	count(denied([left_pad], [approve("left-pad", "2027-06-30")])) == 0
	count(denied([nopurl], [approve("vendored-*", "2027-06-30")])) == 0
}

test_expired_approval_does_not_apply if {
	res := denied([axios], [approve("pkg:npm/axios@*", "2026-05-31")])
	some v in res
	v.msg == "new dependency pkg:npm/axios@1.7.0 is not approved (its approval by security-team expired on 2026-05-31)"
}

# A lapsed approval is named with its owner and ticket: the violation,
# and the remediation ticket made of it, say whom to ask for a renewal.
test_expired_approval_names_its_owner_and_ticket if {
	a := object.union(approve("pkg:npm/axios@*", "2026-05-31"), {"owner": "alice", "ticket": "SEC-12"})
	{v.msg | some v in denied([axios], [a])} == {"new dependency pkg:npm/axios@1.7.0 is not approved (its approval by security-team (owner alice, ticket SEC-12) expired on 2026-05-31)"}
	b := object.union(approve("pkg:npm/axios@*", "2026-05-31"), {"ticket": "SEC-12"})
	{v.msg | some v in denied([axios], [b])} == {"new dependency pkg:npm/axios@1.7.0 is not approved (its approval by security-team (ticket SEC-12) expired on 2026-05-31)"}
}

# Two lapsed approvals of one component are both named, in the order of
# the configuration, not a conflict that stops the evaluation.
test_two_expired_approvals_named if {
	approvals := [
		object.union(approve("pkg:npm/axios@*", "2026-05-31"), {"owner": "alice"}),
		object.union(approve("pkg:npm/ax*", "2026-04-30"), {"approved_by": "bob"}),
	]
	{v.msg | some v in denied([axios], approvals)} == {"new dependency pkg:npm/axios@1.7.0 is not approved (its approval by security-team (owner alice) expired on 2026-05-31; its approval by bob expired on 2026-04-30)"}
}

test_without_baseline_nothing_is_new if {
	count(dependencies.deny) == 0 with input as {"components": [axios], "context": {"baseline": false}}
}

test_approval_not_required if {
	count(dependencies.deny) == 0 with input as {"components": [axios], "context": {"baseline": true}}
		with data.secgate.config.dependencies.require_approval as false
}

test_component_without_purl_named if {
	res := denied([nopurl], [])
	some v in res
	v.components == ["vendored-lib"]
}

warned(cs, approvals, baseline) := {m.msg | some m in res} if {
	res := dependencies.warn with input as {"components": cs, "context": {"baseline": baseline}}
		with data.secgate.config.dependencies.approvals as approvals
		with time.now_ns as now
}

test_unused_approval_warns if {
	warned([axios, old], [approve("pkg:npm/react@*", "2027-06-30"), approve("pkg:npm/axios@*", "2027-06-30")], true) == {"approval of pkg:npm/react@* by security-team matches no dependency that needs approval and is unused: remove it, or correct its match"}
}

# A component the baseline already has needs no approval any more.
test_approval_of_an_old_component_is_unused if {
	warned([axios, old], [approve("lodash", "2027-06-30"), approve("axios", "2027-06-30")], true) == {"approval of lodash by security-team matches no dependency that needs approval and is unused: remove it, or correct its match"}
}

test_unused_approval_names_it if {
	a := approve("pkg:npm/react@*", "2027-06-30")
	res := dependencies.warn with input as {"components": [axios], "context": {"baseline": true}}
		with data.secgate.config.dependencies.approvals as [a]
		with time.now_ns as now
	some m in res
	m.approval == a
}

test_without_baseline_no_approval_is_unused if {
	warned([axios], [approve("pkg:npm/react@*", "2027-06-30")], false) == set()
}

test_approval_not_required_none_is_unused if {
	res := dependencies.warn with input as {"components": [axios], "context": {"baseline": true}}
		with data.secgate.config.dependencies as {"require_approval": false, "approvals": [approve("pkg:npm/react@*", "2027-06-30")]}
	count(res) == 0
}

# Components as a baseline marks them.
redux_up := {"name": "redux", "version": "4.2.1", "purl": "pkg:npm/redux@4.2.1", "new": false, "change": "upgraded", "previous_version": "4.0.1", "licenses": ["MIT"], "previous_licenses": ["MIT"]}

jq_down := {"name": "jquery", "version": "3.4.0", "purl": "pkg:npm/jquery@3.4.0", "new": false, "change": "downgraded", "previous_version": "3.5.0", "licenses": ["MIT"], "previous_licenses": ["MIT"]}

relicensed := {"name": "chart", "version": "2.0.0", "purl": "pkg:npm/chart@2.0.0", "new": false, "change": "upgraded", "previous_version": "1.0.0", "license_changed": true, "licenses": ["GPL-3.0-only"], "previous_licenses": ["MIT"]}

odd := {"name": "tool", "version": "r7", "purl": "pkg:generic/tool@r7", "new": false, "change": "changed", "previous_version": "r6"}

same := {"name": "lodash", "version": "4.17.21", "purl": "pkg:npm/lodash@4.17.21", "new": false, "change": "unchanged", "previous_version": "4.17.21"}

added := object.union(left_pad, {"change": "added"})

asked(cs, required, approvals) := {v.msg | some v in res} if {
	res := dependencies.deny with input as {"components": cs, "context": {"baseline": true}}
		with data.secgate.config.dependencies.require_approval_for as required
		with data.secgate.config.dependencies.approvals as approvals
		with time.now_ns as now
}

everything := [added, redux_up, jq_down, relicensed, odd, same]

# By default only added packages need an approval, not upgrades.
test_default_asks_only_for_added if {
	res := dependencies.deny with input as {"components": everything, "context": {"baseline": true}}
		with time.now_ns as now
	{v.msg | some v in res} == {"new dependency pkg:npm/left-pad@1.3.0 is not approved"}
}

test_each_change_named if {
	asked(everything, ["added", "upgraded", "downgraded", "license_changed"], []) == {
		"new dependency pkg:npm/left-pad@1.3.0 is not approved",
		"upgrade of pkg:npm/redux from 4.0.1 to 4.2.1 is not approved",
		"upgrade of pkg:npm/chart from 1.0.0 to 2.0.0 is not approved",
		"downgrade of pkg:npm/jquery from 3.5.0 to 3.4.0 is not approved",
		"licence change of pkg:npm/chart@2.0.0 (MIT → GPL-3.0-only) is not approved",
		"version change of pkg:generic/tool from r6 to r7 (neither an upgrade nor a downgrade can be told) is not approved",
	}
}

test_upgraded_only if {
	asked(everything, ["upgraded"], []) == {
		"upgrade of pkg:npm/redux from 4.0.1 to 4.2.1 is not approved",
		"upgrade of pkg:npm/chart from 1.0.0 to 2.0.0 is not approved",
		"version change of pkg:generic/tool from r6 to r7 (neither an upgrade nor a downgrade can be told) is not approved",
	}
}

# A version change of unknown order might be either: asking approval for
# downgrades asks it for this too.
test_changed_needs_approval_for_downgraded if {
	asked([odd], ["downgraded"], []) == {"version change of pkg:generic/tool from r6 to r7 (neither an upgrade nor a downgrade can be told) is not approved"}
	asked([odd], ["added", "license_changed"], []) == set()
}

test_license_changed_only if {
	asked(everything, ["license_changed"], []) == {"licence change of pkg:npm/chart@2.0.0 (MIT → GPL-3.0-only) is not approved"}
}

test_licence_change_shows_expression_and_none if {
	c := object.union(relicensed, {"licenses": [], "license_expression": "MIT OR GPL-3.0-only", "previous_licenses": []})
	asked([c], ["license_changed"], []) == {"licence change of pkg:npm/chart@2.0.0 (none → MIT OR GPL-3.0-only) is not approved"}
}

test_nothing_required if {
	asked(everything, [], []) == set()
}

# An approval by purl without version approves every version of that
# package, and no other whose name it begins.
test_approval_without_version if {
	asked(everything, ["added", "upgraded"], [approve("pkg:npm/redux", "2027-06-30"), approve("pkg:npm/left-pad", "2027-06-30"), approve("pkg:npm/chart", "2027-06-30"), approve("pkg:generic/tool", "2027-06-30")]) == set()
	evil := object.union(added, {"name": "left-pad-evil", "purl": "pkg:npm/left-pad-evil@1.0.0"})
	asked([evil], ["added"], [approve("pkg:npm/left-pad", "2027-06-30")]) == {"new dependency pkg:npm/left-pad-evil@1.0.0 is not approved"}
	hidden := object.union(added, {"name": "left-pad@evil", "purl": "pkg:npm/left-pad%40evil@1.0.0"})
	asked([hidden], ["added"], [approve("pkg:npm/left-pad", "2027-06-30")]) == {"new dependency pkg:npm/left-pad%40evil@1.0.0 is not approved"}
}

test_wildcard_approval_still_applies if {
	asked(everything, ["added", "upgraded", "downgraded", "license_changed"], [approve("pkg:*", "2027-06-30")]) == set()
}

test_scoped_package_escaped_or_not if {
	babel := {"name": "core", "group": "@babel", "version": "7.0.0", "purl": "pkg:npm/%40babel/core@7.0.0", "new": true, "change": "added"}
	asked([babel], ["added"], [approve("pkg:npm/@babel/core", "2027-06-30")]) == set()
	asked([babel], ["added"], [approve("pkg:npm/%40babel/core", "2027-06-30")]) == set()
}

test_expired_approval_of_an_upgrade if {
	asked([redux_up], ["upgraded"], [approve("pkg:npm/redux", "2026-05-31")]) == {"upgrade of pkg:npm/redux from 4.0.1 to 4.2.1 is not approved (its approval by security-team expired on 2026-05-31)"}
}

applied(cs, required, approvals) := r if {
	r := dependencies.applied with input as {"components": cs, "context": {"baseline": true}}
		with data.secgate.config.dependencies.require_approval_for as required
		with data.secgate.config.dependencies.approvals as approvals
		with time.now_ns as now
}

test_applied_lists_approvals_in_force if {
	applied(everything, ["added", "upgraded"], [
		approve("pkg:npm/left-pad", "2027-06-30"),
		approve("pkg:npm/*", "2027-06-30"),
		approve("pkg:npm/redux", "2026-05-31"),
		approve("pkg:npm/react", "2027-06-30"),
	]) == {
		{"match": "pkg:npm/left-pad", "approved_by": "security-team", "expires": "2027-06-30", "reason": "r", "components": ["pkg:npm/left-pad@1.3.0"]},
		{"match": "pkg:npm/*", "approved_by": "security-team", "expires": "2027-06-30", "reason": "r", "components": ["pkg:npm/chart@2.0.0", "pkg:npm/left-pad@1.3.0", "pkg:npm/redux@4.2.1"]},
	}
}

# An approval of a component that needs none applies to nothing.
test_applied_only_where_needed if {
	applied(everything, ["added"], [approve("pkg:npm/redux", "2027-06-30")]) == set()
	warned([redux_up], [approve("pkg:npm/redux", "2027-06-30")], true) == {"approval of pkg:npm/redux by security-team matches no dependency that needs approval and is unused: remove it, or correct its match"}
}

test_nothing_applied_without_baseline if {
	r := dependencies.applied with input as {"components": [added], "context": {"baseline": false}}
		with data.secgate.config.dependencies.approvals as [approve("pkg:npm/left-pad", "2027-06-30")]
		with time.now_ns as now
	r == set()
}

test_remediation_names_the_match if {
	res := dependencies.deny with input as {"components": [redux_up], "context": {"baseline": true}}
		with data.secgate.config.dependencies.require_approval_for as ["upgraded"]
		with time.now_ns as now
	some v in res
	v.components == ["pkg:npm/redux@4.2.1"]
	v.remediation == "get pkg:npm/redux@4.2.1 approved: add to dependencies.approvals an entry with match pkg:npm/redux, approved_by, expires and reason"
}

expiring_approval := object.union(approve("pkg:npm/axios@*", "2026-06-06"), {"owner": "alice", "ticket": "SEC-12"})

# exceptions_warn_days before its last day, an approval in force warns,
# naming who answers for it, with a baseline or without.
test_expiring_approval_warns if {
	msg := "approval of pkg:npm/axios@* by security-team expires in 5 days (2026-06-06): owner alice, ticket SEC-12"
	warned([axios], [expiring_approval], true) == {msg}
	warned([axios], [expiring_approval], false) == {msg}
	count(denied([axios], [expiring_approval])) == 0
}

test_expiring_approval_not_with_warn_days_zero if {
	res := dependencies.warn with input as {"components": [axios], "context": {"baseline": true}}
		with data.secgate.config.dependencies.approvals as [expiring_approval]
		with data.secgate.config.exceptions_warn_days as 0
		with time.now_ns as now
	count(res) == 0
}

# However wide the window, an expired approval approves nothing.
test_wide_window_does_not_revive_an_expired_approval if {
	a := approve("pkg:npm/axios@*", "2026-05-31")
	res := dependencies.deny with input as {"components": [axios], "context": {"baseline": true}}
		with data.secgate.config.dependencies.approvals as [a]
		with data.secgate.config.exceptions_warn_days as 36500
		with time.now_ns as now
	count(res) == 1
	r := dependencies.warn with input as {"components": [axios], "context": {"baseline": true}}
		with data.secgate.config.dependencies.approvals as [a]
		with data.secgate.config.exceptions_warn_days as 36500
		with time.now_ns as now
	count(r) == 0
}

test_unused_approval_fails_when_asked if {
	approvals := [object.union(approve("pkg:npm/react@*", "2027-06-30"), {"ticket": "SEC-3"}), approve("pkg:npm/axios@*", "2027-06-30")]
	res := dependencies.deny with input as {"components": [axios], "context": {"baseline": true}}
		with data.secgate.config.dependencies.approvals as approvals
		with data.secgate.config.exceptions_unused as "fail"
		with time.now_ns as now
	{m.msg | some m in res} == {"approval of pkg:npm/react@* by security-team (ticket SEC-3) matches no dependency that needs approval and is unused: remove it, or correct its match"}
	r := dependencies.warn with input as {"components": [axios], "context": {"baseline": true}}
		with data.secgate.config.dependencies.approvals as approvals
		with data.secgate.config.exceptions_unused as "fail"
		with time.now_ns as now
	count(r) == 0
}

test_applied_carries_owner_and_ticket if {
	r := dependencies.applied with input as {"components": [axios], "context": {"baseline": true}}
		with data.secgate.config.dependencies.approvals as [expiring_approval]
		with time.now_ns as now
	r == {{"match": "pkg:npm/axios@*", "approved_by": "security-team", "expires": "2026-06-06", "reason": "r", "owner": "alice", "ticket": "SEC-12", "components": ["pkg:npm/axios@1.7.0"]}}
}

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
	warned([axios, old], [approve("pkg:npm/react@*", "2027-06-30"), approve("pkg:npm/axios@*", "2027-06-30")], true) == {"approval of pkg:npm/react@* by security-team matches no new dependency and is unused: remove it, or correct its match"}
}

# A component the baseline already has needs no approval any more.
test_approval_of_an_old_component_is_unused if {
	warned([axios, old], [approve("lodash", "2027-06-30"), approve("axios", "2027-06-30")], true) == {"approval of lodash by security-team matches no new dependency and is unused: remove it, or correct its match"}
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

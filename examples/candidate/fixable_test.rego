package org.fixable_test

import data.org.fixable

vuln(severity, fixed, status) := {
	"id": "f1",
	"kind": "vulnerability",
	"rule_id": "CVE-2019-1549",
	"severity": severity,
	"status": status,
	"package": {"name": "libssl1.1", "version": "1.1.1c-r0"},
	"fixed_versions": fixed,
}

test_fixable_medium_fails if {
	some m in fixable.deny with input as {"findings": [vuln("medium", ["1.1.1d-r0"], "open")]}
	m.msg == "CVE-2019-1549 (medium) in libssl1.1 1.1.1c-r0 is fixed in 1.1.1d-r0"
	m.remediation == "upgrade libssl1.1 to 1.1.1d-r0"
}

test_no_fix_passes if {
	count(fixable.deny) == 0 with input as {"findings": [vuln("high", [], "open")]}
}

test_low_passes if {
	count(fixable.deny) == 0 with input as {"findings": [vuln("low", ["2"], "open")]}
}

test_accepted_passes if {
	count(fixable.deny) == 0 with input as {"findings": [vuln("critical", ["2"], "accepted")]}
}

package org.baseimage_test

import data.org.baseimage

vuln(ecosystem, severity, status) := {
	"id": "f1",
	"kind": "vulnerability",
	"rule_id": "CVE-2019-1549",
	"severity": severity,
	"status": status,
	"package": {"name": "libssl1.1", "version": "1.1.1c-r0", "ecosystem": ecosystem},
}

test_os_package_medium_fails if {
	some m in baseimage.deny with input as {"findings": [vuln("apk", "medium", "open")]}
	m.msg == "CVE-2019-1549 (medium) in the base image's libssl1.1 1.1.1c-r0"
	m.finding_ids == ["f1"]
}

test_application_package_passes if {
	count(baseimage.deny) == 0 with input as {"findings": [vuln("npm", "critical", "open")]}
}

test_low_passes if {
	count(baseimage.deny) == 0 with input as {"findings": [vuln("deb", "low", "open")]}
}

test_accepted_passes if {
	count(baseimage.deny) == 0 with input as {"findings": [vuln("rpm", "high", "accepted")]}
}

test_code_finding_passes if {
	count(baseimage.deny) == 0 with input as {"findings": [{"id": "c1", "kind": "code", "status": "open", "severity": "high"}]}
}

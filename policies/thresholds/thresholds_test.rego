package secgate.thresholds_test

import data.secgate.thresholds

finding(id, sev) := {
	"id": id, "kind": "vulnerability", "rule_id": sprintf("CVE-2024-%s", [id]), "severity": sev, "status": "open",
	"title": "t", "aliases": [], "fixed_versions": ["1.2.4"],
	"package": {"name": "lodash", "version": "1.2.3", "purl": "pkg:npm/lodash@1.2.3"},
}

code(id, sev) := {
	"id": id, "kind": "code", "rule_id": "go/sql-injection", "severity": sev, "status": "open",
	"title": "SQL injection", "fixed_versions": [], "location": {"path": "main.go", "start_line": 12},
}

bare(id, sev) := {"id": id, "kind": "code", "rule_id": "R1", "severity": sev, "status": "open", "title": "Odd", "fixed_versions": []}

test_high_fails_by_default if {
	res := thresholds.deny with input as {"findings": [finding("a", "high")]}
	count(res) == 1
	some v in res
	v.finding_ids == ["a"]
	v.components == ["pkg:npm/lodash@1.2.3"]
	v.remediation == "upgrade lodash from 1.2.3 to 1.2.4"
	v.msg == "CVE-2024-a in lodash 1.2.3 (fixed in 1.2.4) is high (the gate fails at high and above)"
}

test_medium_warns_not_fails if {
	count(thresholds.deny) == 0 with input as {"findings": [finding("a", "medium")]}
	res := thresholds.warn with input as {"findings": [finding("a", "medium")]}
	count(res) == 1
	some w in res
	w.finding_ids == ["a"]
	w.severity == "medium"
}

test_closed_findings_do_not_count if {
	f := object.union(finding("a", "critical"), {"status": "not_affected"})
	g := object.union(finding("b", "critical"), {"status": "accepted"})
	count(thresholds.deny) == 0 with input as {"findings": [f, g]}
}

test_fail_severity_none_passes if {
	count(thresholds.deny) == 0 with input as {"findings": [finding("a", "critical")]}
		with data.secgate.config.thresholds.fail_severity as "none"
}

test_fail_severity_critical if {
	res := thresholds.deny with input as {"findings": [finding("a", "critical"), finding("b", "high")]}
		with data.secgate.config.thresholds.fail_severity as "critical"
	[v.finding_ids | some v in res] == [["a"]]
}

test_too_many_findings_fails if {
	fs := [finding(sprintf("%d", [i]), "low") | some i in numbers.range(1, 21)]
	res := thresholds.deny with input as {"findings": fs}
	count(res) == 1
	some v in res
	startswith(v.msg, "21 open findings, more than the 20 allowed")
	count(v.finding_ids) == 21
}

test_many_findings_warn if {
	fs := [finding(sprintf("%d", [i]), "low") | some i in numbers.range(1, 10)]
	count(thresholds.deny) == 0 with input as {"findings": fs}
	res := thresholds.warn with input as {"findings": fs}
	some w in res
	startswith(w.msg, "10 open findings")
}

test_only_new_ignores_preexisting if {
	old := object.union(finding("a", "critical"), {"new": false})
	new := object.union(finding("b", "high"), {"new": true})
	res := thresholds.deny with input as {"findings": [old, new]}
		with data.secgate.config.thresholds.only_new as true
	[v.finding_ids | some v in res] == [["b"]]
	count(thresholds.deny) == 2 with input as {"findings": [old, new]}
}

test_kev_fails_even_when_low if {
	f := object.union(finding("a", "low"), {"kev": {"listed": true}})
	res := thresholds.deny with input as {"findings": [f]}
	some v in res
	endswith(v.msg, "is a known exploited vulnerability (CISA KEV)")
	count(thresholds.deny) == 0 with input as {"findings": [f]} with data.secgate.config.thresholds.fail_on_kev as false
}

test_epss_threshold if {
	f := object.union(finding("a", "low"), {"epss": {"score": 0.5, "percentile": 0.9}})
	count(thresholds.deny) == 0 with input as {"findings": [f]}
	res := thresholds.deny with input as {"findings": [f]} with data.secgate.config.thresholds.fail_epss_at as 0.4
	some v in res
	v.msg == "CVE-2024-a in lodash 1.2.3 (fixed in 1.2.4) has an EPSS score of 0.500, at or above 0.4"
}

test_code_findings_name_their_location if {
	res := thresholds.deny with input as {"findings": [code("c", "high")]}
	some v in res
	contains(v.msg, "go/sql-injection at main.go:12")
	v.remediation == "fix go/sql-injection at main.go"
	v.components == []
}

test_findings_without_package_or_location if {
	res := thresholds.deny with input as {"findings": [bare("x", "critical")]}
	some v in res
	contains(v.msg, "R1: Odd")
	v.remediation == "fix R1"
}

test_several_fixes if {
	f := object.union(finding("a", "high"), {"fixed_versions": ["1.2.4", "2.0.1"]})
	res := thresholds.deny with input as {"findings": [f]}
	some v in res
	v.remediation == "upgrade lodash from 1.2.3 to a fixed version (1.2.4, 2.0.1)"
}

test_package_without_version if {
	f := object.union(finding("a", "high"), {"package": {"name": "highcharts", "version": ""}, "fixed_versions": []})
	res := thresholds.deny with input as {"findings": [f]}
	some v in res
	v.msg == "CVE-2024-a in highcharts is high (the gate fails at high and above)"
}

test_no_fix_known if {
	f := object.union(finding("a", "high"), {"fixed_versions": []})
	res := thresholds.deny with input as {"findings": [f]}
	some v in res
	startswith(v.remediation, "no fixed version of lodash is named in the report")
	not contains(v.msg, "fixed in")
}

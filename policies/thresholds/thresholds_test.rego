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

deny(fs) := r if {
	r := thresholds.deny with input as {"findings": fs}
}

test_high_fails_by_default if {
	res := deny([finding("a", "high")])
	res == {{
		"msg": "1 open high finding(s) (the gate fails at high and above)",
		"severity": "high",
		"finding_ids": ["a"],
		"components": ["pkg:npm/lodash@1.2.3"],
		"remediation": "upgrade lodash 1.2.3 to 1.2.4",
	}}
}

test_one_violation_per_severity if {
	res := deny([finding("a", "critical"), finding("b", "high"), finding("c", "high"), finding("d", "medium")])
	{v.severity: v.finding_ids | some v in res} == {"critical": ["a"], "high": ["b", "c"]}
}

test_medium_warns_not_fails if {
	count(deny([finding("a", "medium")])) == 0
	res := thresholds.warn with input as {"findings": [finding("a", "medium")]}
	res == {{"msg": "1 open medium finding(s) at or above medium", "severity": "medium", "finding_ids": ["a"]}}
}

test_closed_findings_do_not_count if {
	f := object.union(finding("a", "critical"), {"status": "not_affected"})
	g := object.union(finding("b", "critical"), {"status": "accepted"})
	count(deny([f, g])) == 0
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
	res := deny(fs)
	count(res) == 1
	some v in res
	startswith(v.msg, "21 open findings, more than the 20 allowed")
	count(v.finding_ids) == 21
}

test_many_findings_warn if {
	fs := [finding(sprintf("%d", [i]), "low") | some i in numbers.range(1, 10)]
	count(deny(fs)) == 0
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
	count(deny([old, new])) == 2
}

test_kev_fails_even_when_low if {
	f := object.union(finding("a", "low"), {"kev": {"listed": true}})
	res := deny([f])
	some v in res
	v.msg == "1 known exploited vulnerability (CISA KEV): CVE-2024-a"
	v.severity == "critical"
	count(thresholds.deny) == 0 with input as {"findings": [f]} with data.secgate.config.thresholds.fail_on_kev as false
}

test_epss_threshold if {
	f := object.union(finding("a", "low"), {"epss": {"score": 0.5, "percentile": 0.9}})
	g := object.union(finding("b", "low"), {"epss": {"score": 0.6, "percentile": 0.9}})
	count(deny([f])) == 0
	res := thresholds.deny with input as {"findings": [f, g]} with data.secgate.config.thresholds.fail_epss_at as 0.4
	some v in res
	v.msg == "2 vulnerabilities with an EPSS score at or above 0.4: CVE-2024-a, CVE-2024-b"
}

test_code_findings_name_their_location if {
	res := deny([code("c", "high")])
	some v in res
	v.remediation == "fix go/sql-injection at main.go:12"
	v.components == []
}

test_findings_without_package_or_location if {
	res := deny([bare("x", "critical")])
	some v in res
	v.remediation == "fix R1"
}

test_many_findings_summarise_the_fix if {
	fs := [finding(sprintf("%d", [i]), "high") | some i in numbers.range(1, 6)]
	some v in deny(fs)
	v.remediation == "upgrade the 1 packages concerned to their fixed versions (remediation tickets: --tickets DIR)"
	cs := [code(sprintf("%d", [i]), "high") | some i in numbers.range(1, 6)]
	some w in deny(cs)
	w.remediation == "fix the 6 findings listed (remediation tickets: --tickets DIR)"
}

test_several_fixes if {
	f := object.union(finding("a", "high"), {"fixed_versions": ["1.2.4", "2.0.1"]})
	some v in deny([f])
	v.remediation == "upgrade lodash 1.2.3 to a fixed version (1.2.4, 2.0.1)"
}

test_no_fix_known if {
	f := object.union(finding("a", "high"), {"fixed_versions": []})
	some v in deny([f])
	v.remediation == "upgrade lodash 1.2.3 (no fixed version named in the report)"
}

test_package_without_purl if {
	f := object.union(object.remove(finding("a", "high"), {"package"}), {"package": {"name": "highcharts", "version": ""}})
	some v in deny([f])
	v.components == ["highcharts"]
	v.remediation == "upgrade highcharts to 1.2.4"
}

test_nothing_found_nothing_said if {
	count(deny([])) == 0
	count(thresholds.warn) == 0 with input as {"findings": []}
	count(thresholds.warn) == 0 with input as {"findings": [finding("a", "low")]}
}

vuln_unknown(id) := finding(id, "unknown")

test_unknown_severity_vulnerability_fails_as_high if {
	res := deny([vuln_unknown("a"), vuln_unknown("b")])
	res == {{
		"msg": "2 open vulnerabilities of severity unknown, counted as high (thresholds.unknown_as); the gate fails at high and above",
		"severity": "high",
		"finding_ids": ["a", "b"],
		"components": ["pkg:npm/lodash@1.2.3"],
		"remediation": "upgrade lodash 1.2.3 to 1.2.4",
	}}
}

test_unknown_as_medium_warns if {
	fs := [vuln_unknown("a")]
	count(thresholds.deny) == 0 with input as {"findings": fs} with data.secgate.config.thresholds.unknown_as as "medium"
	res := thresholds.warn with input as {"findings": fs} with data.secgate.config.thresholds.unknown_as as "medium"
	res == {{
		"msg": "1 open vulnerability of severity unknown, counted as medium (thresholds.unknown_as), at or above medium",
		"severity": "medium",
		"finding_ids": ["a"],
	}}
}

test_unknown_as_none_passes if {
	fs := [vuln_unknown("a")]
	count(thresholds.deny) == 0 with input as {"findings": fs} with data.secgate.config.thresholds.unknown_as as "none"
	count(thresholds.warn) == 0 with input as {"findings": fs} with data.secgate.config.thresholds.unknown_as as "none"
}

test_unknown_as_none_still_fails_at_unknown if {
	res := thresholds.deny with input as {"findings": [vuln_unknown("a")]}
		with data.secgate.config.thresholds.unknown_as as "none"
		with data.secgate.config.thresholds.fail_severity as "unknown"
	some v in res
	v.msg == "1 open vulnerability of severity unknown, counted as no severity (thresholds.unknown_as none); the gate fails at unknown and above"
	v.severity == "unknown"
}

test_fail_severity_unknown_fails_everything if {
	res := thresholds.deny with input as {"findings": [finding("a", "info"), code("c", "unknown")]}
		with data.secgate.config.thresholds.fail_severity as "unknown"
	{v.severity: v.finding_ids | some v in res} == {"info": ["a"], "high": ["c"]}
}

# Every kind of finding of unknown severity counts at unknown_as: a
# misconfiguration rated UNKNOWN fails the default gate too.
test_unknown_code_findings_count_as_unknown_as if {
	res := deny([code("c", "unknown"), object.union(code("m", "unknown"), {"kind": "misconfiguration"})])
	some v in res
	v.msg == "2 open finding(s) of severity unknown, counted as high (thresholds.unknown_as); the gate fails at high and above"
	v.finding_ids == ["c", "m"]
}

test_unknown_as_does_not_lower_known_severities if {
	res := thresholds.deny with input as {"findings": [finding("a", "critical"), vuln_unknown("b")]}
		with data.secgate.config.thresholds.unknown_as as "low"
	{v.severity: v.finding_ids | some v in res} == {"critical": ["a"]}
}

test_unknown_as_null_is_high if {
	res := thresholds.deny with input as {"findings": [vuln_unknown("a")]}
		with data.secgate.config.thresholds.unknown_as as null
	{v.severity | some v in res} == {"high"}
}

# The findings arrive worst first (the document's order): the rule ids of a
# message keep that order, where a set would sort them by name.
test_lists_keep_the_worst_first if {
	fs := [
		object.union(finding("z", "critical"), {"kev": {"listed": true}}),
		object.union(finding("a", "high"), {"kev": {"listed": true}}),
		object.union(finding("m", "high"), {"kev": {"listed": true}}),
		object.union(finding("a", "high"), {"id": "a2", "kev": {"listed": true}}),
	]
	some v in deny(fs)
	startswith(v.msg, "4 known exploited")
	v.msg == "4 known exploited vulnerabilities (CISA KEV): CVE-2024-z, CVE-2024-a, CVE-2024-m"
}

test_remediation_keeps_the_worst_first if {
	fs := [code("b", "high"), object.union(code("a", "high"), {"location": {"path": "a.go", "start_line": 3}})]
	some v in deny(fs)
	v.remediation == "fix go/sql-injection at main.go:12, go/sql-injection at a.go:3"
}

# The top-level only_new is the default; the section's own wins over it.
test_only_new_inherits_the_top_level if {
	old := object.union(finding("a", "critical"), {"new": false})
	new := object.union(finding("b", "high"), {"new": true})
	res := thresholds.deny with input as {"findings": [old, new]}
		with data.secgate.config.only_new as true
	[v.finding_ids | some v in res] == [["b"]]
	all := thresholds.deny with input as {"findings": [old, new]}
		with data.secgate.config.only_new as true
		with data.secgate.config.thresholds.only_new as false
	count(all) == 2
}

# Without a baseline no finding is marked new or old: only_new counts all.
test_only_new_without_baseline_counts_everything if {
	res := thresholds.deny with input as {"findings": [finding("a", "critical"), finding("b", "high")]}
		with data.secgate.config.only_new as true
	count(res) == 2
}

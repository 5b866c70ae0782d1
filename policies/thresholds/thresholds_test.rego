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
	res == {{
		"msg": "21 open findings (21 low) counted at any severity; at most 20 allowed",
		"severity": "low",
		"finding_ids": [sprintf("%d", [i]) | some i in numbers.range(1, 21)],
		"per_finding": false,
	}}
}

test_many_findings_warn if {
	fs := [finding(sprintf("%d", [i]), "low") | some i in numbers.range(1, 10)]
	count(deny(fs)) == 0
	res := thresholds.warn with input as {"findings": fs}
	res == {{
		"msg": "10 open findings (10 low) counted at any severity; 10 or more warn, more than 20 fail",
		"severity": "low",
		"finding_ids": [sprintf("%d", [i]) | some i in numbers.range(1, 10)],
		"per_finding": false,
	}}
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

lows(n) := [code(sprintf("low%d", [i]), "low") | some i in numbers.range(1, n)]

msgs(rs) := {r.msg | some r in rs}

# A count violation carries the highest severity it counted, and says how
# many of each: 2 high findings among 21 low ones make a high violation.
test_count_violation_carries_the_highest_severity if {
	fs := array.concat([finding("a", "high"), finding("b", "high")], lows(21))
	res := thresholds.deny with input as {"findings": fs}
		with data.secgate.config.thresholds.fail_severity as "none"
	some v in res
	v.msg == "23 open findings (2 high, 21 low) counted at any severity; at most 20 allowed"
	v.severity == "high"
	v.finding_ids[0] == "a"
	count(v.finding_ids) == 23
}

# Unknown findings count at unknown_as, in the severity and the breakdown.
test_count_of_unknown_findings if {
	fs := array.concat([vuln_unknown("u")], lows(20))
	res := thresholds.deny with input as {"findings": fs}
		with data.secgate.config.thresholds.fail_severity as "none"
	some v in res
	v.msg == "21 open findings (20 low, 1 unknown) counted at any severity; at most 20 allowed"
	v.severity == "high"
	none := thresholds.deny with input as {"findings": fs}
		with data.secgate.config.thresholds.fail_severity as "none"
		with data.secgate.config.thresholds.unknown_as as "none"
	{v.severity | some v in none} == {"low"}
	only := thresholds.warn with input as {"findings": [vuln_unknown(sprintf("%d", [i])) | some i in numbers.range(1, 10)]}
		with data.secgate.config.thresholds.warn_severity as "none"
		with data.secgate.config.thresholds.unknown_as as "none"
	{w.severity | some w in only} == {"unknown"}
}

# count_from: 56 low naming notes from a linter need not fail the gate.
test_count_from_medium_leaves_low_findings_out if {
	fs := array.concat([finding("m", "medium")], lows(56))
	count(thresholds.deny) == 0 with input as {"findings": fs}
		with data.secgate.config.thresholds.count_from as "medium"
	count(thresholds.warn) == 1 with input as {"findings": fs}
		with data.secgate.config.thresholds.count_from as "medium"
	res := thresholds.deny with input as {"findings": fs}
	some v in res
	v.msg == "57 open findings (1 medium, 56 low) counted at any severity; at most 20 allowed"
	v.severity == "medium"
}

test_count_from_low_counts_no_info if {
	fs := array.concat([finding(sprintf("i%d", [i]), "info") | some i in numbers.range(1, 30)], lows(20))
	res := thresholds.deny with input as {"findings": fs}
		with data.secgate.config.thresholds.count_from as "low"
	count(res) == 0
	w := thresholds.warn with input as {"findings": fs}
		with data.secgate.config.thresholds.count_from as "low"
	msgs(w) == {"20 open findings (20 low) counted from low; 10 or more warn, more than 20 fail"}
	all := thresholds.deny with input as {"findings": fs}
		with data.secgate.config.thresholds.count_from as "info"
	msgs(all) == {"50 open findings (20 low, 30 info) counted from info; at most 20 allowed"}
}

test_count_from_none_counts_nothing if {
	count(thresholds.deny) == 0 with input as {"findings": lows(100)}
		with data.secgate.config.thresholds.count_from as "none"
	count(thresholds.warn) == 0 with input as {"findings": lows(100)}
		with data.secgate.config.thresholds.count_from as "none"
}

# warn_findings 0 warns with nothing counted, as before count_from.
test_warn_findings_zero if {
	res := thresholds.warn with input as {"findings": []}
		with data.secgate.config.thresholds.warn_findings as 0
	msgs(res) == {"0 open findings (none) counted at any severity; 0 or more warn, more than 20 fail"}
	{w.severity | some w in res} == {"unknown"}
}

# by_kind: fail on vulnerabilities, only warn on code findings.
test_by_kind_code_warns_where_vulnerabilities_fail if {
	fs := [finding("v", "high"), code("c", "high")]
	cfg := {"code": {"fail_severity": "none"}}
	res := thresholds.deny with input as {"findings": fs}
		with data.secgate.config.thresholds.by_kind as cfg
	res == {{
		"msg": "1 open high finding(s) (the gate fails at high and above)",
		"severity": "high",
		"finding_ids": ["v"],
		"components": ["pkg:npm/lodash@1.2.3"],
		"remediation": "upgrade lodash 1.2.3 to 1.2.4",
	}}
	w := thresholds.warn with input as {"findings": fs}
		with data.secgate.config.thresholds.by_kind as cfg
	w == {{
		"msg": "1 open high finding(s) at or above medium",
		"severity": "high",
		"finding_ids": ["c"],
	}}
}

test_by_kind_stricter_names_where_it_comes_from if {
	fs := [finding("v", "medium"), code("c", "medium")]
	res := thresholds.deny with input as {"findings": fs}
		with data.secgate.config.thresholds.by_kind as {"code": {"fail_severity": "medium"}}
	msgs(res) == {"1 open medium finding(s) (the gate fails at medium and above, as thresholds.by_kind or by_tool set)"}
	w := thresholds.warn with input as {"findings": fs}
		with data.secgate.config.thresholds.by_kind as {"code": {"fail_severity": "medium"}}
	{x.finding_ids | some x in w} == {["v"]}
	mixed := thresholds.deny with input as {"findings": [finding("v", "high"), code("c", "high")]}
		with data.secgate.config.thresholds.by_kind as {"code": {"fail_severity": "medium"}}
	msgs(mixed) == {"2 open high finding(s) (the gate fails at high or medium and above, as thresholds.by_kind or by_tool set)"}
}

test_by_kind_warn_severity if {
	fs := [finding("v", "medium"), code("c", "medium")]
	w := thresholds.warn with input as {"findings": fs}
		with data.secgate.config.thresholds.by_kind as {"code": {"warn_severity": "none"}}
	{x.finding_ids | some x in w} == {["v"]}
	low := thresholds.warn with input as {"findings": [code("c", "low")]}
		with data.secgate.config.thresholds.by_kind as {"code": {"warn_severity": "low"}}
	msgs(low) == {"1 open low finding(s) at or above low, as thresholds.by_kind or by_tool set"}
}

# A kind or key left empty (null) keeps the section's values.
test_by_kind_null_keeps_the_section if {
	fs := [code("c", "high")]
	count(thresholds.deny) == 1 with input as {"findings": fs}
		with data.secgate.config.thresholds.by_kind as {"code": null}
	count(thresholds.deny) == 1 with input as {"findings": fs}
		with data.secgate.config.thresholds.by_kind as {"code": {"fail_severity": null}}
	count(thresholds.deny) == 1 with input as {"findings": fs}
		with data.secgate.config.thresholds.by_kind as null
	count(thresholds.deny) == 1 with input as {"findings": fs}
		with data.secgate.config.thresholds.by_tool as null
}

test_by_kind_count_from if {
	fs := array.concat([finding(sprintf("v%d", [i]), "low") | some i in numbers.range(1, 5)], lows(30))
	count(thresholds.deny) == 0 with input as {"findings": fs}
		with data.secgate.config.thresholds.by_kind as {"code": {"count_from": "none"}}
	same := thresholds.warn with input as {"findings": lows(12)}
		with data.secgate.config.thresholds.by_kind as {"code": {"count_from": "unknown"}}
	msgs(same) == {"12 open findings (12 low) counted at any severity; 10 or more warn, more than 20 fail"}
	lowish := thresholds.deny with input as {"findings": fs}
		with data.secgate.config.thresholds.by_kind as {"vulnerability": {"count_from": "medium"}, "code": {"count_from": "low"}}
	msgs(lowish) == {"30 open findings (30 low) counted from medium or low, as thresholds.by_kind or by_tool set; at most 20 allowed"}
	res := thresholds.deny with input as {"findings": fs}
		with data.secgate.config.thresholds.by_kind as {"vulnerability": {"count_from": "none"}}
	msgs(res) == {"30 open findings (30 low) counted at any severity, as thresholds.by_kind or by_tool set; at most 20 allowed"}
}

from(f, tools) := object.union(f, {"origins": [{"source": 0, "tool": t} | some t in tools]})

sources(names) := [{"path": n, "tool": {"name": n}} | some n in names]

# by_tool over by_kind over the section; tool names without case.
test_by_tool_over_by_kind if {
	fs := [from(code("c", "high"), ["Semgrep OSS"]), from(code("d", "high"), ["CodeQL"])]
	res := thresholds.deny with input as {"findings": fs, "sources": sources(["Semgrep OSS", "CodeQL"])}
		with data.secgate.config.thresholds.by_kind as {"code": {"fail_severity": "none"}}
		with data.secgate.config.thresholds.by_tool as {"semgrep oss": {"fail_severity": "high"}}
	{v.finding_ids | some v in res} == {["c"]}
}

# A finding several tools reported is judged by the strictest: one tool's
# lax setting does not let another tool's finding through.
test_by_tool_strictest_of_the_tools if {
	f := from(finding("v", "high"), ["trivy", "grype"])
	doc := {"findings": [f], "sources": sources(["trivy", "grype"])}
	count(thresholds.deny) == 1 with input as doc
		with data.secgate.config.thresholds.by_tool as {"trivy": {"fail_severity": "none"}}
	count(thresholds.deny) == 0 with input as doc
		with data.secgate.config.thresholds.by_tool as {"trivy": {"fail_severity": "none"}, "Grype": {"fail_severity": "critical"}}

	# Two entries of one name in two cases: their strictest.
	count(thresholds.deny) == 1 with input as doc
		with data.secgate.config.thresholds.by_tool as {"Trivy": {"fail_severity": "none"}, "trivy": {"fail_severity": "high"}, "grype": {"fail_severity": "none"}}
}

test_by_tool_without_origins_uses_the_kind if {
	count(thresholds.deny) == 0 with input as {"findings": [code("c", "high")], "sources": sources(["x"])}
		with data.secgate.config.thresholds.by_kind as {"code": {"fail_severity": "none"}}
		with data.secgate.config.thresholds.by_tool as {"x": {"warn_severity": "low"}}
}

# A by_tool name no report's tool has warns: a typo does not silently
# judge nothing.
test_by_tool_of_no_tool_warns if {
	doc := {"findings": [], "sources": sources(["trivy", "Semgrep OSS"])}
	w := thresholds.warn with input as doc
		with data.secgate.config.thresholds.by_tool as {"semgrep": {"fail_severity": "none"}, "TRIVY": null}
	w == {{
		"msg": "thresholds.by_tool.semgrep matches no tool of the reports (Semgrep OSS, trivy): it sets nothing",
		"severity": "info",
	}}
	none := thresholds.warn with input as {"findings": [], "sources": []}
		with data.secgate.config.thresholds.by_tool as {"semgrep": {"fail_severity": "none"}}
	msgs(none) == {"thresholds.by_tool.semgrep matches no tool of the reports (none): it sets nothing"}
}

unfixed_vuln(id, state) := object.union(finding(id, "high"), {"fixed_versions": [], "fix_state": state})

# ignore_unfixed leaves out what a report says has no fix, and judges
# what it says nothing about: fail closed.
test_ignore_unfixed if {
	fs := [
		unfixed_vuln("nf", "not-fixed"), unfixed_vuln("wf", "wont-fix"), unfixed_vuln("af", "affected"),
		unfixed_vuln("un", "unknown"), object.remove(unfixed_vuln("ns", ""), {"fix_state"}),
		object.union(unfixed_vuln("fx", "not-fixed"), {"fixed_versions": ["2.0"]}),
		object.union(code("c", "high"), {"fix_state": "not-fixed"}),
	]
	res := thresholds.deny with input as {"findings": fs}
		with data.secgate.config.thresholds.ignore_unfixed as true
	{id | some v in res; some id in v.finding_ids} == {"un", "ns", "fx", "c"}
	all := thresholds.deny with input as {"findings": fs}
	{id | some v in all; some id in v.finding_ids} == {"nf", "wf", "af", "un", "ns", "fx", "c"}
}

test_ignore_unfixed_leaves_them_out_of_counts_not_kev if {
	fs := array.concat(
		[object.union(unfixed_vuln("k", "not-fixed"), {"kev": {"listed": true}})],
		[unfixed_vuln(sprintf("%d", [i]), "not-fixed") | some i in numbers.range(1, 30)],
	)
	res := thresholds.deny with input as {"findings": fs}
		with data.secgate.config.thresholds.ignore_unfixed as true
	msgs(res) == {"1 known exploited vulnerability (CISA KEV): CVE-2024-k"}
}

# The ratchet.

ratchet_cfg := {"ratchet": true, "fail_severity": "none", "warn_severity": "none", "max_findings": 1, "warn_findings": 1, "count_from": "unknown", "unknown_as": "high"}

counts(c, h, m, l) := {"critical": c, "high": h, "medium": m, "low": l, "info": 0, "unknown": 0}

ratcheted(fs, base) := r if {
	r := thresholds.deny with input as {"findings": fs, "context": {"baseline": true}, "baseline": {"ratchet_counts": base}}
		with data.secgate.config.thresholds as ratchet_cfg
}

old(f) := object.union(f, {"new": false})

added(f) := object.union(f, {"new": true})

test_ratchet_counts_by_severity if {
	fs := [finding("a", "high"), finding("b", "high"), finding("c", "low"), bare("d", "unknown")]
	res := thresholds.ratchet_counts with input as {"findings": fs}
		with data.secgate.config.thresholds as ratchet_cfg
	res == {"critical": 0, "high": 3, "medium": 0, "low": 1, "info": 0, "unknown": 0}
}

test_ratchet_rise_fails_naming_new_findings if {
	fs := [old(finding("a", "high")), added(finding("b", "high")), old(finding("c", "low"))]
	res := ratcheted(fs, counts(0, 1, 0, 1))
	res == {{
		"msg": "ratchet: 2 open high finding(s) counted, 1 in the baseline (+1; 1 new)",
		"severity": "high",
		"finding_ids": ["b"],
		"components": ["pkg:npm/lodash@1.2.3"],
		"per_finding": false,
	}}
}

test_ratchet_fall_passes_above_max_findings if {
	fs := [old(finding("a", "high")), old(finding("b", "low")), old(finding("c", "low"))]
	count(ratcheted(fs, counts(0, 2, 0, 5))) == 0
	w := thresholds.warn with input as {"findings": fs, "context": {"baseline": true}, "baseline": {"ratchet_counts": counts(0, 2, 0, 5)}}
		with data.secgate.config.thresholds as ratchet_cfg
	count(w) == 0
}

test_ratchet_same_counts_pass if {
	fs := [old(finding("a", "high")), added(finding("b", "low"))]
	count(ratcheted(fs, counts(0, 1, 0, 1))) == 0
}

test_ratchet_each_severity_on_its_own if {
	# One fewer high does not pay for one more critical.
	fs := [added(finding("a", "critical")), old(finding("b", "high"))]
	res := ratcheted(fs, counts(0, 2, 0, 0))
	[v.severity | some v in res] == ["critical"]
}

test_ratchet_keeps_fail_severity if {
	fs := [old(finding("a", "critical"))]
	res := thresholds.deny with input as {"findings": fs, "context": {"baseline": true}, "baseline": {"ratchet_counts": counts(1, 0, 0, 0)}}
		with data.secgate.config.thresholds as object.union(ratchet_cfg, {"fail_severity": "high"})
	[v.msg | some v in res] == ["1 open critical finding(s) (the gate fails at high and above)"]
}

test_ratchet_without_baseline_fails if {
	res := thresholds.deny with input as {"findings": [], "context": {"baseline": false}}
		with data.secgate.config.thresholds as ratchet_cfg
	[v.msg | some v in res] == ["thresholds.ratchet needs a baseline (--baseline reports, a decision JSON, or history:): without one there are no counts to hold the open findings to"]
}

test_ratchet_unreadable_baseline_counts_fail if {
	some base in [null, {}, {"high": 1}, object.union(counts(0, 0, 0, 0), {"high": "9"}), object.union(counts(0, 0, 0, 0), {"high": -1}), object.union(counts(0, 0, 0, 0), {"high": 1.5})]
	res := ratcheted([], base)
	[v.msg | some v in res] == ["thresholds.ratchet: the baseline's counts cannot be read (input.baseline.ratchet_counts wants a count for every severity): the ratchet holds nothing"]
}

test_ratchet_off_ignores_baseline_counts if {
	fs := [added(finding("a", "low"))]
	res := thresholds.deny with input as {"findings": fs, "context": {"baseline": true}, "baseline": {"ratchet_counts": counts(0, 0, 0, 0)}}
		with data.secgate.config.thresholds as object.union(ratchet_cfg, {"ratchet": false, "max_findings": 5})
	count(res) == 0
}

test_ratchet_counts_follow_count_rules if {
	closed := object.union(finding("a", "high"), {"status": "accepted"})
	unfixable := object.union(finding("b", "high"), {"fixed_versions": [], "fix_state": "not-fixed"})
	low := finding("c", "low")
	unknown := bare("d", "unknown")
	res := thresholds.ratchet_counts with input as {"findings": [closed, unfixable, low, unknown]}
		with data.secgate.config.thresholds as object.union(ratchet_cfg, {"ignore_unfixed": true, "count_from": "medium", "unknown_as": "medium"})
	res == {"critical": 0, "high": 0, "medium": 1, "low": 0, "info": 0, "unknown": 0}
}

test_ratchet_unknown_as_none_counts_as_unknown if {
	res := thresholds.ratchet_counts with input as {"findings": [bare("d", "unknown")]}
		with data.secgate.config.thresholds as object.union(ratchet_cfg, {"unknown_as": "none"})
	res.unknown == 1
}

test_ratchet_counts_by_kind_count_from if {
	res := thresholds.ratchet_counts with input as {"findings": [finding("a", "low"), code("b", "low")]}
		with data.secgate.config.thresholds as object.union(ratchet_cfg, {"by_kind": {"code": {"count_from": "high"}}})
	res.low == 1
}

test_ratchet_counts_old_findings_under_only_new if {
	fs := [old(finding("a", "high")), old(finding("b", "high"))]
	res := thresholds.deny with input as {"findings": fs, "context": {"baseline": true}, "baseline": {"ratchet_counts": counts(0, 1, 0, 0)}}
		with data.secgate.config.thresholds as object.union(ratchet_cfg, {"only_new": true})
	[v.msg | some v in res] == ["ratchet: 2 open high finding(s) counted, 1 in the baseline (+1; 0 new)"]
}

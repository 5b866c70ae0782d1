package secgate.coverage_test

import data.secgate.coverage

complete := {"path": "a.json", "format": "semgrep", "complete": true, "errors": []}

incomplete := {
	"path": "scan.sarif", "format": "sarif", "complete": false,
	"incomplete_reason": "run 1 (CodeQL): results is absent or null: results were not computed",
	"errors": [],
}

with_errors := object.union(complete, {"errors": [
	{"level": "warning", "message": "Timeout when running r.x", "path": "big.js"},
	{"level": "error", "message": "Parsing error: Unexpected token", "path": "src/a.js", "line": 3},
]})

test_incomplete_fails if {
	res := coverage.deny with input as {"sources": [complete, incomplete]}
	count(res) == 1
	some v in res
	v.msg == "scan.sarif (sarif): scan incomplete: run 1 (CodeQL): results is absent or null: results were not computed"
	v.severity == "high"
	count(coverage.warn) == 0 with input as {"sources": [complete, incomplete]}
}

test_incomplete_warns_when_configured if {
	count(coverage.deny) == 0 with input as {"sources": [incomplete]}
		with data.secgate.config.coverage.incomplete as "warn"
	res := coverage.warn with input as {"sources": [incomplete]}
		with data.secgate.config.coverage.incomplete as "warn"
	count(res) == 1
}

test_complete_passes if {
	count(coverage.deny) == 0 with input as {"sources": [complete]}
	count(coverage.warn) == 0 with input as {"sources": [complete]}
}

# A source without the field (a hand-made document) is not judged.
test_source_without_complete_passes if {
	count(coverage.deny) == 0 with input as {"sources": [{"path": "x", "format": "x", "errors": []}]}
}

test_scan_errors_warn_by_default if {
	count(coverage.deny) == 0 with input as {"sources": [with_errors]}
	res := coverage.warn with input as {"sources": [with_errors]}
	count(res) == 1
	some v in res
	v.msg == "a.json (semgrep): 2 scan errors, not everything was scanned; error: src/a.js:3: Parsing error: Unexpected token"
}

test_scan_errors_fail_when_configured if {
	res := coverage.deny with input as {"sources": [with_errors]}
		with data.secgate.config.coverage.scan_errors as "fail"
	count(res) == 1
}

test_scan_errors_ignored_when_configured if {
	count(coverage.deny) == 0 with input as {"sources": [with_errors]}
		with data.secgate.config.coverage.scan_errors as "ignore"
	count(coverage.warn) == 0 with input as {"sources": [with_errors]}
		with data.secgate.config.coverage.scan_errors as "ignore"
}

test_one_warning_error_named if {
	s := object.union(complete, {"errors": [{"level": "warning", "message": "Timeout", "path": "big.js"}]})
	some v in coverage.warn with input as {"sources": [s]}
	v.msg == "a.json (semgrep): 1 scan error, not everything was scanned; warning: big.js: Timeout"
}

test_error_without_path if {
	s := object.union(complete, {"errors": [{"level": "warning", "message": "Dependency not found on PyPI: x (1.0)"}]})
	some v in coverage.warn with input as {"sources": [s]}
	v.msg == "a.json (semgrep): 1 scan error, not everything was scanned; warning: Dependency not found on PyPI: x (1.0)"
}

# Required reports.

now := "2026-03-01T12:00:00Z"

sbom_src := {"path": "sbom.cdx.json", "format": "cyclonedx", "tool": {"name": "syft", "version": "1"}, "created": "2026-02-27T12:00:00Z", "complete": true, "errors": []}

trivy_src := {"path": "trivy.json", "format": "trivy", "tool": {"name": "trivy", "version": "0.50"}, "created": "2026-03-01T11:00:00Z", "complete": true, "errors": []}

semgrep_sarif := {"path": "semgrep.sarif", "format": "sarif", "tool": {"name": "Semgrep OSS", "version": "1.69"}, "complete": true, "errors": []}

component := {"name": "lodash", "version": "4.17.21", "sources": [0]}

doc(stage, sources, components) := {
	"sources": sources, "components": components, "findings": [],
	"context": {"stage": stage, "now": now},
}

release_sbom := {"release": [{"kind": "sbom", "max_age": "7d"}]}

required_deny(d, req) := {v.msg | some v in denies} if {
	denies := coverage.deny with input as d
		with data.secgate.config.coverage.required as req
		with time.now_ns as time.parse_rfc3339_ns(now)
}

test_required_sbom_missing_fails if {
	msgs := required_deny(doc("release", [trivy_src], []), release_sbom)
	msgs == {"stage release requires an SBOM (kind sbom) at most 7d old; no report given is one (given: trivy.json (trivy))"}
}

test_required_sbom_present_passes if {
	msgs := required_deny(doc("release", [sbom_src, trivy_src], [component]), release_sbom)
	count(msgs) == 0
}

test_required_other_stage_not_required if {
	msgs := required_deny(doc("pre-merge", [trivy_src], []), release_sbom)
	count(msgs) == 0
}

test_required_no_stage_not_required if {
	msgs := required_deny(doc("", [trivy_src], []), release_sbom)
	count(msgs) == 0
}

test_required_every_stage if {
	req := {"*": [{"kind": "secrets"}]}
	msgs := required_deny(doc("", [trivy_src], []), req)
	msgs == {"every stage requires a secret scan (kind secrets); no report given is one (given: trivy.json (trivy))"}
	msgs2 := required_deny(doc("release", [trivy_src], []), req)
	count(msgs2) == 1
}

test_required_stale_fails if {
	old := object.union(sbom_src, {"created": "2026-02-01T12:00:00Z"})
	msgs := required_deny(doc("release", [old], [component]), release_sbom)
	msgs == {"stage release requires an SBOM (kind sbom) at most 7d old; sbom.cdx.json is 28 days old (made 2026-02-01T12:00:00Z)"}
}

test_required_age_in_hours if {
	msgs := required_deny(doc("release", [trivy_src], []), {"release": [{"kind": "vulnerabilities", "max_age": "36h"}]})
	count(msgs) == 0
	msgs2 := required_deny(doc("release", [trivy_src], []), {"release": [{"kind": "vulnerabilities", "max_age": "1h"}]})
	count(msgs2) == 0
	young := object.union(trivy_src, {"created": "2026-03-01T09:30:00Z"})
	msgs3 := required_deny(doc("release", [young], []), {"release": [{"kind": "vulnerabilities", "max_age": "2h"}]})
	msgs3 == {"stage release requires a vulnerability scan (kind vulnerabilities) at most 2h old; trivy.json is 2 hours old (made 2026-03-01T09:30:00Z)"}
}

test_required_weeks_and_forever if {
	old := object.union(sbom_src, {"created": "2026-02-01T12:00:00Z"})
	count(required_deny(doc("release", [old], [component]), {"release": [{"kind": "sbom", "max_age": "5w"}]})) == 0
	count(required_deny(doc("release", [old], [component]), {"release": [{"kind": "sbom", "max_age": "forever"}]})) == 0
	count(required_deny(doc("release", [old], [component]), {"release": [{"kind": "sbom", "max_age": null}]})) == 0
}

test_required_no_timestamp_fails_closed if {
	untimed := object.remove(sbom_src, ["created"])
	msgs := required_deny(doc("release", [untimed], [component]), release_sbom)
	msgs == {"stage release requires an SBOM (kind sbom) at most 7d old; sbom.cdx.json has no timestamp, its age cannot be told"}

	# Without max_age the same report counts.
	count(required_deny(doc("release", [untimed], [component]), {"release": [{"kind": "sbom"}]})) == 0
}

test_required_zero_timestamp_is_none if {
	every created in ["0001-01-01T00:00:00Z", ""] {
		s := object.union(sbom_src, {"created": created})
		msgs := required_deny(doc("release", [s], [component]), release_sbom)
		msgs == {"stage release requires an SBOM (kind sbom) at most 7d old; sbom.cdx.json has no timestamp, its age cannot be told"}
	}
}

# A time the builtin would refuse (out of range, a day the month lacks)
# is unreadable: a violation naming the file, never an evaluation error.
test_required_unreadable_timestamp_fails_closed if {
	every created in [
		"yesterday", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z",
		"2026-04-31T00:00:00Z", "9999-01-01T00:00:00Z", "1000-01-01T00:00:00Z", "2026-02-27T24:00:00Z",
	] {
		s := object.union(sbom_src, {"created": created})
		msgs := required_deny(doc("release", [s], [component]), release_sbom)
		msgs == {sprintf("stage release requires an SBOM (kind sbom) at most 7d old; sbom.cdx.json has a timestamp that cannot be read (%s), its age cannot be told", [created])}
	}
}

test_required_leap_day_read if {
	s := object.union(sbom_src, {"created": "2024-02-29T12:00:00Z"})
	msgs := required_deny(doc("release", [s], [component]), release_sbom)
	msgs == {"stage release requires an SBOM (kind sbom) at most 7d old; sbom.cdx.json is 731 days old (made 2024-02-29T12:00:00Z)"}
	every t in ["2000-02-29T00:00:00Z", "2026-01-31T00:00:00Z", "2026-04-30T00:00:00Z"] {
		made := coverage.made_ns({"created": t})
		made == time.parse_rfc3339_ns(t)
	}
	not coverage.made_ns({"created": "1900-02-29T00:00:00Z"})
}

test_required_future_timestamp_fails_closed if {
	future := object.union(sbom_src, {"created": "2099-01-01T00:00:00Z"})
	msgs := required_deny(doc("release", [future], [component]), release_sbom)
	msgs == {"stage release requires an SBOM (kind sbom) at most 7d old; sbom.cdx.json says it was made at 2099-01-01T00:00:00Z, after the check's time 2026-03-01T12:00:00Z; its age cannot be told"}
}

test_required_clock_skew_tolerated if {
	skewed := object.union(sbom_src, {"created": "2026-03-01T12:04:00Z"})
	count(required_deny(doc("release", [skewed], [component]), release_sbom)) == 0
	later := object.union(sbom_src, {"created": "2026-03-01T12:06:00Z"})
	count(required_deny(doc("release", [later], [component]), release_sbom)) == 1
}

test_required_time_without_zone_is_utc if {
	safety := object.union(sbom_src, {"created": "2026-02-27 12:00:00"})
	count(required_deny(doc("release", [safety], [component]), release_sbom)) == 0
	utc := object.union(sbom_src, {"created": "2026-02-22T13:00:00Z"})
	count(required_deny(doc("release", [utc], [component]), release_sbom)) == 0

	# Two hours east of UTC, the same clock time is two hours earlier.
	offset := object.union(sbom_src, {"created": "2026-02-22T13:00:00+02:00"})
	count(required_deny(doc("release", [offset], [component]), release_sbom)) == 1
}

test_required_empty_sbom_is_none if {
	msgs := required_deny(doc("release", [sbom_src], []), release_sbom)
	msgs == {"stage release requires an SBOM (kind sbom) at most 7d old; no report given is one (given: sbom.cdx.json (cyclonedx)); sbom.cdx.json lists no components, an empty SBOM is none"}
}

test_required_one_fresh_report_is_enough if {
	old := object.union(sbom_src, {"path": "old.cdx.json", "created": "2025-01-01T00:00:00Z"})
	c := object.union(component, {"sources": [0, 1]})
	count(required_deny(doc("release", [old, sbom_src], [c]), release_sbom)) == 0
}

test_required_every_candidate_named if {
	old := object.union(sbom_src, {"path": "old.cdx.json", "created": "2025-03-01T12:00:00Z"})
	untimed := object.remove(sbom_src, ["created"])
	c := object.union(component, {"sources": [0, 1]})
	msgs := required_deny(doc("release", [old, untimed], [c]), release_sbom)
	msgs == {"stage release requires an SBOM (kind sbom) at most 7d old; old.cdx.json is 365 days old (made 2025-03-01T12:00:00Z); sbom.cdx.json has no timestamp, its age cannot be told"}
}

test_required_clean_scan_counts if {
	# No findings at all: a clean scan is a scan.
	req := {"release": [{"kind": "vulnerabilities"}, {"kind": "sast"}, {"tool": "semgrep"}, {"tool": "trivy"}]}
	count(required_deny(doc("release", [trivy_src, semgrep_sarif], []), req)) == 0
}

test_required_sarif_kinds_by_driver if {
	every name in ["CodeQL", "SnykCode", "gosec", "Semgrep OSS"] {
		s := object.union(semgrep_sarif, {"tool": {"name": name, "version": ""}})
		count(required_deny(doc("release", [s], []), {"release": [{"kind": "sast"}]})) == 0
	}
	g := object.union(semgrep_sarif, {"tool": {"name": "Gitleaks", "version": ""}})
	count(required_deny(doc("release", [g], []), {"release": [{"kind": "secrets"}]})) == 0
	count(required_deny(doc("release", [g], []), {"release": [{"kind": "sast"}]})) == 1
}

test_required_unknown_sarif_tool_counts_by_findings if {
	s := object.union(semgrep_sarif, {"tool": {"name": "MyScanner", "version": ""}})
	req := {"release": [{"kind": "sast"}]}
	count(required_deny(doc("release", [s], []), req)) == 1
	d := object.union(doc("release", [s], []), {"findings": [{"kind": "code", "origins": [{"source": 0}]}]})
	count(required_deny(d, req)) == 0
}

test_required_trivy_secrets_only_with_secret_findings if {
	req := {"release": [{"kind": "secrets"}]}
	count(required_deny(doc("release", [trivy_src], []), req)) == 1
	d := object.union(doc("release", [trivy_src], []), {"findings": [{"kind": "secret", "origins": [{"source": 0}]}]})
	count(required_deny(d, req)) == 0
}

test_required_tool_by_name if {
	req := {"release": [{"tool": "syft"}]}
	count(required_deny(doc("release", [sbom_src], [component]), req)) == 0
	msgs := required_deny(doc("release", [trivy_src], []), req)
	msgs == {"stage release requires a report of syft (tool syft); no report given is one (given: trivy.json (trivy))"}
}

# A report of nothing ([] of an unknown tool) is no scan of any kind.
test_required_empty_format_counts_for_nothing if {
	e := {"path": "gitleaks.json", "format": "empty", "tool": {"name": "", "version": ""}, "complete": true, "errors": []}
	every req in [{"kind": "secrets"}, {"kind": "sbom"}, {"tool": "gitleaks"}] {
		count(required_deny(doc("release", [e], []), {"release": [req]})) == 1
	}
}

test_required_violation_shape if {
	some v in coverage.deny with input as doc("release", [], [])
		with data.secgate.config.coverage.required as release_sbom
		with time.now_ns as time.parse_rfc3339_ns(now)
	v.severity == "high"
	v.remediation == "give the check a CycloneDX or SPDX SBOM that lists components made within 7d (coverage.required.release)"
	v.msg == "stage release requires an SBOM (kind sbom) at most 7d old; no report was given"
}

test_required_many_reports_named_briefly if {
	srcs := [object.union(trivy_src, {"path": sprintf("t%d.json", [i])}) | some i in numbers.range(1, 5)]
	msgs := required_deny(doc("release", srcs, []), release_sbom)
	msgs == {"stage release requires an SBOM (kind sbom) at most 7d old; no report given is one (given: t1.json (trivy), t2.json (trivy), t3.json (trivy) and 2 more)"}
}

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

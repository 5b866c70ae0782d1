# METADATA
# title: Scan coverage
# description: >-
#   Fails on a scan that did not complete (a SARIF run without results or
#   that says it failed, a govulncheck stream cut short, a Semgrep error):
#   what such a report does not list was not necessarily looked at.
#   Warns on scan errors (files a tool could not parse, rules that failed
#   or timed out, dependencies it could not audit), which are no findings.
#   incomplete: warn accepts incomplete scans with a warning; scan_errors:
#   fail or ignore makes scan errors fail the gate or drops them.
# custom:
#   severity: high
#   config: coverage
package secgate.coverage

cfg := data.secgate.config.coverage

incomplete contains {
	"msg": sprintf("%s (%s): scan incomplete: %s", [s.path, s.format, s.incomplete_reason]),
	"severity": "high",
	"remediation": "run the scanner again until it completes (coverage.incomplete: warn accepts an incomplete scan)",
} if {
	some s in input.sources
	s.complete == false
}

scan_errors contains {
	"msg": sprintf("%s (%s): %d scan error%s, not everything was scanned; %s", [s.path, s.format, count(s.errors), plural(s.errors), describe(worst(s.errors))]),
	"severity": "medium",
	"remediation": "make the files the tool could not scan scannable, or exclude them from the scan (coverage.scan_errors: ignore drops scan errors)",
} if {
	some s in input.sources
	count(s.errors) > 0
}

deny contains v if {
	cfg.incomplete == "fail"
	some v in incomplete
}

warn contains v if {
	cfg.incomplete == "warn"
	some v in incomplete
}

deny contains v if {
	cfg.scan_errors == "fail"
	some v in scan_errors
}

warn contains v if {
	cfg.scan_errors == "warn"
	some v in scan_errors
}

plural(errs) := "" if count(errs) == 1

plural(errs) := "s" if count(errs) != 1

# worst is the first error of level error, else the first error.
worst(errs) := e if {
	es := [e | some e in errs; e.level == "error"]
	count(es) > 0
	e := es[0]
}

worst(errs) := errs[0] if {
	not any_error(errs)
}

any_error(errs) if {
	some e in errs
	e.level == "error"
}

describe(e) := sprintf("%s: %s:%d: %s", [e.level, e.path, e.line, e.message]) if {
	e.path
	e.line
}

describe(e) := sprintf("%s: %s: %s", [e.level, e.path, e.message]) if {
	e.path
	not e.line
}

describe(e) := sprintf("%s: %s", [e.level, e.message]) if {
	not e.path
}

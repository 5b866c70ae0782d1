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
#   required names, by stage, the reports a check must be given (an SBOM,
#   a vulnerability, secret or code scan, a tool's report) and how old
#   each may be by its own timestamp; a missing or stale one fails.
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

# Required reports (coverage.required): each requirement of the check's
# stage and of "*" needs a report given to this check that is of its kind
# or tool and, with max_age, young enough by its own timestamp.

deny contains {
	"msg": sprintf("%s requires %s (%s)%s; %s", [stage_name(key), wanted(r), rule_name(r), age_words(r), why_unmet(r)]),
	"severity": "high",
	"remediation": sprintf("give the check %s%s (coverage.required.%s)", [remedy(r), fresh_words(r), key]),
} if {
	some [key, r] in requirements
	not met(r)
}

# requirements are [stage key, requirement] for the check's stage and "*".
requirements contains [key, r] if {
	some key in {object.get(input, ["context", "stage"], ""), "*"}
	rules := cfg.required[key]
	is_array(rules)
	some r in rules
}

stage_name("*") := "every stage"

stage_name(key) := sprintf("stage %s", [key]) if key != "*"

rule_name(r) := sprintf("kind %s", [r.kind]) if r.kind

rule_name(r) := sprintf("tool %s", [r.tool]) if r.tool

kind_words := {
	"sbom": "an SBOM",
	"vulnerabilities": "a vulnerability scan",
	"secrets": "a secret scan",
	"sast": "a code scan",
	"misconfigurations": "a misconfiguration scan",
}

wanted(r) := kind_words[r.kind]

wanted(r) := sprintf("a report of %s", [r.tool]) if r.tool

remedy(r) := "a CycloneDX or SPDX SBOM that lists components" if r.kind == "sbom"

remedy(r) := wanted(r) if r.kind != "sbom"

remedy(r) := wanted(r) if r.tool

age_words(r) := sprintf(" at most %s old", [r.max_age]) if max_age_ns(r)

age_words(r) := "" if not max_age_ns(r)

fresh_words(r) := sprintf(" made within %s", [r.max_age]) if max_age_ns(r)

fresh_words(r) := "" if not max_age_ns(r)

# max_age_ns is a requirement's max_age in nanoseconds; undefined without
# one (absent, null or forever). The configuration's schema holds the
# value to digits and one unit.
max_age_ns(r) := to_number(trim_suffix(r.max_age, "d")) * ((24 * 3600) * 1000000000) if {
	is_string(r.max_age)
	endswith(r.max_age, "d")
}

max_age_ns(r) := to_number(trim_suffix(r.max_age, "w")) * (((7 * 24) * 3600) * 1000000000) if {
	is_string(r.max_age)
	endswith(r.max_age, "w")
}

max_age_ns(r) := to_number(trim_suffix(r.max_age, "h")) * (3600 * 1000000000) if {
	is_string(r.max_age)
	endswith(r.max_age, "h")
}

# candidates are the indexes of the sources of the requirement's kind or tool.
candidates(r) := {i | some i, s in input.sources; provides(s, i, r)}

met(r) if {
	some i in candidates(r)
	not max_age_ns(r)
}

met(r) if {
	some i in candidates(r)
	age := age_ns(input.sources[i])
	age <= max_age_ns(r)
}

why_unmet(r) := "no report was given" if {
	count(candidates(r)) == 0
	count(input.sources) == 0
}

why_unmet(r) := sprintf("no report given is one (given: %s)%s", [given, empty_sboms(r)]) if {
	count(candidates(r)) == 0
	count(input.sources) > 0
	given := concat(", ", [sprintf("%s (%s)", [s.path, s.format]) | some s in array.slice(input.sources, 0, 3)])
	count(input.sources) <= 3
}

why_unmet(r) := sprintf("no report given is one (given: %s and %d more)%s", [given, count(input.sources) - 3, empty_sboms(r)]) if {
	count(candidates(r)) == 0
	given := concat(", ", [sprintf("%s (%s)", [s.path, s.format]) | some s in array.slice(input.sources, 0, 3)])
	count(input.sources) > 3
}

why_unmet(r) := concat("; ", [age_problem(input.sources[i], r) | some i in candidates(r)]) if {
	count(candidates(r)) > 0
}

# empty_sboms names the CycloneDX and SPDX files that list no component:
# an empty SBOM is none (a CycloneDX VEX is one such file).
empty_sboms(r) := sprintf("; %s list%s no components, an empty SBOM is none", [concat(", ", names), verb_s(names)]) if {
	r.kind == "sbom"
	names := [s.path | some i, s in input.sources; sbom_formats[s.format]; not sbom_sources[i]]
	count(names) > 0
} else := ""

verb_s(names) := "s" if count(names) == 1

verb_s(names) := "" if count(names) != 1

age_problem(s, r) := sprintf("%s has no timestamp, its age cannot be told", [s.path]) if {
	not readable_time(s)
	not stated_time(s)
}

age_problem(s, r) := sprintf("%s has a timestamp that cannot be read (%s), its age cannot be told", [s.path, s.created]) if {
	not readable_time(s)
	stated_time(s)
}

age_problem(s, r) := sprintf("%s says it was made at %s, after the check's time %s; its age cannot be told", [s.path, s.created, input.context.now]) if {
	readable_time(s)
	not age_ns(s)
}

age_problem(s, r) := sprintf("%s is %s old (made %s)", [s.path, duration_words(age_ns(s)), s.created]) if {
	age_ns(s) > max_age_ns(r)
}

duration_words(ns) := sprintf("%d days", [floor(ns / ((24 * 3600) * 1000000000))]) if {
	ns >= (48 * 3600) * 1000000000
} else := sprintf("%d hours", [floor(ns / (3600 * 1000000000))])

# future_skew is how far after the check's time a report may say it was
# made and still be taken as made now: clocks of two machines differ a
# little. A report later than that claims a freshness nothing can check.
future_skew := (5 * 60) * 1000000000

# age_ns is how long before the check's time the report says it was made;
# undefined when it does not say, says it unreadably, or says a time after
# the check's (beyond future_skew).
age_ns(s) := max([0, time.now_ns() - made_ns(s)]) if {
	made_ns(s) <= time.now_ns() + future_skew
}

readable_time(s) if made_ns(s)

# stated_time: the report gives a time other than Go's zero time, which
# some tools (Trivy) write for none.
stated_time(s) if {
	is_string(s.created)
	s.created != ""
	not startswith(s.created, "0001-01-01")
}

# made_ns reads a report's created time: RFC 3339, or a date and time
# without zone (Safety's), read as UTC, in the years 1900 to 2259 (what a
# time in nanoseconds holds). Anything else is unreadable, here rather
# than as an error of the builtin, which would stop the evaluation.
made_ns(s) := time.parse_rfc3339_ns(rfc3339(s.created)) if {
	is_string(s.created)
	regex.match(time_pattern, s.created)
	day_of_month(s.created)
}

time_pattern := `^(19[0-9]{2}|2[01][0-9]{2}|22[0-5][0-9])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?$`

# day_of_month: the date's day is one its month has (30 April, 29
# February in a leap year).
day_of_month(t) if {
	year := to_number(substring(t, 0, 4))
	month := to_number(substring(t, 5, 2))
	day := to_number(substring(t, 8, 2))
	day <= days_in(year, month)
}

days_in(year, 2) := 29 if leap(year)

days_in(year, 2) := 28 if not leap(year)

days_in(year, month) := 30 if month in {4, 6, 9, 11}

days_in(year, month) := 31 if month in {1, 3, 5, 7, 8, 10, 12}

leap(year) if {
	year % 4 == 0
	year % 100 != 0
}

leap(year) if year % 400 == 0

rfc3339(t) := replace(t, " ", "T") if regex.match(`(Z|[+-][0-9]{2}:[0-9]{2})$`, t)

rfc3339(t) := concat("", [replace(t, " ", "T"), "Z"]) if not regex.match(`(Z|[+-][0-9]{2}:[0-9]{2})$`, t)

# provides says whether source s (at index i) is of the requirement's kind
# or tool.
provides(s, i, r) if {
	r.kind == "sbom"
	sbom_formats[s.format]
	sbom_sources[i]
}

provides(s, i, r) if {
	r.kind != "sbom"
	r.kind in format_kinds[s.format]
}

provides(s, i, r) if {
	s.format == "sarif"
	some name, kind in sarif_tool_kinds
	kind == r.kind
	tool_named(s, name)
}

provides(s, i, r) if {
	some kind in finding_kinds[r.kind]
	[i, kind] in source_finding_kinds
}

provides(s, i, r) if {
	r.tool
	s.format == r.tool
}

provides(s, i, r) if {
	r.tool
	startswith(lower(s.tool.name), r.tool)
}

sbom_formats := {"cyclonedx", "spdx"}

# sbom_sources are the indexes of the sources that listed a component.
sbom_sources := {i | some c in input.components; some i in c.sources}

# format_kinds are the kinds of scan a native report format always is.
# Trivy is a vulnerability scan only: whether it also ran its secret or
# misconfiguration scanners its report shows by what they found.
format_kinds := {
	"trivy": {"vulnerabilities"},
	"grype": {"vulnerabilities"},
	"npm-audit": {"vulnerabilities"},
	"pip-audit": {"vulnerabilities"},
	"safety": {"vulnerabilities"},
	"osv-scanner": {"vulnerabilities"},
	"govulncheck": {"vulnerabilities"},
	"retirejs": {"vulnerabilities"},
	"snyk": {"vulnerabilities"},
	"semgrep": {"sast"},
	"bandit": {"sast"},
	"gosec": {"sast"},
	"eslint": {"sast"},
	"gitleaks": {"secrets"},
}

# sarif_tool_kinds are the kinds of scan a SARIF run is, by its driver's
# name (lower case; a name that is it or starts with it and a space).
sarif_tool_kinds := {
	"codeql": "sast",
	"semgrep": "sast",
	"gosec": "sast",
	"eslint": "sast",
	"bandit": "sast",
	"flawfinder": "sast",
	"spotbugs": "sast",
	"snykcode": "sast",
	"trivy": "vulnerabilities",
	"grype": "vulnerabilities",
	"osv-scanner": "vulnerabilities",
	"govulncheck": "vulnerabilities",
	"dependency-check": "vulnerabilities",
	"snyk open source": "vulnerabilities",
	"gitleaks": "secrets",
	"checkov": "misconfigurations",
	"kics": "misconfigurations",
	"dockle": "misconfigurations",
}

tool_named(s, name) if lower(s.tool.name) == name

tool_named(s, name) if startswith(lower(s.tool.name), concat("", [name, " "]))

# finding_kinds are the finding kinds that show a scan of each kind ran,
# whatever the format.
finding_kinds := {
	"vulnerabilities": {"vulnerability"},
	"secrets": {"secret"},
	"sast": {"code"},
	"misconfigurations": {"misconfiguration"},
}

# source_finding_kinds are [source index, finding kind] for every finding.
source_finding_kinds := {[o.source, f.kind] | some f in input.findings; some o in f.origins}

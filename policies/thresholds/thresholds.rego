# METADATA
# title: Severity and count thresholds
# description: >-
#   Fails on any open finding at or above fail_severity, on known exploited
#   vulnerabilities (KEV) and high EPSS scores, and when more than
#   max_findings findings are open; warns at warn_severity and warn_findings.
#   With only_new and a baseline, counts only what the change introduced.
# custom:
#   severity: high
#   config: thresholds
package secgate.thresholds

import data.secgate.lib

cfg := data.secgate.config.thresholds

# counted are the open findings the thresholds apply to.
counted := [f | some f in lib.open_findings; in_scope(f)]

in_scope(_) if not cfg.only_new

in_scope(f) if {
	cfg.only_new
	lib.is_new(f)
}

deny contains {
	"msg": sprintf("%s is %s (the gate fails at %s and above)", [lib.describe(f), f.severity, cfg.fail_severity]),
	"severity": f.severity,
	"finding_ids": [f.id],
	"components": lib.finding_components(f),
	"remediation": remediation(f),
} if {
	some f in counted
	lib.at_or_above(f.severity, cfg.fail_severity)
}

deny contains {
	"msg": sprintf("%s is a known exploited vulnerability (CISA KEV)", [lib.describe(f)]),
	"severity": "critical",
	"finding_ids": [f.id],
	"components": lib.finding_components(f),
	"remediation": remediation(f),
} if {
	cfg.fail_on_kev
	some f in counted
	f.kev.listed
}

deny contains {
	"msg": sprintf("%s has an EPSS score of %.3f, at or above %v", [lib.describe(f), f.epss.score, cfg.fail_epss_at]),
	"severity": f.severity,
	"finding_ids": [f.id],
	"components": lib.finding_components(f),
	"remediation": remediation(f),
} if {
	is_number(cfg.fail_epss_at)
	some f in counted
	f.epss.score >= cfg.fail_epss_at
}

deny contains {
	"msg": sprintf("%d open findings, more than the %d allowed", [count(counted), cfg.max_findings]),
	"severity": "medium",
	"finding_ids": [f.id | some f in counted],
} if {
	count(counted) > cfg.max_findings
}

warn contains {
	"msg": sprintf("%d open findings, at least the %d that warn (the gate fails above %d)", [count(counted), cfg.warn_findings, cfg.max_findings]),
	"severity": "low",
	"finding_ids": [f.id | some f in counted],
} if {
	count(counted) >= cfg.warn_findings
	count(counted) <= cfg.max_findings
}

# One warning per severity between warn_severity and fail_severity.
warn contains {
	"msg": sprintf("%d open %s finding(s) at or above %s", [count(ids), sev, cfg.warn_severity]),
	"severity": sev,
	"finding_ids": ids,
} if {
	some sev in {"critical", "high", "medium", "low", "info", "unknown"}
	lib.at_or_above(sev, cfg.warn_severity)
	not lib.at_or_above(sev, cfg.fail_severity)
	ids := [f.id | some f in counted; f.severity == sev]
	count(ids) > 0
}

remediation(f) := sprintf("upgrade %s from %s to %s", [f.package.name, f.package.version, f.fixed_versions[0]]) if {
	f.package
	count(f.fixed_versions) == 1
}

remediation(f) := sprintf("upgrade %s from %s to a fixed version (%s)", [f.package.name, f.package.version, concat(", ", f.fixed_versions)]) if {
	f.package
	count(f.fixed_versions) > 1
}

remediation(f) := sprintf("no fixed version of %s is named in the report: check for an upgrade, mitigate, or waive with an exception", [f.package.name]) if {
	f.package
	count(f.fixed_versions) == 0
}

remediation(f) := sprintf("fix %s at %s", [f.rule_id, f.location.path]) if {
	not f.package
	f.location
}

remediation(f) := sprintf("fix %s", [f.rule_id]) if {
	not f.package
	not f.location
}

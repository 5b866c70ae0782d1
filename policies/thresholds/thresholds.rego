# METADATA
# title: Severity and count thresholds
# description: >-
#   Fails on any open finding at or above fail_severity, on known exploited
#   vulnerabilities (KEV) and high EPSS scores, and when more than
#   max_findings findings are open; warns at warn_severity and warn_findings.
#   An open finding of unknown severity counts as unknown_as (high by
#   default). With only_new (the section's, else the top-level one) and a
#   baseline, counts only what the change introduced.
# custom:
#   severity: high
#   config: thresholds
package secgate.thresholds

import data.secgate.lib

cfg := data.secgate.config.thresholds

# counted are the open findings the thresholds apply to.
counted := lib.open_findings if not lib.only_new(cfg)

counted := [f | some f in lib.open_findings; lib.is_new(f)] if lib.only_new(cfg)

# One violation per severity at or above fail_severity, naming every
# finding of that severity: a report of 100,000 vulnerabilities gives a
# handful of violations, each with its evidence, not 40,000 messages.
deny contains {
	"msg": sprintf("%d open %s finding(s) (the gate fails at %s and above)", [count(fs), sev, cfg.fail_severity]),
	"severity": sev,
	"finding_ids": secgate.pluck(fs, "id"),
	"components": components(fs),
	"remediation": remediation(fs),
} if {
	some sev in severities
	lib.at_or_above(sev, cfg.fail_severity)
	fs := rated[sev]
}

# Open findings of unknown severity count at unknown_as: a scanner that
# states no severity must not let a finding pass unseen.
deny contains {
	"msg": sprintf("%s; the gate fails at %s and above", [unknown_said(unknown_findings), cfg.fail_severity]),
	"severity": unknown_level,
	"finding_ids": secgate.pluck(unknown_findings, "id"),
	"components": components(unknown_findings),
	"remediation": remediation(unknown_findings),
} if {
	count(unknown_findings) > 0
	counts_at(unknown_as, cfg.fail_severity)
}

deny contains {
	"msg": sprintf("%d known exploited vulnerabilit%s (CISA KEV): %s", [count(fs), plural(fs), concat(", ", rule_ids(fs))]),
	"severity": "critical",
	"finding_ids": secgate.pluck(fs, "id"),
	"components": components(fs),
	"remediation": remediation(fs),
} if {
	cfg.fail_on_kev

	# group_by names groups by the value as a string: "true" is listed.
	fs := object.get(secgate.group_by(counted, "kev.listed"), "true", [])
	count(fs) > 0
}

deny contains {
	"msg": sprintf("%d vulnerabilit%s with an EPSS score at or above %v: %s", [count(fs), plural(fs), cfg.fail_epss_at, concat(", ", rule_ids(fs))]),
	"severity": "high",
	"finding_ids": secgate.pluck(fs, "id"),
	"components": components(fs),
	"remediation": remediation(fs),
} if {
	is_number(cfg.fail_epss_at)
	fs := [f | some f in counted; f.epss.score >= cfg.fail_epss_at]
	count(fs) > 0
}

severities := ["critical", "high", "medium", "low", "info", "unknown"]

# Lists in messages keep the findings' order, worst first (input.findings
# is sorted so); a set would sort them by name.
rule_ids(fs) := secgate.unique(secgate.pluck(fs, "rule_id"))

# by_severity groups the counted findings by severity, in one pass.
by_severity := secgate.group_by(counted, "severity")

# rated are the counted findings by severity, without those of unknown
# severity: they count at unknown_as, whatever their kind (a Trivy
# misconfiguration rated UNKNOWN is no less open than a vulnerability).
rated[sev] := fs if {
	some sev, group in by_severity
	sev != "unknown"
	fs := group
}

# unknown_findings are the counted findings of unknown severity.
unknown_findings := object.get(by_severity, "unknown", [])

# unknown_as is the severity they count at: critical to info, or none (no
# severity threshold is reached but fail_severity or warn_severity unknown).
# Absent or null, it is the default, high: the gate fails closed.
unknown_as := u if {
	u := cfg.unknown_as
	is_string(u)
} else := "high"

unknown_level := unknown_as if unknown_as != "none"

unknown_level := "unknown" if unknown_as == "none"

# counts_at holds when a finding counted at severity s reaches threshold t:
# a threshold of unknown is reached by every finding, none by no finding.
counts_at(s, t) if {
	s != "none"
	lib.at_or_above(s, t)
}

counts_at(_, "unknown") := true

unknown_said(fs) := sprintf("%d open %s of severity unknown, counted as %s (thresholds.unknown_as)", [count(fs), noun(fs), unknown_as]) if unknown_as != "none"

unknown_said(fs) := sprintf("%d open %s of severity unknown, counted as no severity (thresholds.unknown_as none)", [count(fs), noun(fs)]) if unknown_as == "none"

# noun names the findings: vulnerabilities when they all are.
noun(fs) := sprintf("vulnerabilit%s", [plural(fs)]) if {
	every f in fs {
		f.kind == "vulnerability"
	}
} else := "finding(s)"

plural(fs) := "y" if count(fs) == 1

plural(fs) := "ies" if count(fs) != 1

# components are the purls of the findings' packages, and the names of
# those without one; in Go: a function call per finding costs more than
# the rest of the rule.
components(fs) := secgate.components(fs)

deny contains {
	"msg": sprintf("%d open findings, more than the %d allowed", [count(counted), cfg.max_findings]),
	"severity": "medium",
	"finding_ids": secgate.pluck(counted, "id"),
	"per_finding": false,
} if {
	count(counted) > cfg.max_findings
}

warn contains {
	"msg": sprintf("%d open findings, at least the %d that warn (the gate fails above %d)", [count(counted), cfg.warn_findings, cfg.max_findings]),
	"severity": "low",
	"finding_ids": secgate.pluck(counted, "id"),
	"per_finding": false,
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
	some sev in severities
	lib.at_or_above(sev, cfg.warn_severity)
	not lib.at_or_above(sev, cfg.fail_severity)
	ids := secgate.pluck(rated[sev], "id")
	count(ids) > 0
}

warn contains {
	"msg": sprintf("%s, at or above %s", [unknown_said(unknown_findings), cfg.warn_severity]),
	"severity": unknown_level,
	"finding_ids": secgate.pluck(unknown_findings, "id"),
} if {
	count(unknown_findings) > 0
	counts_at(unknown_as, cfg.warn_severity)
	not counts_at(unknown_as, cfg.fail_severity)
}

# remediation says what fixes a group of findings: the upgrades when they
# are all in packages ("upgrade a 1.0 to 1.1; b 2.0 to a fixed version
# (2.1, 3.0)"), else the rules and where they hit; for more than five, how
# many packages or findings, and --tickets. Written in Go: a function per
# finding costs more than the rest of the rule.
remediation(fs) := secgate.remediation(fs)

# METADATA
# title: Severity and count thresholds
# description: >-
#   Fails on any open finding at or above fail_severity, on known exploited
#   vulnerabilities (KEV) and high EPSS scores, and when more than
#   max_findings findings at or above count_from are open; warns at
#   warn_severity and warn_findings. by_kind and by_tool set fail_severity,
#   warn_severity and count_from for the findings of one kind or tool (a
#   tool's over a kind's over the section's; the strictest of a finding's
#   tools). An open finding of unknown severity counts as unknown_as (high
#   by default). ignore_unfixed leaves out of the severity and count
#   thresholds the vulnerabilities whose report says no fix exists. With
#   only_new (the section's, else the top-level one) and a baseline, counts
#   only what the change introduced. With ratchet and a baseline, the open
#   count of each severity may not rise above the baseline's, and that
#   replaces max_findings and warn_findings.
# custom:
#   severity: high
#   config: thresholds
package secgate.thresholds

import data.secgate.lib

cfg := data.secgate.config.thresholds

# counted are the open findings the thresholds apply to.
counted := lib.open_findings if not lib.only_new(cfg)

counted := [f | some f in lib.open_findings; lib.is_new(f)] if lib.only_new(cfg)

# judged are the counted findings the severity and count thresholds judge:
# with ignore_unfixed, not the vulnerabilities without a fix. KEV and EPSS
# judge every counted one.
judged := counted if not cfg.ignore_unfixed == true

judged := [f | some f in counted; not unfixed(f)] if cfg.ignore_unfixed == true

# unfixed is a vulnerability whose report says that no fix exists: no fixed
# version, and a fix state saying so. One whose report says nothing of a
# fix, or unknown, is judged: the gate does not guess a fix is missing.
unfixed(f) if {
	f.kind == "vulnerability"
	count(object.get(f, "fixed_versions", [])) == 0
	f.fix_state in no_fix_states
}

# no_fix_states are the fix states that say no fix exists: Grype's and the
# ingesters' not-fixed and wont-fix, Trivy's statuses of the same meaning.
no_fix_states := {"not-fixed", "wont-fix", "affected", "will_not_fix", "fix_deferred", "end_of_life"}

# by_kind and by_tool are the sections' overrides; null or absent: none.
by_kind := k if {
	k := cfg.by_kind
	is_object(k)
} else := {}

by_tool := t if {
	t := cfg.by_tool
	is_object(t)
} else := {}

# overrides are the keys (fail_severity, warn_severity, count_from) some
# by_kind or by_tool entry sets. A key no entry sets is judged by the
# section's value for all findings at once, without a look at each one.
overrides contains key if {
	some o in by_kind
	is_object(o)
	some key, v in o
	is_string(v)
}

overrides contains key if {
	some o in by_tool
	is_object(o)
	some key, v in o
	is_string(v)
}

# setting is the value of key a finding is judged by: its tools' (the
# strictest, when several tools reported it), else its kind's, else the
# section's.
setting(f, key) := kind_setting(f.kind, key) if {
	count(by_tool) == 0
} else := strictest(vs) if {
	vs := {tool_setting(o.tool, f.kind, key) | some o in f.origins}
	count(vs) > 0
} else := kind_setting(f.kind, key)

kind_setting(kind, key) := v if {
	v := by_kind[kind][key]
	is_string(v)
} else := cfg[key]

# tool_setting compares tool names without case; two entries of one name
# in two cases count as one, their strictest value.
tool_setting(tool, kind, key) := strictest(vs) if {
	vs := {v |
		some name, o in by_tool
		lower(name) == lower(tool)
		v := o[key]
		is_string(v)
	}
	count(vs) > 0
} else := kind_setting(kind, key)

# strictest is the lowest of severity thresholds: the one most findings
# reach (unknown reaches every finding, none no finding).
strictest(vs) := rank_name[min({lib.severity_rank[v] | some v in vs})]

rank_name := {r: s | some s, r in lib.severity_rank}

# level is the severity a finding of severity sev is judged at: its own,
# or unknown_as for unknown.
level(sev) := unknown_as if sev == "unknown"

level(sev) := sev if sev != "unknown"

# fails are the judged findings that fail, by severity (unknown among
# them): those whose level reaches their fail_severity. Rules, not
# functions over the findings: a function returns a copy of an array it
# is given, and 100,000 findings copied twice double the policy's time.
fails[sev] := fs if {
	not overrides.fail_severity
	some sev, fs in by_severity
	counts_at(level(sev), cfg.fail_severity)
}

fails[sev] := fs if {
	overrides.fail_severity
	some sev, group in by_severity
	fs := [f | some f in group; counts_at(level(sev), setting(f, "fail_severity"))]
	count(fs) > 0
}

# warns are the judged findings that reach their warn_severity and not
# their fail_severity, by severity.
warns[sev] := fs if {
	not overrides.warn_severity
	not overrides.fail_severity
	some sev, fs in by_severity
	counts_at(level(sev), cfg.warn_severity)
	not counts_at(level(sev), cfg.fail_severity)
}

warns[sev] := fs if {
	some key in {"warn_severity", "fail_severity"}
	overrides[key]
	some sev, group in by_severity
	fs := [f |
		some f in group
		counts_at(level(sev), setting(f, "warn_severity"))
		not counts_at(level(sev), setting(f, "fail_severity"))
	]
	count(fs) > 0
}

# fail_said and warn_said name the thresholds the findings of a severity
# were judged by, and where they come from: [the section's value, ""], or
# those by_kind and by_tool gave ["high or medium", ", as
# thresholds.by_kind or by_tool set"].
fail_said(_) := [cfg.fail_severity, ""] if not overrides.fail_severity

fail_said(sev) := said_of({setting(f, "fail_severity") | some f in fails[sev]}, "fail_severity") if overrides.fail_severity

warn_said(_) := [cfg.warn_severity, ""] if not overrides.warn_severity

warn_said(sev) := said_of({setting(f, "warn_severity") | some f in warns[sev]}, "warn_severity") if overrides.warn_severity

said_of(ts, key) := [cfg[key], ""] if {
	every t in ts {
		t == cfg[key]
	}
}

said_of(ts, key) := [concat(" or ", worst_first(ts)), ", as thresholds.by_kind or by_tool set"] if {
	some t in ts
	t != cfg[key]
}

worst_first(ts) := [rank_name[r] | some r in array.reverse(sort({lib.severity_rank[t] | some t in ts}))]

# One violation per severity at or above fail_severity, naming every
# finding of that severity: a report of 100,000 vulnerabilities gives a
# handful of violations, each with its evidence, not 40,000 messages.
deny contains {
	"msg": sprintf("%d open %s finding(s) (the gate fails at %s and above%s)", array.concat([count(fs), sev], fail_said(sev))),
	"severity": sev,
	"finding_ids": secgate.pluck(fs, "id"),
	"components": components(fs),
	"remediation": remediation(fs),
} if {
	some sev, fs in fails
	sev != "unknown"
}

# Open findings of unknown severity count at unknown_as: a scanner that
# states no severity must not let a finding pass unseen.
deny contains {
	"msg": sprintf("%s; the gate fails at %s and above%s", array.concat([unknown_said(fs)], fail_said("unknown"))),
	"severity": unknown_level,
	"finding_ids": secgate.pluck(fs, "id"),
	"components": components(fs),
	"remediation": remediation(fs),
} if {
	fs := fails.unknown
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

# by_severity groups the judged findings by severity, in one pass.
by_severity := secgate.group_by(judged, "severity")

# rated are the counted findings by severity, without those of unknown
# severity: they count at unknown_as, whatever their kind (a Trivy
# misconfiguration rated UNKNOWN is no less open than a vulnerability).
rated[sev] := fs if {
	some sev, group in by_severity
	sev != "unknown"
	fs := group
}

# unknown_findings are the judged findings of unknown severity.
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

# The count thresholds: the judged findings count_from counts (each
# finding's, with by_kind and by_tool). A count violation carries the
# highest severity it counted and says how many of each.
deny contains {
	"msg": sprintf("%d open findings (%s) counted %s; at most %d allowed", [count(in_count), breakdown, count_said, cfg.max_findings]),
	"severity": count_severity,
	"finding_ids": secgate.pluck(in_count, "id"),
	"per_finding": false,
} if {
	not ratchet
	count(in_count) > cfg.max_findings
}

warn contains {
	"msg": sprintf("%d open findings (%s) counted %s; %d or more warn, more than %d fail", [count(in_count), breakdown, count_said, cfg.warn_findings, cfg.max_findings]),
	"severity": count_severity,
	"finding_ids": secgate.pluck(in_count, "id"),
	"per_finding": false,
} if {
	not ratchet
	count(in_count) >= cfg.warn_findings
	count(in_count) <= cfg.max_findings
}

# in_count are the findings the count thresholds count, worst first: by
# default (count_from unknown) every judged one.
in_count := judged if {
	not overrides.count_from
	cfg.count_from == "unknown"
} else := [f |
	not overrides.count_from
	some sev in severities
	counts_at(level(sev), cfg.count_from)
	some f in by_severity[sev]
] if {
	not overrides.count_from
} else := [f | some f in judged; counts_at(level(f.severity), setting(f, "count_from"))]

# in_count_by_severity groups them by severity: the groups by_severity
# made already, when each severity counts or not as a whole (a second
# group_by of 100,000 findings would double the policy's time).
in_count_by_severity := {sev: fs |
	some sev, fs in by_severity
	counts_at(level(sev), cfg.count_from)
} if {
	not overrides.count_from
} else := secgate.group_by(in_count, "severity")

# breakdown says how many of each severity the counts counted: "2 high, 21 low".
breakdown := concat(", ", [sprintf("%d %s", [count(fs), sev]) |
	some sev in severities
	fs := in_count_by_severity[sev]
]) if count(in_count) > 0

else := "none"

# count_said says what the counts counted: at any severity, from low, and
# whether by_kind or by_tool set what each finding counts from.
count_said := from_said(cfg.count_from) if {
	not overrides.count_from
} else := concat("", [from_said(concat(" or ", worst_first(froms - {"none"}))), ", as thresholds.by_kind or by_tool set"]) if {
	froms := {setting(f, "count_from") | some f in judged}
	froms != {cfg.count_from}
} else := from_said(cfg.count_from)

from_said(s) := "at any severity" if s == "unknown"

from_said(s) := sprintf("from %s", [s]) if s != "unknown"

# count_severity is the highest severity the counts counted, a finding of
# unknown severity at unknown_as: 56 low notes make a low violation.
count_severity := rank_name[max(ranks)] if {
	ranks := {lib.severity_rank[level(sev)] | some sev, _ in in_count_by_severity; level(sev) != "none"}
	count(ranks) > 0
} else := "unknown"

# One warning per severity between warn_severity and fail_severity.
warn contains {
	"msg": sprintf("%d open %s finding(s) at or above %s%s", array.concat([count(fs), sev], warn_said(sev))),
	"severity": sev,
	"finding_ids": secgate.pluck(fs, "id"),
} if {
	some sev, fs in warns
	sev != "unknown"
}

warn contains {
	"msg": sprintf("%s, at or above %s%s", array.concat([unknown_said(fs)], warn_said("unknown"))),
	"severity": unknown_level,
	"finding_ids": secgate.pluck(fs, "id"),
} if {
	fs := warns.unknown
}

# A by_tool entry whose name no report's tool has judges nothing: a typo,
# or a tool that did not run. Say so rather than let it pass unseen.
warn contains {
	"msg": sprintf("thresholds.by_tool.%s matches no tool of the reports (%s): it sets nothing", [name, tools_said]),
	"severity": "info",
} if {
	some name, _ in by_tool
	not lower(name) in report_tools
}

report_tools := {lower(s.tool.name) | some s in input.sources}

tools_said := concat(", ", sort({s.tool.name | some s in input.sources})) if count(input.sources) > 0

else := "none"

# remediation says what fixes a group of findings: the upgrades when they
# are all in packages ("upgrade a 1.0 to 1.1; b 2.0 to a fixed version
# (2.1, 3.0)"), else the rules and where they hit; for more than five, how
# many packages or findings, and --tickets. Written in Go: a function per
# finding costs more than the rest of the rule.
remediation(fs) := secgate.remediation(fs)

# The ratchet. With ratchet on, the open count of each severity may not
# rise above the baseline's; it replaces the count thresholds
# (max_findings, warn_findings), so a change that lowers or keeps the
# counts passes above them. fail_severity, warn_severity, KEV and EPSS
# still judge each finding as without it. The ratchet counts every open
# finding, new or not (only_new narrows what the other thresholds judge,
# not the comparison), by the count thresholds' rules: ignore_unfixed,
# count_from, unknown_as, and the exceptions in force, which were applied
# before the policies run. The baseline's counts (input.baseline) are
# ratchet_counts evaluated on the baseline's findings, with today's
# exceptions applied to them.
ratchet if cfg.ratchet == true

# ratchet_judged are the open findings the ratchet counts from.
ratchet_judged := lib.open_findings if not cfg.ignore_unfixed == true

ratchet_judged := [f | some f in lib.open_findings; not unfixed(f)] if cfg.ignore_unfixed == true

ratchet_by_severity := secgate.group_by(ratchet_judged, "severity")

# ratchet_in_count are those count_from counts, by severity.
ratchet_in_count[sev] := fs if {
	not overrides.count_from
	some sev, fs in ratchet_by_severity
	counts_at(level(sev), cfg.count_from)
}

ratchet_in_count[sev] := fs if {
	overrides.count_from
	some sev, group in ratchet_by_severity
	fs := [f | some f in group; counts_at(level(sev), setting(f, "count_from"))]
}

# ratchet_level is the severity a finding of severity sev is counted at:
# unknown at unknown_as (unknown when that is none).
ratchet_level(sev) := unknown_level if sev == "unknown"

ratchet_level(sev) := sev if sev != "unknown"

# ratchet_findings are the findings the ratchet counts, by the severity
# they count at, every severity present.
ratchet_findings[lvl] := fs if {
	some lvl in severities
	fs := [f |
		some sev, group in ratchet_in_count
		ratchet_level(sev) == lvl
		some f in group
	]
}

# ratchet_counts are how many findings the ratchet counts at each
# severity: what secgate reads of a baseline, and shows beside the
# baseline's.
ratchet_counts := {lvl: count(fs) | some lvl, fs in ratchet_findings}

baseline_counts := input.baseline.ratchet_counts

# baseline_readable holds when the baseline's counts are a count for
# every severity.
baseline_readable if {
	is_object(baseline_counts)
	every lvl in severities {
		is_number(baseline_counts[lvl])
		baseline_counts[lvl] >= 0
		floor(baseline_counts[lvl]) == baseline_counts[lvl]
	}
}

deny contains {
	"msg": "thresholds.ratchet needs a baseline (--baseline reports, a decision JSON, or history:): without one there are no counts to hold the open findings to",
	"severity": "high",
} if {
	ratchet
	not input.context.baseline == true
}

deny contains {
	"msg": "thresholds.ratchet: the baseline's counts cannot be read (input.baseline.ratchet_counts wants a count for every severity): the ratchet holds nothing",
	"severity": "high",
} if {
	ratchet
	input.context.baseline == true
	not baseline_readable
}

# One violation per severity whose count rose, naming the new findings
# counted at it: those the baseline did not have made the difference.
deny contains {
	"msg": sprintf("ratchet: %d open %s finding(s) counted, %d in the baseline (+%d; %d new)", [count(fs), lvl, baseline_counts[lvl], count(fs) - baseline_counts[lvl], count(added)]),
	"severity": lvl,
	"finding_ids": secgate.pluck(added, "id"),
	"components": components(added),
	"per_finding": false,
} if {
	ratchet
	input.context.baseline == true
	baseline_readable
	some lvl, fs in ratchet_findings
	count(fs) > baseline_counts[lvl]
	added := [f | some f in fs; f.new == true]
}

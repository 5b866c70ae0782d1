# METADATA
# title: Licences
# description: >-
#   Checks each component's licence (and licence findings) against an allow
#   list, a deny list and denied categories, evaluating SPDX expressions:
#   "MIT OR GPL-3.0-only" passes an allow list holding MIT, AND needs both.
#   Deprecated SPDX ids read as their replacements first (GPL-2.0 as
#   GPL-2.0-only, GPL-2.0+ as GPL-2.0-or-later), and names in
#   licenses.aliases as the SPDX expression they map to. A missing,
#   NOASSERTION, LicenseRef or non-SPDX licence is unknown, and fails, warns
#   or is ignored as configured, unless the allow list names it as written.
#   The component a report scanned (its source's subject) is not judged.
#   With only_new (the section's, else the top-level one) and a baseline,
#   only components added or whose licence changed, and new licence
#   findings, are judged.
# custom:
#   severity: high
#   config: licenses
package secgate.licenses

import data.secgate.lib

cfg := data.secgate.config.licenses

# categories of licences that can be denied as a whole.
categories := {
	"network-copyleft": {"AGPL-1.0-only", "AGPL-1.0-or-later", "AGPL-3.0-only", "AGPL-3.0-or-later", "SSPL-1.0", "OSL-3.0", "EUPL-1.2"},
	"strong-copyleft": {
		"GPL-1.0-only", "GPL-1.0-or-later", "GPL-2.0-only", "GPL-2.0-or-later",
		"GPL-3.0-only", "GPL-3.0-or-later", "AGPL-3.0-only", "AGPL-3.0-or-later",
		"SSPL-1.0", "OSL-3.0", "EUPL-1.1", "EUPL-1.2", "CC-BY-SA-4.0",
	},
	"weak-copyleft": {
		"LGPL-2.0-only", "LGPL-2.0-or-later", "LGPL-2.1-only", "LGPL-2.1-or-later",
		"LGPL-3.0-only", "LGPL-3.0-or-later", "MPL-1.1", "MPL-2.0", "EPL-1.0", "EPL-2.0",
		"CDDL-1.0", "CDDL-1.1", "CPL-1.0",
	},
}

# aliases maps licence names as reports write them ("MIT/X11") to SPDX
# expressions; null or missing is none.
aliases := a if {
	a := object.get(cfg, "aliases", {})
	is_object(a)
} else := {}

# ids_of is what a deny list entry names: its SPDX ids, deprecated ones
# read as their replacements, or a name that is not SPDX, as written.
ids_of(entry) := {id | some id in secgate.spdx_parse(entry).ids} if secgate.spdx_parse(entry).valid

ids_of(entry) := {secgate.spdx_normalize(entry, {})} if not secgate.spdx_parse(entry).valid

listed_ids := {id | some entry in cfg.deny; some id in ids_of(entry)}

category_ids := {id | some cat in cfg.deny_categories; some id in categories[cat]}

denied_ids := listed_ids | category_ids

# allowed_names are the allow list's licences that are not SPDX, allowed
# as written.
allowed_names := {n | some a in cfg.allow; n := secgate.spdx_normalize(a, {}); not secgate.spdx_parse(n).valid}

# named are the licences that are not SPDX but that the allow or deny list
# names as written: known, so judged.
named := allowed_names | {n | some n in listed_ids; not secgate.spdx_parse(n).valid}

# subjects are what carries a licence: each component, and each licence
# finding of a scanner, with the expression to judge: the licence as
# written, with aliases applied and deprecated SPDX ids replaced.
subjects contains subject(expression(c), lib.label(c), []) if {
	some c in judged_components
	not ignored(c)
	not container(c)
	not scanned(c)
}

subjects contains subject(f.rule_id, subject_label(f), [f.id]) if {
	some f in judged_findings
}

# judged_components and judged_findings are those only_new leaves: with a
# baseline, the components added or whose licence changed (one the
# baseline had at another version with the same licence is not judged
# again), and the new licence findings. Without a baseline everything
# is new.
judged_components := input.components if not only_new

judged_components := [c | some c in input.components; changed_licence(c)] if only_new

judged_findings := lib.open_of_kind("license") if not only_new

judged_findings := [f | some f in lib.open_of_kind("license"); lib.is_new(f)] if only_new

only_new if lib.only_new(cfg)

changed_licence(c) if lib.is_new(c)

changed_licence(c) if c.license_changed == true

subject(written, label, finding_ids) := {
	"expr": read(written),
	"written": written,
	"label": label,
	"what": label,
	"finding_ids": finding_ids,
}

# read applies the aliases. The builtins read deprecated ids themselves,
# so without aliases the expression stays as written (one call less for
# each of 100,000 components).
read(written) := written if count(aliases) == 0

read(written) := secgate.spdx_normalize(written, aliases) if count(aliases) > 0

subject_label(f) := object.get(f, ["package", "purl"], object.get(f, ["package", "name"], object.get(f, ["location", "path"], f.rule_id)))

# container is true for a component that only holds others: the project's
# own manifest or lock file, an image (without a purl). It has no licence
# of its own to judge.
container(c) if {
	c.type in {"application", "file", "container"}
	not c.purl
}

# scanned is true for a component that is what a report scanned (its
# source's subject): the project itself, not one of its dependencies.
# Purls are compared when both have one, else name and version.
scanned(c) if {
	some src in input.sources
	object.get(c, "purl", "") != ""
	c.purl == object.get(src, ["subject", "purl"], "")
}

scanned(c) if {
	some src in input.sources
	sub := src.subject
	not both_purls(c, sub)
	object.get(sub, "name", "") != ""
	c.name == sub.name
	object.get(c, "version", "") == object.get(sub, "version", "")
}

both_purls(c, sub) if {
	object.get(c, "purl", "") != ""
	object.get(sub, "purl", "") != ""
}

ignored(c) if {
	some pattern in cfg.ignore
	lib.component_matches(pattern, c)
}

# expression is a component's licence expression; a list of licences
# without one is read as all of them (AND).
expression(c) := c.license_expression if c.license_expression

expression(c) := secgate.spdx_all_of(c.licenses) if not c.license_expression

parsed(s) := secgate.spdx_parse(s.expr)

# shown is the licence as written, and as read when that differs.
shown(s) := s.written if secgate.spdx_normalize(s.written, aliases) == s.written

shown(s) := sprintf("%s (read as %s)", [s.written, read_as]) if {
	read_as := secgate.spdx_normalize(s.written, aliases)
	read_as != s.written
}

no_licence := {"", "NOASSERTION", "NONE"}

# unknown is true for an empty, NOASSERTION, invalid or LicenseRef licence
# that neither list names as written.
unknown(s) if s.expr in no_licence

unknown(s) if {
	not s.expr in no_licence
	not s.expr in named
	some part in parsed(s).invalid
	not part in named
}

unknown(s) if {
	p := parsed(s)
	p.valid
	some id in p.ids
	startswith(id, "LicenseRef-")
	not id in cfg.allow
}

# needed are the denied licences the expression cannot be met without.
needed(s) := secgate.spdx_denied(s.expr, denied_ids)

# hit names a denied licence, and the denied category it is in when the
# deny list does not name it.
hit(id) := id if id in listed_ids

hit(id) := sprintf("%s in denied category %s", [id, concat(", ", sort(cats))]) if {
	not id in listed_ids
	cats := {cat | some cat in cfg.deny_categories; id in categories[cat]}
}

# denied: no way to satisfy the expression without a denied licence,
# whatever its unreadable parts say ("GPL-3.0-only AND LicenseRef-x").
deny contains {
	"msg": sprintf("%s is licensed %s, which needs a denied licence (%s)", [s.what, shown(s), concat(", ", sort([hit(id) | some id in hits]))]),
	"severity": "high",
	"finding_ids": s.finding_ids,
	"components": [s.label],
	"remediation": sprintf("replace %s, or get legal approval and waive it", [s.what]),
} if {
	some s in subjects
	count(denied_ids) > 0
	hits := needed(s)
	count(hits) > 0
}

# not allowed: an allow list is set and the expression cannot be met from it.
deny contains {
	"msg": sprintf("%s is licensed %s, which the allow list (%s) does not cover", [s.what, shown(s), concat(", ", cfg.allow)]),
	"severity": "high",
	"finding_ids": s.finding_ids,
	"components": [s.label],
	"remediation": sprintf("replace %s, or add its licence to licenses.allow", [s.what]),
} if {
	some s in subjects
	count(cfg.allow) > 0
	not unknown(s)
	not denied(s)
	not secgate.spdx_satisfies(s.expr, cfg.allow)
}

denied(s) if count(needed(s)) > 0

unknown_msg(s) := sprintf("%s has no licence information", [s.what]) if s.expr in no_licence

unknown_msg(s) := sprintf("%s has a licence that is not a known SPDX expression: %s", [s.what, shown(s)]) if not s.expr in no_licence

deny contains {
	"msg": unknown_msg(s),
	"severity": "medium",
	"finding_ids": s.finding_ids,
	"components": [s.label],
	"remediation": "find the component's licence and record it as an SPDX id, map its name to one in licenses.aliases, or allow it (or its LicenseRef) as written",
} if {
	cfg.unknown == "fail"
	some s in subjects
	unknown(s)
}

warn contains {
	"msg": unknown_msg(s),
	"severity": "low",
	"finding_ids": s.finding_ids,
	"components": [s.label],
} if {
	cfg.unknown == "warn"
	some s in subjects
	unknown(s)
}

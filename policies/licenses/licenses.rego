# METADATA
# title: Licences
# description: >-
#   Checks each component's licence (and licence findings) against an allow
#   list, a deny list and denied categories, evaluating SPDX expressions:
#   "MIT OR GPL-3.0-only" passes an allow list holding MIT, AND needs both.
#   A missing, NOASSERTION, LicenseRef or non-SPDX licence is unknown, and
#   fails, warns or is ignored as configured.
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

denied_ids := {id | some id in cfg.deny} | {id | some cat in cfg.deny_categories; some id in categories[cat]}

# subjects are what carries a licence: each component, and each licence
# finding of a scanner, with the expression to judge.
subjects contains {"expr": expression(c), "label": lib.label(c), "what": lib.label(c), "finding_ids": []} if {
	some c in input.components
	not ignored(c)
	not container(c)
}

subjects contains {"expr": f.rule_id, "label": subject_label(f), "what": subject_label(f), "finding_ids": [f.id]} if {
	some f in lib.open_of_kind("license")
}

subject_label(f) := object.get(f, ["package", "purl"], object.get(f, ["package", "name"], object.get(f, ["location", "path"], f.rule_id)))

# container is true for a component that only holds others: the project's
# own manifest or lock file, an image (without a purl). It has no licence
# of its own to judge.
container(c) if {
	c.type in {"application", "file", "container"}
	not c.purl
}

ignored(c) if {
	some pattern in cfg.ignore
	lib.component_matches(pattern, c)
}

# expression is a component's licence expression; a list of licences
# without one is read as all of them (AND).
expression(c) := c.license_expression if c.license_expression

expression(c) := concat(" AND ", [paren(l) | some l in c.licenses]) if {
	not c.license_expression
	count(c.licenses) > 0
}

expression(c) := "" if {
	not c.license_expression
	count(c.licenses) == 0
}

paren(l) := sprintf("(%s)", [l]) if contains(l, " ")

paren(l) := l if not contains(l, " ")

parsed(s) := secgate.spdx_parse(s.expr)

# unknown is true for an empty, NOASSERTION, invalid or LicenseRef licence
# that no allow list entry names verbatim.
unknown(s) if s.expr in {"", "NOASSERTION", "NONE"}

unknown(s) if {
	not s.expr in {"", "NOASSERTION", "NONE"}
	not parsed(s).valid
}

unknown(s) if {
	p := parsed(s)
	p.valid
	some id in p.ids
	startswith(id, "LicenseRef-")
	not id in cfg.allow
}

# denied: no way to satisfy the expression without a denied licence.
deny contains {
	"msg": sprintf("%s is licensed %s, which needs a denied licence (%s)", [s.what, s.expr, concat(", ", sort(hits))]),
	"severity": "high",
	"finding_ids": s.finding_ids,
	"components": [s.label],
	"remediation": sprintf("replace %s, or get legal approval and waive it", [s.what]),
} if {
	some s in subjects
	count(denied_ids) > 0
	not unknown(s)
	p := parsed(s)
	hits := {id | some id in p.ids; id in denied_ids}
	count(hits) > 0
	not secgate.spdx_satisfies(s.expr, [id | some id in p.ids; not id in denied_ids])
}

# not allowed: an allow list is set and the expression cannot be met from it.
deny contains {
	"msg": sprintf("%s is licensed %s, which the allow list (%s) does not cover", [s.what, s.expr, concat(", ", cfg.allow)]),
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

denied(s) if {
	p := parsed(s)
	some id in p.ids
	id in denied_ids
	not secgate.spdx_satisfies(s.expr, [x | some x in p.ids; not x in denied_ids])
}

unknown_msg(s) := sprintf("%s has no licence information", [s.what]) if s.expr in {"", "NOASSERTION", "NONE"}

unknown_msg(s) := sprintf("%s has a licence that is not a known SPDX expression: %s", [s.what, s.expr]) if not s.expr in {"", "NOASSERTION", "NONE"}

deny contains {
	"msg": unknown_msg(s),
	"severity": "medium",
	"finding_ids": s.finding_ids,
	"components": [s.label],
	"remediation": "find the component's licence and record it as an SPDX id, or allow its LicenseRef",
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

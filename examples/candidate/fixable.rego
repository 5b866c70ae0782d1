# METADATA
# title: Fixable vulnerabilities
# description: >-
#   A candidate rule, tried with check --shadow-policy before it is
#   enforced: an open vulnerability of medium severity or worse fails when
#   its report names a version that fixes it.
package org.fixable

deny contains {
	"msg": sprintf("%s (%s) in %s %s is fixed in %s", [f.rule_id, f.severity, f.package.name, f.package.version, concat(", ", f.fixed_versions)]),
	"severity": f.severity,
	"finding_ids": [f.id],
	"remediation": sprintf("upgrade %s to %s", [f.package.name, f.fixed_versions[0]]),
} if {
	some f in input.findings
	f.kind == "vulnerability"
	f.status == "open"
	f.severity in {"critical", "high", "medium"}
	count(f.fixed_versions) > 0
}

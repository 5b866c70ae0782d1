# METADATA
# title: Patched base image
# description: >-
#   A candidate rule, tried with check --shadow-policy (and over past runs
#   with history replay) before it is enforced: an open vulnerability of
#   medium severity or worse in an operating-system package (apk, deb, rpm)
#   fails, whatever the thresholds say: the image is rebuilt on a patched
#   base.
package org.baseimage

os_ecosystems := {"apk", "deb", "rpm"}

deny contains {
	"msg": sprintf("%s (%s) in the base image's %s %s", [f.rule_id, f.severity, f.package.name, f.package.version]),
	"severity": f.severity,
	"finding_ids": [f.id],
	"remediation": "rebuild the image on a patched base",
} if {
	some f in input.findings
	f.kind == "vulnerability"
	f.status == "open"
	f.severity in {"critical", "high", "medium"}
	f.package.ecosystem in os_ecosystems
}

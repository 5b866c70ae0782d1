# METADATA
# title: No cross-site scripting
# description: >-
#   Our front-end guideline: no open cross-site scripting weakness (CWE-79),
#   whatever its severity, in code or in a dependency. A conftest-style
#   policy: package main, deny rules returning messages.
package main

deny contains msg if {
	some f in input.findings
	f.status == "open"
	xss(f)
	msg := sprintf("cross-site scripting (%s) %s", [f.rule_id, where(f)])
}

xss(f) if "CWE-79" in f.cwe

xss(f) if contains(lower(f.title), "cross-site scripting")

where(f) := sprintf("in %s", [trim_space(concat(" ", [f.package.name, f.package.version]))]) if f.package

where(f) := sprintf("at %s:%d", [f.location.path, f.location.start_line]) if {
	not f.package
	f.location
}

where(f) := "" if {
	not f.package
	not f.location
}

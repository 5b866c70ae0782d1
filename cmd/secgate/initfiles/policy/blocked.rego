# METADATA
# title: Blocked vulnerabilities
# description: >-
#   Vulnerabilities this project never ships, whatever severity a report
#   gives them: each is named in blocked below. An example written by
#   secgate init; change the list, or write rules of your own beside it
#   (secgate test policy/ runs their tests).
package main

# The ids blocked: CVE, GHSA, or any id a report gives a vulnerability. A
# finding matches by its rule id or any of its aliases, so a CVE named here
# blocks the GHSA of the same problem too.
blocked := {
	"CVE-2021-44228", # Log4Shell
	"CVE-2021-45046", # Log4Shell, after the first fix
}

# An open finding whose id is blocked fails the gate. A finding an
# exception in secgate.yaml waives is no longer open, and passes.
deny contains msg if {
	some f in input.findings
	f.status == "open"
	named := [id | some id in ids(f); id in blocked]
	count(named) > 0
	msg := sprintf("blocked vulnerability %s in %s", [named[0], subject(f)])
}

ids(f) := array.concat([f.rule_id], object.get(f, "aliases", []))

subject(f) := trim_space(concat(" ", [f.package.name, object.get(f.package, "version", "")])) if f.package

else := f.location.path if f.location

else := "a report"

package main

deny contains msg if {
	some f in input.findings
	f.kind == "license"
	msg := "no licence findings in this report"
}

deny_secrets contains msg if {
	some f in input.findings
	f.kind == "secret"
	msg := sprintf("committed secret %s", [f.rule_id])
}

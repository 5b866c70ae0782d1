package main

deny_secrets contains msg if {
	some f in input.findings
	f.kind == "secret"
	msg := sprintf("committed secret %s", [f.rule_id])
}

exception contains "secrets" if true

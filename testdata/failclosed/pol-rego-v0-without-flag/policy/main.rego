package main

deny[msg] {
	f := input.findings[_]
	f.kind == "secret"
	msg := sprintf("committed secret %s", [f.rule_id])
}

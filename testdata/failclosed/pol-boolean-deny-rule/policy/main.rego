package main

deny_secret if {
	some f in input.findings
	f.kind == "secret"
}

# METADATA
# title: VEX statements
# description: >-
#   Reports each VEX statement that was not applied: one without a product,
#   not_affected without a justification or impact statement, a product in
#   a BOM that is not among the inputs, or a vulnerability found only
#   outside the statement's products (another project's VEX). The statement
#   closes nothing; this says so, as a warning by default (vex.problems).
# custom:
#   severity: medium
#   config: vex
package secgate.vex

cfg := data.secgate.config.vex

problems contains v if {
	some v in input.vex
	object.get(v, "problem", "") != ""
}

msg(v) := sprintf("VEX statement on %s in %s: %s", [v.vulnerability, input.sources[v.source].path, v.problem])

warn contains {
	"msg": msg(v),
	"severity": "medium",
	"remediation": "fix the VEX document, or drop it if it is about another product",
} if {
	cfg.problems == "warn"
	some v in problems
}

deny contains {
	"msg": msg(v),
	"severity": "medium",
	"remediation": "fix the VEX document, or drop it if it is about another product",
} if {
	cfg.problems == "fail"
	some v in problems
}

package secgate.vex_test

import data.secgate.vex

doc := {
	"sources": [{"path": "scan.json"}, {"path": "trivy.openvex.json"}],
	"vex": [
		{"source": 1, "vulnerability": "GO-2024-3321", "status": "not_affected", "findings": [], "problem": "GO-2024-3321 is in 1 finding(s), but none has one of the statement's products as its subject or package: not applied"},
		{"source": 1, "vulnerability": "CVE-2024-1", "status": "not_affected", "findings": ["f1"]},
	],
}

test_problem_warns if {
	res := vex.warn with input as doc with data.secgate.config.vex.problems as "warn"
	count(res) == 1
	some w in res
	startswith(w.msg, "VEX statement on GO-2024-3321 in trivy.openvex.json: GO-2024-3321 is in 1 finding(s)")
	count(vex.deny) == 0 with input as doc with data.secgate.config.vex.problems as "warn"
}

test_problem_fails_when_configured if {
	count(vex.deny) == 1 with input as doc with data.secgate.config.vex.problems as "fail"
	count(vex.warn) == 0 with input as doc with data.secgate.config.vex.problems as "fail"
}

test_problem_ignored_when_configured if {
	count(vex.warn) == 0 with input as doc with data.secgate.config.vex.problems as "ignore"
	count(vex.deny) == 0 with input as doc with data.secgate.config.vex.problems as "ignore"
}

test_applied_statement_is_quiet if {
	d := object.union(doc, {"vex": [doc.vex[1]]})
	count(vex.warn) == 0 with input as d with data.secgate.config.vex.problems as "warn"
}

test_no_vex_list if {
	count(vex.warn) == 0 with input as {"sources": []} with data.secgate.config.vex.problems as "warn"
}

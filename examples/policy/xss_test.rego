package main_test

import data.main

vuln := {"rule_id": "GHSA-1", "status": "open", "cwe": ["CWE-79"], "title": "x", "package": {"name": "highcharts", "version": "7.0.0"}}

test_open_xss_in_a_dependency_fails if {
	main.deny == {"cross-site scripting (GHSA-1) in highcharts 7.0.0"} with input as {"findings": [vuln]}
}

test_xss_found_by_title if {
	f := object.union(vuln, {"cwe": [], "title": "Cross-Site Scripting in jquery"})
	count(main.deny) == 1 with input as {"findings": [f]}
}

test_code_finding_names_its_location if {
	f := {"rule_id": "js/xss", "status": "open", "cwe": ["CWE-79"], "title": "x", "location": {"path": "app.js", "start_line": 7}}
	main.deny == {"cross-site scripting (js/xss) at app.js:7"} with input as {"findings": [f]}
}

test_finding_without_place if {
	f := {"rule_id": "R", "status": "open", "cwe": ["CWE-79"], "title": "x"}
	main.deny == {"cross-site scripting (R) "} with input as {"findings": [f]}
}

test_waived_xss_passes if {
	f := object.union(vuln, {"status": "accepted"})
	count(main.deny) == 0 with input as {"findings": [f]}
}

test_other_weaknesses_pass if {
	f := object.union(vuln, {"cwe": ["CWE-400"], "title": "ReDoS"})
	count(main.deny) == 0 with input as {"findings": [f]}
}

package main_test

import data.main

log4j := {
	"rule_id": "CVE-2021-44228",
	"aliases": ["GHSA-jfh8-c2jp-5v3q"],
	"status": "open",
	"package": {"name": "log4j-core", "version": "2.14.1"},
}

test_blocked_vulnerability_fails if {
	main.deny == {"blocked vulnerability CVE-2021-44228 in log4j-core 2.14.1"} with input as {"findings": [log4j]}
}

test_blocked_by_an_alias if {
	f := object.union(log4j, {"rule_id": "GHSA-jfh8-c2jp-5v3q", "aliases": ["CVE-2021-44228"]})
	main.deny == {"blocked vulnerability CVE-2021-44228 in log4j-core 2.14.1"} with input as {"findings": [f]}
}

test_finding_without_package_names_its_file if {
	f := {"rule_id": "CVE-2021-45046", "status": "open", "location": {"path": "lib/log4j.jar"}}
	main.deny == {"blocked vulnerability CVE-2021-45046 in lib/log4j.jar"} with input as {"findings": [f]}
}

test_waived_finding_passes if {
	f := object.union(log4j, {"status": "accepted"})
	count(main.deny) == 0 with input as {"findings": [f]}
}

test_other_vulnerability_passes if {
	f := object.union(log4j, {"rule_id": "CVE-2019-11358", "aliases": []})
	count(main.deny) == 0 with input as {"findings": [f]}
}

test_no_findings_pass if {
	count(main.deny) == 0 with input as {"findings": []}
}

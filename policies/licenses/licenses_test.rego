package secgate.licenses_test

import data.secgate.licenses

comp(name, expr) := {"name": name, "version": "1.0.0", "purl": sprintf("pkg:npm/%s@1.0.0", [name]), "licenses": [], "license_expression": expr}

comp_ids(name, ids) := {"name": name, "version": "1.0.0", "purl": sprintf("pkg:npm/%s@1.0.0", [name]), "licenses": ids}

allow_mit := {"allow": ["MIT", "Apache-2.0"], "deny": [], "deny_categories": [], "unknown": "warn", "ignore": []}

deny_gpl := {"allow": [], "deny": ["GPL-3.0-only"], "deny_categories": [], "unknown": "warn", "ignore": []}

denied(cs, cfg) := r if {
	r := licenses.deny with input as {"components": cs, "findings": []}
		with data.secgate.config.licenses as cfg
}

warned(cs, cfg) := r if {
	r := licenses.warn with input as {"components": cs, "findings": []}
		with data.secgate.config.licenses as cfg
}

test_or_expression_passes_allow_list if {
	count(denied([comp("a", "MIT OR GPL-3.0-only")], allow_mit)) == 0
}

test_and_expression_needs_both if {
	count(denied([comp("a", "MIT AND Apache-2.0")], allow_mit)) == 0
	res := denied([comp("b", "MIT AND BSD-3-Clause")], allow_mit)
	some v in res
	v.components == ["pkg:npm/b@1.0.0"]
	contains(v.msg, "which the allow list (MIT, Apache-2.0) does not cover")
}

test_with_exception if {
	cfg := object.union(allow_mit, {"allow": ["GPL-2.0-only WITH Classpath-exception-2.0"]})
	count(denied([comp("j", "GPL-2.0-only WITH Classpath-exception-2.0")], cfg)) == 0
	count(denied([comp("g", "GPL-2.0-only")], cfg)) == 1
}

test_deny_list if {
	res := denied([comp("g", "GPL-3.0-only")], deny_gpl)
	some v in res
	v.msg == "pkg:npm/g@1.0.0 is licensed GPL-3.0-only, which needs a denied licence (GPL-3.0-only)"
	count(denied([comp("d", "MIT OR GPL-3.0-only")], deny_gpl)) == 0
	count(denied([comp("e", "MIT AND GPL-3.0-only")], deny_gpl)) == 1
}

test_default_config_denies_agpl if {
	count(licenses.deny) == 1 with input as {"components": [comp("x", "AGPL-3.0-only")], "findings": []}
	count(licenses.deny) == 0 with input as {"components": [comp("x", "MIT")], "findings": []}
}

test_deny_categories if {
	cfg := object.union(deny_gpl, {"deny_categories": ["weak-copyleft"]})
	count(denied([comp("l", "LGPL-2.1-only")], cfg)) == 1
	count(denied([comp("m", "MPL-2.0 OR MIT")], cfg)) == 0
}

test_list_of_licences_means_all if {
	count(denied([comp_ids("p", ["MIT", "Apache-2.0"])], allow_mit)) == 0
	count(denied([comp_ids("q", ["MIT", "ISC"])], allow_mit)) == 1
}

test_unknown_licences_warn_by_default if {
	cs := [comp_ids("n", []), comp("o", "NOASSERTION"), comp_ids("r", ["Apache License 2.0"]), comp("s", "LicenseRef-Custom")]
	count(denied(cs, allow_mit)) == 0
	msgs := {w.msg | some w in warned(cs, allow_mit)}
	msgs == {
		"pkg:npm/n@1.0.0 has no licence information",
		"pkg:npm/o@1.0.0 has no licence information",
		"pkg:npm/r@1.0.0 has a licence that is not a known SPDX expression: (Apache License 2.0)",
		"pkg:npm/s@1.0.0 has a licence that is not a known SPDX expression: LicenseRef-Custom",
	}
}

test_unknown_fail_and_ignore if {
	cs := [comp_ids("n", [])]
	count(denied(cs, object.union(allow_mit, {"unknown": "fail"}))) == 1
	count(warned(cs, object.union(allow_mit, {"unknown": "ignore"}))) == 0
	count(denied(cs, object.union(allow_mit, {"unknown": "ignore"}))) == 0
}

test_allowed_licence_ref if {
	cfg := object.union(allow_mit, {"allow": ["MIT", "LicenseRef-Custom"]})
	cs := [comp("s", "LicenseRef-Custom")]
	count(denied(cs, cfg)) == 0
	count(warned(cs, cfg)) == 0
}

test_ignore_patterns if {
	cfg := object.union(deny_gpl, {"ignore": ["pkg:npm/internal-*"]})
	count(denied([comp("internal-tool", "GPL-3.0-only")], cfg)) == 0
}

test_component_without_purl_named if {
	c := {"name": "libx", "version": "2.0", "licenses": ["GPL-3.0-only"]}
	res := denied([c], deny_gpl)
	some v in res
	v.components == ["libx@2.0"]
}

test_licence_findings_of_scanners if {
	f := {"id": "L1", "kind": "license", "rule_id": "GPL-3.0-only", "status": "open", "package": {"name": "bash", "version": "5"}}
	res := licenses.deny with input as {"components": [], "findings": [f]}
		with data.secgate.config.licenses as deny_gpl
	some v in res
	v.finding_ids == ["L1"]
	v.components == ["bash"]
}

test_manifests_are_not_judged if {
	lock := {"name": "package-lock.json", "type": "application", "version": "", "licenses": []}
	count(warned([lock], allow_mit)) == 0
	app := object.union(lock, {"purl": "pkg:npm/app@1.0.0"})
	count(warned([app], allow_mit)) == 1
}

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
		"pkg:npm/r@1.0.0 has a licence that is not a known SPDX expression: Apache License 2.0",
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

# A purl without version skips the package at every version, and only it.
test_ignore_purl_without_version if {
	cfg := object.union(deny_gpl, {"ignore": ["pkg:npm/internal-tool"]})
	count(denied([comp("internal-tool", "GPL-3.0-only")], cfg)) == 0
	count(denied([comp("internal-tool-evil", "GPL-3.0-only")], cfg)) == 1
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

defaults := data.secgate.config.licenses

msgs(res) := {v.msg | some v in res}

test_gpl3_deprecated_default_deny if {
	res := denied([comp("bash", "GPL-3.0")], defaults)
	msgs(res) == {"pkg:npm/bash@1.0.0 is licensed GPL-3.0 (read as GPL-3.0-only), which needs a denied licence (GPL-3.0-only)"}
	count(denied([comp_ids("sed", ["GPL-3.0"])], defaults)) == 1
	count(denied([comp("grep", "gpl-3.0+")], defaults)) == 1
}

test_gpl2_strong_copyleft if {
	cfg := object.union(defaults, {"deny_categories": ["strong-copyleft"]})
	res := denied([comp("apt", "GPL-2.0")], cfg)
	msgs(res) == {"pkg:npm/apt@1.0.0 is licensed GPL-2.0 (read as GPL-2.0-only), which needs a denied licence (GPL-2.0-only in denied category strong-copyleft)"}
}

test_gpl2plus_or_later if {
	cfg := object.union(deny_gpl, {"deny": ["GPL-2.0-or-later"]})
	res := denied([comp("libx", "GPL-2.0+")], cfg)
	msgs(res) == {"pkg:npm/libx@1.0.0 is licensed GPL-2.0+ (read as GPL-2.0-or-later), which needs a denied licence (GPL-2.0-or-later)"}
	count(denied([comp("liby", "GPL-2.0+")], object.union(deny_gpl, {"deny_categories": ["strong-copyleft"]}))) == 1
}

test_agpl3_deprecated if {
	count(denied([comp("srv", "AGPL-3.0")], defaults)) == 1
	res := denied([comp("srv", "AGPL-3.0")], object.union(deny_gpl, {"deny_categories": ["network-copyleft", "strong-copyleft"]}))
	msgs(res) == {"pkg:npm/srv@1.0.0 is licensed AGPL-3.0 (read as AGPL-3.0-only), which needs a denied licence (AGPL-3.0-only in denied category network-copyleft, strong-copyleft)"}
}

test_lgpl21_weak_copyleft if {
	cfg := object.union(deny_gpl, {"deny_categories": ["weak-copyleft"]})
	count(denied([comp("l", "LGPL-2.1")], cfg)) == 1
	count(denied([comp("m", "LGPL-2.1+")], cfg)) == 1
	count(denied([comp_ids("n", ["LGPL-2.0", "MIT"])], cfg)) == 1
	count(denied([comp("o", "LGPL-2.1 OR MIT")], cfg)) == 0
}

test_gfdl13_deprecated if {
	cfg := object.union(deny_gpl, {"deny": ["GFDL-1.3-only", "GFDL-1.3-or-later"]})
	count(denied([comp("doc", "GFDL-1.3")], cfg)) == 1
	count(denied([comp("doc2", "GFDL-1.3+")], cfg)) == 1
}

test_deprecated_ids_in_the_deny_list if {
	cfg := object.union(deny_gpl, {"deny": ["GPL-2.0", "LGPL-2.1+"]})
	count(denied([comp("a", "GPL-2.0-only")], cfg)) == 1
	count(denied([comp("b", "GPL-2.0")], cfg)) == 1
	count(denied([comp("c", "LGPL-2.1-or-later")], cfg)) == 1
	count(denied([comp("d", "GPL-2.0-or-later")], cfg)) == 0
}

test_deprecated_ids_in_the_allow_list if {
	cfg := object.union(allow_mit, {"allow": ["MIT", "GPL-2.0-with-classpath-exception"]})
	count(denied([comp("j", "GPL-2.0-only WITH Classpath-exception-2.0")], cfg)) == 0
	count(denied([comp("k", "GPL-2.0-with-classpath-exception")], cfg)) == 0
	count(denied([comp("g", "GPL-2.0")], cfg)) == 1
}

test_deprecated_id_with_exception_is_strong_copyleft if {
	cfg := object.union(deny_gpl, {"deny_categories": ["strong-copyleft"]})
	count(denied([comp("j", "GPL-2.0-with-classpath-exception")], cfg)) == 1
}

test_denied_licence_or_one_with_exception if {
	cfg := object.union(deny_gpl, {"deny": ["MIT"]})
	count(denied([comp("j", "MIT OR GPL-2.0-only WITH Classpath-exception-2.0")], cfg)) == 0
	count(denied([comp("k", "MIT AND GPL-2.0-only WITH Classpath-exception-2.0")], cfg)) == 1
}

test_deprecated_id_beside_a_name_is_unknown if {
	res := warned([comp_ids("base-passwd", ["GPL-2.0", "public-domain"])], defaults)
	msgs(res) == {"pkg:npm/base-passwd@1.0.0 has a licence that is not a known SPDX expression: GPL-2.0 AND public-domain (read as GPL-2.0-only AND public-domain)"}
}

test_alias_mit_x11 if {
	cs := [comp_ids("xlib", ["MIT/X11"])]
	count(warned(cs, allow_mit)) == 1
	cfg := object.union(allow_mit, {"aliases": {"MIT/X11": "MIT"}})
	count(denied(cs, cfg)) == 0
	count(warned(cs, cfg)) == 0
}

test_alias_to_a_denied_licence if {
	cfg := object.union(defaults, {"aliases": {"GPL v3": "GPL-3.0"}})
	res := denied([comp_ids("tool", ["GPL v3", "MIT"])], cfg)
	msgs(res) == {"pkg:npm/tool@1.0.0 is licensed (GPL v3) AND MIT (read as GPL-3.0-only AND MIT), which needs a denied licence (GPL-3.0-only)"}
}

test_aliases_null_or_missing if {
	cs := [comp("a", "GPL-3.0-only")]
	count(denied(cs, object.union(defaults, {"aliases": null}))) == 1
	count(denied(cs, object.remove(defaults, ["aliases"]))) == 1
}

test_allow_name_as_written if {
	cfg := object.union(allow_mit, {"allow": ["MIT/X11", "MIT"]})
	count(denied([comp_ids("xlib", ["MIT/X11"])], cfg)) == 0
	count(warned([comp_ids("xlib", ["MIT/X11"])], cfg)) == 0
	count(denied([comp_ids("both", ["MIT/X11", "MIT"])], cfg)) == 0
	count(denied([comp_ids("isc", ["MIT/X11", "ISC"])], cfg)) == 1
	count(warned([comp_ids("lower", ["mit/x11"])], cfg)) == 1
}

test_deny_name_as_written if {
	cfg := object.union(deny_gpl, {"deny": ["Commercial EULA"]})
	res := denied([comp_ids("blob", ["Commercial EULA"])], cfg)
	msgs(res) == {"pkg:npm/blob@1.0.0 is licensed Commercial EULA, which needs a denied licence (Commercial EULA)"}
	count(warned([comp_ids("blob", ["Commercial EULA"])], cfg)) == 0
	count(denied([comp_ids("blob2", ["Commercial EULA", "MIT"])], object.union(cfg, {"allow": ["MIT"]}))) == 1
	count(denied([comp("dual", "MIT OR (Commercial EULA)")], cfg)) == 0
}

test_scanned_subject_not_judged if {
	app := comp("app", "GPL-3.0-only")
	lib := comp("lib", "GPL-3.0-only")
	by_purl := {"sources": [{"subject": {"name": "app", "version": "1.0.0", "purl": "pkg:npm/app@1.0.0"}}], "components": [app, lib], "findings": []}
	res := licenses.deny with input as by_purl with data.secgate.config.licenses as deny_gpl
	{v.components[0] | some v in res} == {"pkg:npm/lib@1.0.0"}

	by_name := {"sources": [{"subject": {"name": "app", "version": "1.0.0"}}], "components": [app, lib], "findings": []}
	count(licenses.deny) == 1 with input as by_name with data.secgate.config.licenses as deny_gpl
}

test_scanned_subject_must_match if {
	app := comp("app", "GPL-3.0-only")
	other_purl := {"sources": [{"subject": {"name": "app", "version": "1.0.0", "purl": "pkg:golang/app@1.0.0"}}], "components": [app], "findings": []}
	count(licenses.deny) == 1 with input as other_purl with data.secgate.config.licenses as deny_gpl
	other_version := {"sources": [{"subject": {"name": "app", "version": "2.0.0"}}], "components": [app], "findings": []}
	count(licenses.deny) == 1 with input as other_version with data.secgate.config.licenses as deny_gpl
	no_name := {"sources": [{"subject": {"name": "", "version": ""}}, {"path": "x.json"}], "components": [object.remove(app, ["purl"])], "findings": []}
	count(licenses.deny) == 1 with input as no_name with data.secgate.config.licenses as deny_gpl
}

test_licence_findings_with_deprecated_ids if {
	f := {"id": "L2", "kind": "license", "rule_id": "GPL-2.0", "status": "open", "package": {"name": "alpine-baselayout"}}
	res := licenses.deny with input as {"components": [], "findings": [f]}
		with data.secgate.config.licenses as object.union(deny_gpl, {"deny_categories": ["strong-copyleft"]})
	msgs(res) == {"alpine-baselayout is licensed GPL-2.0 (read as GPL-2.0-only), which needs a denied licence (GPL-2.0-only in denied category strong-copyleft)"}
}

# An unreadable part of an AND does not lift the deny list: the expression
# cannot be met without the denied licence whatever that part is. Beside
# an OR, the unreadable part might be what is chosen: unknown, not denied.
test_denied_and_unknown_part_is_denied if {
	cfg := object.union(deny_gpl, {"deny": ["GPL-3.0-only", "AGPL-3.0-only"]})
	every expr in ["GPL-3.0-only AND LicenseRef-x", "GPL-3.0-only AND MIT/X11", "LicenseRef-x AND (GPL-3.0-only OR AGPL-3.0-only)"] {
		res := denied([comp("g", expr)], cfg)
		count(res) == 1
		every v in res {
			contains(v.msg, "which needs a denied licence")
		}
	}
}

test_denied_or_unknown_part_only_warns if {
	count(denied([comp("g", "GPL-3.0-only OR LicenseRef-x")], deny_gpl)) == 0
	count(warned([comp("g", "GPL-3.0-only OR LicenseRef-x")], deny_gpl)) == 1
}

# With only_new and a baseline: a component added or whose licence changed
# is judged, one the baseline had with the same licence is not, whatever
# its version; a licence finding only when new.
only_new_input := {
	"components": [
		object.union(comp("added", "GPL-3.0-only"), {"new": true, "change": "added"}),
		object.union(comp("relicensed", "GPL-3.0-only"), {"new": false, "change": "upgraded", "license_changed": true, "previous_licenses": ["MIT"]}),
		object.union(comp("upgraded", "GPL-3.0-only"), {"new": false, "change": "upgraded"}),
		object.union(comp("kept", "GPL-3.0-only"), {"new": false, "change": "unchanged"}),
	],
	"findings": [
		{"id": "L1", "kind": "license", "rule_id": "GPL-3.0-only", "status": "open", "new": false, "package": {"name": "old-bash", "version": "5"}},
		{"id": "L2", "kind": "license", "rule_id": "GPL-3.0-only", "status": "open", "new": true, "package": {"name": "new-bash", "version": "5"}},
	],
}

judged_names(res) := {n | some v in res; some n in v.components}

test_only_new_judges_added_and_relicensed if {
	res := licenses.deny with input as only_new_input
		with data.secgate.config.licenses as object.union(deny_gpl, {"only_new": true})
	judged_names(res) == {"pkg:npm/added@1.0.0", "pkg:npm/relicensed@1.0.0", "new-bash"}
}

test_only_new_inherits_the_top_level if {
	res := licenses.deny with input as only_new_input
		with data.secgate.config.licenses as object.union(deny_gpl, {"only_new": null})
		with data.secgate.config.only_new as true
	judged_names(res) == {"pkg:npm/added@1.0.0", "pkg:npm/relicensed@1.0.0", "new-bash"}
}

test_only_new_false_overrides_the_top_level if {
	res := licenses.deny with input as only_new_input
		with data.secgate.config.licenses as object.union(deny_gpl, {"only_new": false})
		with data.secgate.config.only_new as true
	count(judged_names(res)) == 6
}

# Without a baseline nothing is marked new or old: only_new judges all.
test_only_new_without_baseline_judges_everything if {
	res := licenses.deny with input as {"components": [comp("a", "GPL-3.0-only")], "findings": [{"id": "L1", "kind": "license", "rule_id": "GPL-3.0-only", "status": "open", "package": {"name": "bash", "version": "5"}}]}
		with data.secgate.config.licenses as object.union(deny_gpl, {"only_new": true})
	judged_names(res) == {"pkg:npm/a@1.0.0", "bash"}
}

package secgate.lib_test

import data.secgate.lib

test_severity_order if {
	lib.at_or_above("critical", "high")
	lib.at_or_above("high", "high")
	not lib.at_or_above("medium", "high")
	not lib.at_or_above("critical", "none")
	lib.at_or_above("unknown", "unknown")
}

test_is_new if {
	lib.is_new({"new": true})
	lib.is_new({})
	not lib.is_new({"new": false})
}

test_expired if {
	lib.expired({"expires": "2026-05-31"}) with time.now_ns as time.parse_rfc3339_ns("2026-06-01T00:00:00Z")
	not lib.expired({"expires": "2026-06-01"}) with time.now_ns as time.parse_rfc3339_ns("2026-06-01T23:59:59Z")
	lib.expired({}) with time.now_ns as time.parse_rfc3339_ns("2026-06-01T00:00:00Z")
}

test_label if {
	lib.label({"name": "a", "version": "1", "purl": "pkg:npm/a@1"}) == "pkg:npm/a@1"
	lib.label({"name": "a", "version": "1"}) == "a@1"
	lib.label({"name": "a", "version": ""}) == "a"
}

test_component_matches_group if {
	lib.component_matches("org.apache/*", {"name": "log4j", "group": "org.apache"})
	not lib.component_matches("org.apache/*", {"name": "log4j"})
}

test_matches_needs_strings if {
	not lib.matches(1, "a")
	lib.matches("a*", "abc")
}

test_open_of_kind if {
	fs := [
		{"kind": "secret", "status": "open"},
		{"kind": "secret", "status": "fixed"},
		{"kind": "code", "status": "open"},
	]
	count(lib.open_of_kind("secret")) == 1 with input as {"findings": fs}
	count(lib.open_of_kind("license")) == 0 with input as {"findings": fs}
}

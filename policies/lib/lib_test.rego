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

# Days are counted by the document's time, in UTC: an entry's last day is
# day 0, whatever the hour.
test_days_left if {
	lib.days_left({"expires": "2026-06-06"}) == 5 with time.now_ns as time.parse_rfc3339_ns("2026-06-01T00:00:00Z")
	lib.days_left({"expires": "2026-06-06"}) == 5 with time.now_ns as time.parse_rfc3339_ns("2026-06-01T23:59:59Z")
	lib.days_left({"expires": "2026-06-01"}) == 0 with time.now_ns as time.parse_rfc3339_ns("2026-06-01T23:59:59Z")
	not lib.days_left({"expires": "2026-05-31"}) with time.now_ns as time.parse_rfc3339_ns("2026-06-01T00:00:00Z")
}

test_expiring_within_warn_days if {
	at := time.parse_rfc3339_ns("2026-06-01T12:00:00Z")
	lib.expiring({"expires": "2026-06-15"}) with time.now_ns as at
	not lib.expiring({"expires": "2026-06-16"}) with time.now_ns as at
	lib.expiring({"expires": "2026-06-01"}) with time.now_ns as at
	lib.expiring({"expires": "2026-06-02"}) with time.now_ns as at with data.secgate.config.exceptions_warn_days as 1
	not lib.expiring({"expires": "2026-06-01"}) with time.now_ns as at with data.secgate.config.exceptions_warn_days as 0
}

# However wide the window, an expired entry is not expiring: it no longer
# applies.
test_expired_is_never_expiring if {
	not lib.expiring({"expires": "2026-05-31"}) with time.now_ns as time.parse_rfc3339_ns("2026-06-01T00:00:00Z")
		with data.secgate.config.exceptions_warn_days as 36500
	not lib.expiring({"expires": "2026-05-31"}) with time.now_ns as time.parse_rfc3339_ns("2026-06-01T00:00:00Z")
		with data.secgate.config.exceptions_warn_days as 100000
	not lib.expiring({"expires": "soon"}) with time.now_ns as time.parse_rfc3339_ns("2026-06-01T00:00:00Z")
}

test_expires_in if {
	at := time.parse_rfc3339_ns("2026-06-01T08:00:00Z")
	lib.expires_in({"expires": "2026-06-01"}) == "today (2026-06-01)" with time.now_ns as at
	lib.expires_in({"expires": "2026-06-02"}) == "in 1 day (2026-06-02)" with time.now_ns as at
	lib.expires_in({"expires": "2026-06-06"}) == "in 5 days (2026-06-06)" with time.now_ns as at
}

test_ownership if {
	lib.ownership({"owner": "alice", "ticket": "SEC-12"}) == ": owner alice, ticket SEC-12"
	lib.ownership({"ticket": "SEC-12"}) == ": ticket SEC-12"
	lib.ownership({"owner": "alice"}) == ": owner alice"
	lib.ownership({}) == ""
	lib.ownership({"owner": 12}) == ""
	lib.owned_by({"owner": "alice", "ticket": "SEC-12"}) == " (owner alice, ticket SEC-12)"
	lib.owned_by({}) == ""
}

test_unused_fails if {
	not lib.unused_fails
	lib.unused_fails with data.secgate.config.exceptions_unused as "fail"
	not lib.unused_fails with data.secgate.config.exceptions_unused as "warn"
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

test_purl_without_version_matches_every_version if {
	lib.purl_matches("pkg:npm/express", "pkg:npm/express@4.21.0")
	lib.purl_matches("pkg:npm/express", "pkg:npm/express@4.21.0?foo=bar")
	lib.purl_matches("pkg:npm/express", "pkg:npm/express@4.21.0#lib/x")
	lib.purl_matches("pkg:npm/express", "pkg:npm/express")
	lib.purl_matches("pkg:golang/github.com/gin-gonic/gin", "pkg:golang/github.com/gin-gonic/gin@v1.9.1")
}

test_purl_with_version_matches_as_written if {
	lib.purl_matches("pkg:npm/express@4.21.0", "pkg:npm/express@4.21.0")
	not lib.purl_matches("pkg:npm/express@4.21.0", "pkg:npm/express@4.21.0?foo=bar")
	not lib.purl_matches("pkg:npm/@babel/core@7.0.0", "pkg:npm/%40babel/core@7.0.0")
	lib.purl_matches("pkg:npm/express@4.*", "pkg:npm/express@4.21.0")
	not lib.purl_matches("pkg:npm/express@4.21.0", "pkg:npm/express@4.21.1")
	not lib.purl_matches("pkg:npm/express@5.*", "pkg:npm/express@4.21.0")
}

test_npm_scope_escaped_or_not if {
	lib.purl_matches("pkg:npm/@babel/core", "pkg:npm/%40babel/core@7.0.0")
	lib.purl_matches("pkg:npm/%40babel/core", "pkg:npm/%40babel/core@7.0.0")
	lib.purl_matches("pkg:npm/@babel/core", "pkg:npm/@babel/core@7.0.0")
	lib.purl_matches("pkg:npm/%40babel/core", "pkg:npm/@babel/core@7.0.0")
	not lib.purl_matches("pkg:npm/@babel/core", "pkg:npm/%40babel/core-js@7.0.0")
	not lib.purl_matches("pkg:npm/@babel", "pkg:npm/%40babel/core@7.0.0")
}

# A pattern without version names one package, never another whose name
# it begins, nor one whose name hides an escaped @.
test_purl_without_version_does_not_over_match if {
	not lib.purl_matches("pkg:npm/express", "pkg:npm/express-session@1.0.0")
	not lib.purl_matches("pkg:npm/a", "pkg:npm/a-evil@1.0.0")
	not lib.purl_matches("pkg:npm/a", "pkg:npm/a%40evil@1.0.0")
	not lib.purl_matches("pkg:npm/a", "pkg:npm/a%40evil")
	not lib.purl_matches("pkg:npm/a", "pkg:pypi/a@1.0.0")
	not lib.purl_matches("pkg:npm/a", "pkg:npm/b@1.0.0?x=pkg:npm/a")
	not lib.purl_matches("pkg:npm/a", "pkg:npm/evil/a@1.0.0")
	not lib.purl_matches("a", "pkg:npm/a@1.0.0")
	not lib.purl_matches("pkg:npm/a", 7)
}

test_purl_wildcards if {
	lib.purl_matches("pkg:npm/*", "pkg:npm/a-evil@1.0.0")
	lib.purl_matches("pkg:npm/a*", "pkg:npm/a-evil@1.0.0")
	not lib.purl_matches("pkg:npm/*", "pkg:pypi/a@1.0.0")
}

test_component_matches_purl_without_version if {
	lib.component_matches("pkg:npm/left-pad", {"name": "left-pad", "purl": "pkg:npm/left-pad@1.3.0"})
	not lib.component_matches("pkg:npm/left", {"name": "left-pad", "purl": "pkg:npm/left-pad@1.3.0"})
	lib.component_matches("left-pad", {"name": "left-pad", "purl": "pkg:npm/left-pad@1.3.0"})
}

test_only_new if {
	lib.only_new({"only_new": true}) with data.secgate.config.only_new as false
	not lib.only_new({"only_new": false}) with data.secgate.config.only_new as true
	lib.only_new({"only_new": null}) with data.secgate.config.only_new as true
	lib.only_new({}) with data.secgate.config.only_new as true
	not lib.only_new({"only_new": null}) with data.secgate.config.only_new as false
	not lib.only_new({}) with data.secgate.config.only_new as null
}

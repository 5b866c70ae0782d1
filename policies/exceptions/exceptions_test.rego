package secgate.exceptions_test

import data.secgate.exceptions

findings := [
	{"id": "f1", "kind": "vulnerability", "rule_id": "GHSA-35jh-r3h4-6jhm", "aliases": ["CVE-2021-23337"], "status": "open", "package": {"name": "lodash", "version": "4.17.20", "purl": "pkg:npm/lodash@4.17.20"}},
	{"id": "f2", "kind": "code", "rule_id": "go/sql-injection", "aliases": [], "status": "open"},
	{"id": "f3", "kind": "vulnerability", "rule_id": "CVE-2022-1", "aliases": [], "status": "open", "package": {"name": "openssl", "version": "1.1", "purl": "pkg:deb/debian/openssl@1.1"}},
	{"id": "f4", "kind": "vulnerability", "rule_id": "CVE-2021-23337", "aliases": [], "status": "not_affected"},
]

# Evaluation time is pinned by the tests: 2026-06-01.
now := time.parse_rfc3339_ns("2026-06-01T00:00:00Z")

ids(waivers) := {a.finding_id |
	some a in exceptions.applied with input as {"findings": findings}
		with data.secgate.config.exceptions as waivers
		with time.now_ns as now
}

test_by_alias if {
	ids([{"id": "CVE-2021-23337", "reason": "not reachable", "expires": "2027-01-31"}]) == {"f1"}
}

test_by_finding_id if {
	ids([{"id": "f2", "reason": "test code", "expires": "2026-06-01"}]) == {"f2"}
}

test_by_rule if {
	ids([{"rule": "go/sql-injection", "reason": "parameterised upstream", "expires": "2027-01-01"}]) == {"f2"}
	ids([{"rule": "CVE-2021-23337", "reason": "alias", "expires": "2027-01-01"}]) == {"f1"}
}

test_by_purl_pattern if {
	ids([{"purl": "pkg:deb/debian/*", "reason": "base image, tracked upstream", "expires": "2027-01-01"}]) == {"f3"}
}

# A purl without version waives the package's findings at every version,
# and no package whose name it only begins.
test_by_purl_without_version if {
	ids([{"purl": "pkg:npm/lodash", "reason": "r", "expires": "2027-01-01"}]) == {"f1"}
	ids([{"purl": "pkg:deb/debian/openssl", "reason": "r", "expires": "2027-01-01"}]) == {"f3"}
	ids([{"purl": "pkg:npm/lodash@4.17.20", "reason": "r", "expires": "2027-01-01"}]) == {"f1"}
	ids([{"purl": "pkg:npm/lodash@4.17.21", "reason": "r", "expires": "2027-01-01"}]) == set()
	ids([{"purl": "pkg:npm/loda", "reason": "r", "expires": "2027-01-01"}]) == set()
	ids([{"purl": "pkg:deb/debian/open", "reason": "r", "expires": "2027-01-01"}]) == set()
}

test_expired_does_not_apply_and_warns if {
	w := [{"id": "CVE-2021-23337", "reason": "old", "expires": "2026-05-31"}]
	ids(w) == set()
	res := exceptions.warn with input as {"findings": findings}
		with data.secgate.config.exceptions as w
		with time.now_ns as now
	some m in res
	m.msg == "exception for CVE-2021-23337 expired on 2026-05-31 and no longer applies"

	# It names the open findings it waived (not f4, not_affected), for
	# their tickets.
	m.finding_ids == ["f1"]
}

test_valid_through_its_last_day if {
	ids([{"id": "f2", "reason": "r", "expires": "2026-06-01"}]) == {"f2"}
	ids([{"id": "f2", "reason": "r", "expires": "2026-05-31"}]) == set()
}

test_without_reason_or_expiry_ignored if {
	w := [{"rule": "go/sql-injection"}, {"purl": "pkg:npm/*", "reason": "x"}, {"reason": "nothing", "expires": "2027-01-01"}]
	ids(w) == set()
	res := exceptions.warn with input as {"findings": findings}
		with data.secgate.config.exceptions as w
		with time.now_ns as now
	msgs := {m.msg | some m in res}
	"exception for rule go/sql-injection is ignored: it needs a reason and an expires date (YYYY-MM-DD)" in msgs
	"exception for purl pkg:npm/* is ignored: it needs a reason and an expires date (YYYY-MM-DD)" in msgs
}

test_nothing_named_never_matches_and_warns if {
	w := [{"reason": "nothing", "expires": "2027-01-01"}]
	ids(w) == set()
	res := exceptions.warn with input as {"findings": findings}
		with data.secgate.config.exceptions as w
		with time.now_ns as now
	{m.msg | some m in res} == {"exception for (nothing: give id, rule or purl) matches no finding by design: give id, rule or purl"}
}

test_no_exceptions_configured if {
	ids([]) == set()
	count(exceptions.warn) == 0 with input as {"findings": findings} with data.secgate.config.exceptions as []
}

warnings(waivers, fs) := {m.msg | some m in res} if {
	res := exceptions.warn with input as {"findings": fs}
		with data.secgate.config.exceptions as waivers
		with time.now_ns as now
}

unused_msg(what) := sprintf("exception for %s matches no open finding and is unused: remove it, or correct what it names", [what])

test_unused_exception_warns if {
	w := [
		{"id": "CVE-2099-1", "reason": "typo in the id", "expires": "2027-01-01"},
		{"rule": "go/no-such-rule", "reason": "r", "expires": "2027-01-01"},
		{"purl": "pkg:pypi/*", "reason": "r", "expires": "2027-01-01"},
	]
	ids(w) == set()
	warnings(w, findings) == {unused_msg("CVE-2099-1"), unused_msg("rule go/no-such-rule"), unused_msg("purl pkg:pypi/*")}
}

test_unused_exception_names_the_waiver if {
	w := {"id": "CVE-2099-1", "reason": "r", "expires": "2027-01-01"}
	res := exceptions.warn with input as {"findings": findings}
		with data.secgate.config.exceptions as [w]
		with time.now_ns as now
	some m in res
	m.exception == w
}

test_used_exception_does_not_warn if {
	w := [{"id": "CVE-2021-23337", "reason": "not reachable", "expires": "2027-01-31"}]
	warnings(w, findings) == set()
}

# The other policies see the findings after the waivers are applied: the
# one a waiver accepted is no longer open, and the waiver is still used.
test_used_once_applied if {
	accepted := array.concat(
		[object.union(findings[0], {"status": "accepted", "status_reason": {"by": "exception"}})],
		array.slice(findings, 1, count(findings)),
	)
	w := [{"id": "CVE-2021-23337", "reason": "not reachable", "expires": "2027-01-31"}]
	warnings(w, accepted) == set()
}

# A finding already not affected (VEX) or accepted by the tool's own
# suppression needs no waiver: the waiver is unused.
test_waiver_of_a_closed_finding_is_unused if {
	suppressed := array.concat(findings, [{"id": "f5", "kind": "code", "rule_id": "x", "aliases": [], "status": "accepted", "status_reason": {"by": "sarif-suppression"}}])
	warnings([{"id": "f4", "reason": "r", "expires": "2027-01-01"}], suppressed) == {unused_msg("f4")}
	warnings([{"id": "f5", "reason": "r", "expires": "2027-01-01"}], suppressed) == {unused_msg("f5")}
}

test_expired_waiver_is_expired_not_unused if {
	warnings([{"id": "CVE-2099-1", "reason": "r", "expires": "2026-01-01"}], findings) == {"exception for CVE-2099-1 expired on 2026-01-01 and no longer applies"}
}

# exceptions_warn_days (14 by default) before its last day, a waiver in
# force warns, naming who answers for it.
test_expiring_exception_warns_with_owner_and_ticket if {
	w := [{"id": "CVE-2021-23337", "reason": "not reachable", "expires": "2026-06-06", "owner": "alice", "ticket": "SEC-12"}]
	ids(w) == {"f1"}
	warnings(w, findings) == {"exception for CVE-2021-23337 expires in 5 days (2026-06-06): owner alice, ticket SEC-12"}
}

test_expiring_on_its_last_day if {
	w := [{"rule": "go/sql-injection", "reason": "r", "expires": "2026-06-01"}]
	warnings(w, findings) == {"exception for rule go/sql-injection expires today (2026-06-01)"}
}

test_not_expiring_beyond_warn_days if {
	warnings([{"id": "CVE-2021-23337", "reason": "r", "expires": "2026-06-16"}], findings) == set()
	warnings([{"id": "CVE-2021-23337", "reason": "r", "expires": "2026-06-15"}], findings) == {"exception for CVE-2021-23337 expires in 14 days (2026-06-15)"}
}

test_warn_days_zero_turns_the_warning_off if {
	w := [{"id": "CVE-2021-23337", "reason": "r", "expires": "2026-06-01"}]
	res := exceptions.warn with input as {"findings": findings}
		with data.secgate.config.exceptions as w
		with data.secgate.config.exceptions_warn_days as 0
		with time.now_ns as now
	count(res) == 0
}

# A window however wide makes no expired waiver apply again: it stays
# expired, and says so.
test_wide_window_does_not_revive_an_expired_waiver if {
	w := [{"id": "CVE-2021-23337", "reason": "r", "expires": "2026-05-31", "owner": "alice"}]
	ids(w) == set() with data.secgate.config.exceptions_warn_days as 36500
	res := exceptions.warn with input as {"findings": findings}
		with data.secgate.config.exceptions as w
		with data.secgate.config.exceptions_warn_days as 36500
		with time.now_ns as now
	{m.msg | some m in res} == {"exception for CVE-2021-23337 (owner alice) expired on 2026-05-31 and no longer applies"}
}

test_unused_names_owner_and_ticket if {
	warnings([{"id": "CVE-2099-1", "reason": "r", "expires": "2027-01-01", "owner": "team-a", "ticket": "SEC-9"}], findings) == {unused_msg("CVE-2099-1 (owner team-a, ticket SEC-9)")}
}

# exceptions_unused: fail turns the unused warning into a violation; a
# used waiver still passes.
test_unused_fails_when_asked if {
	w := [
		{"id": "CVE-2099-1", "reason": "r", "expires": "2027-01-01"},
		{"id": "CVE-2021-23337", "reason": "r", "expires": "2027-01-01"},
	]
	denied := exceptions.deny with input as {"findings": findings}
		with data.secgate.config.exceptions as w
		with data.secgate.config.exceptions_unused as "fail"
		with time.now_ns as now
	{m.msg | some m in denied} == {unused_msg("CVE-2099-1")}
	some m in denied
	m.severity == "medium"
	warned := exceptions.warn with input as {"findings": findings}
		with data.secgate.config.exceptions as w
		with data.secgate.config.exceptions_unused as "fail"
		with time.now_ns as now
	count(warned) == 0
}

test_unused_warns_by_default if {
	count(exceptions.deny) == 0 with input as {"findings": findings}
		with data.secgate.config.exceptions as [{"id": "CVE-2099-1", "reason": "r", "expires": "2027-01-01"}]
		with time.now_ns as now
}

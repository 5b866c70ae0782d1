# METADATA
# title: secgate library
# description: Helpers shared by the built-in policies.
package secgate.lib

# severity_rank orders severities; "none" ranks above critical so that a
# threshold of none is never reached.
severity_rank := {
	"none": 6,
	"critical": 5,
	"high": 4,
	"medium": 3,
	"low": 2,
	"info": 1,
	"unknown": 0,
}

# at_or_above is true when severity s reaches threshold t.
at_or_above(s, t) if severity_rank[s] >= severity_rank[t]

# open_findings are the findings that count: not fixed, not_affected or accepted.
open_findings := object.get(secgate.group_by(input.findings, "status"), "open", [])

# open_by_kind groups the open findings by kind in one pass, so a policy
# about one kind (secrets, licences) need not walk them all.
open_by_kind := secgate.group_by(open_findings, "kind")

# open_of_kind are the open findings of one kind. (A reference, not
# object.get: a key that might be a path would read the findings by
# computed keys, which keeps the input from being projected.)
open_of_kind(kind) := found if {
	found := open_by_kind[kind]
} else := []

# is_new is false only for a finding or component that a baseline already had.
is_new(x) if not x.new == false

# only_new says whether a policy judges only what is new: its section's
# only_new, or, when that is null or absent, the top-level only_new. It
# narrows nothing without a baseline, where nothing is marked not new.
only_new(section) if section.only_new == true

only_new(section) if {
	not says_only_new(section)
	data.secgate.config.only_new == true
}

says_only_new(section) if is_boolean(section.only_new)

# expired is true for an entry whose expires date (YYYY-MM-DD, valid through
# that day) has passed, or that has none or an unreadable one.
expired(entry) if not valid_until(entry)

valid_until(entry) if {
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, entry.expires)
	end := time.parse_ns("2006-01-02", entry.expires) + (((24 * 60) * 60) * 1000000000)
	time.now_ns() < end
}

# day_ns is one day in nanoseconds.
day_ns := ((24 * 60) * 60) * 1000000000

# days_left is how many days an entry in force has after today (by the
# document's time, in UTC): 0 on its last day. Undefined for an expired
# entry.
days_left(entry) := n if {
	valid_until(entry)
	now := time.now_ns()
	n := (time.parse_ns("2006-01-02", entry.expires) - (now - (now % day_ns))) / day_ns
}

# notice_days is exceptions_warn_days: how many days before its expiry an
# exception or an approval warns; 0 never.
notice_days := object.get(data.secgate.config, "exceptions_warn_days", 14)

# expiring is true for an entry in force that expires within notice_days.
# An expired entry is never expiring, whatever notice_days says: it does not
# apply.
expiring(entry) if {
	is_number(notice_days)
	notice_days > 0
	days_left(entry) <= notice_days
}

# expires_in says when an entry in force expires: "today (2026-06-01)",
# "in 1 day (2026-06-02)", "in 5 days (2026-06-06)".
expires_in(entry) := sprintf("today (%s)", [entry.expires]) if days_left(entry) == 0

expires_in(entry) := sprintf("in 1 day (%s)", [entry.expires]) if days_left(entry) == 1

expires_in(entry) := sprintf("in %d days (%s)", [days_left(entry), entry.expires]) if days_left(entry) > 1

# unused_fails says whether an unused exception or approval fails the gate
# (exceptions_unused: fail) rather than warns.
unused_fails if data.secgate.config.exceptions_unused == "fail"

# ownership names who answers for a waiver or an approval and what tracks
# it, for its messages: ": owner alice, ticket SEC-12", or "" when it says
# neither.
ownership(entry) := concat("", [": ", concat(", ", parts)]) if {
	parts := [sprintf("%s %s", [k, entry[k]]) | some k in ["owner", "ticket"]; is_string(entry[k])]
	count(parts) > 0
} else := ""

# owned_by is ownership in parentheses, for a message that goes on after
# naming the entry: " (owner alice, ticket SEC-12)", or "".
owned_by(entry) := sprintf(" (%s)", [substring(o, 2, -1)]) if {
	o := ownership(entry)
	o != ""
} else := ""

# matches is true when pattern (with * as wildcard) matches value exactly.
matches(pattern, value) if {
	is_string(pattern)
	is_string(value)
	glob.match(pattern, null, value)
}

# component_matches matches a pattern against a component's purl (see
# purl_matches), or its name, or its group/name.
component_matches(pattern, c) if purl_matches(pattern, c.purl)

component_matches(pattern, c) if matches(pattern, c.name)

component_matches(pattern, c) if {
	c.group
	matches(pattern, concat("/", [c.group, c.name]))
}

# purl_matches is true when pattern (with * as wildcard) matches a purl as
# written, or, for a pattern without version, the purl without its
# version, qualifiers and subpath: pkg:npm/express matches
# pkg:npm/express@4.21.0?foo=bar, and never pkg:npm/express-session@1.0.0.
# An npm scope may then be written @ or %40 (pkg:npm/@babel/core matches
# pkg:npm/%40babel/core@7.0.0). A pattern with a version matches only the
# purl as written.
purl_matches(pattern, purl) if matches(pattern, purl)

purl_matches(pattern, purl) if {
	is_string(pattern)
	is_string(purl)
	startswith(pattern, "pkg:")
	not regex.match(`@[^/]*$`, pattern)
	glob.match(unescape_at(pattern), null, unescape_at(versionless(purl)))
}

# versionless is a purl without its qualifiers, subpath and version. The
# version starts at the first @ of the last segment; it is cut before an
# escaped @ is read, which is part of a name (pkg:npm/a%40evil).
versionless(purl) := regex.replace(regex.replace(purl, `[?#].*$`, ""), `@[^/]*$`, "")

unescape_at(s) := replace(s, "%40", "@")

# label names a component by purl, else name@version.
label(c) := c.purl if c.purl

label(c) := concat("@", [c.name, c.version]) if {
	not c.purl
	c.version != ""
}

label(c) := c.name if {
	not c.purl
	c.version == ""
}

# line_of is ":<line>" for a finding with a start line, else "".
line_of(f) := sprintf(":%d", [f.location.start_line]) if f.location.start_line

line_of(f) := "" if not f.location.start_line

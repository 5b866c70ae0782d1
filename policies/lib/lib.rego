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

# expired is true for an entry whose expires date (YYYY-MM-DD, valid through
# that day) has passed, or that has none or an unreadable one.
expired(entry) if not valid_until(entry)

valid_until(entry) if {
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, entry.expires)
	end := time.parse_ns("2006-01-02", entry.expires) + (((24 * 60) * 60) * 1000000000)
	time.now_ns() < end
}

# matches is true when pattern (with * as wildcard) matches value exactly.
matches(pattern, value) if {
	is_string(pattern)
	is_string(value)
	glob.match(pattern, null, value)
}

# component_matches matches a pattern against a component's purl, its purl
# without version, or its name.
component_matches(pattern, c) if matches(pattern, c.purl)

component_matches(pattern, c) if matches(pattern, c.name)

component_matches(pattern, c) if {
	c.group
	matches(pattern, concat("/", [c.group, c.name]))
}

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

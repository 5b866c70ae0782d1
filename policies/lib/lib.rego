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
open_findings := [f | some f in input.findings; f.status == "open"]

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

# describe says what a finding is, with its evidence, in one line.
describe(f) := sprintf("%s in %s%s", [f.rule_id, trim_space(concat(" ", [f.package.name, f.package.version])), fixed_in(f)]) if f.package

describe(f) := sprintf("%s at %s%s", [f.rule_id, f.location.path, line_of(f)]) if {
	not f.package
	f.location
}

describe(f) := sprintf("%s: %s", [f.rule_id, f.title]) if {
	not f.package
	not f.location
}

fixed_in(f) := sprintf(" (fixed in %s)", [concat(", ", f.fixed_versions)]) if count(f.fixed_versions) > 0

fixed_in(f) := "" if count(f.fixed_versions) == 0

line_of(f) := sprintf(":%d", [f.location.start_line]) if f.location.start_line

line_of(f) := "" if not f.location.start_line

# finding_components lists the purl (or name) of a finding's package.
finding_components(f) := [f.package.purl] if f.package.purl

finding_components(f) := [f.package.name] if {
	f.package
	not f.package.purl
}

finding_components(f) := [] if not f.package

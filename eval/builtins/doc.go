// Package builtins provides secgate's domain builtins for Rego: licence
// expressions, CVSS vectors, package URLs and ecosystem-aware version
// ordering. They are pure functions of their arguments (deterministic,
// no I/O), so they are safe under secgate's hermetic capabilities.
//
// The same definitions serve policy evaluation and the Rego test runner:
// [RegoOptions] for rego.New, [All] for tester.Runner.AddCustomBuiltins,
// and [Decls] for ast.Capabilities.Builtins. Nothing is registered
// globally.
//
// # Builtins for policy authors
//
// A builtin "error" below is a Rego builtin error: with strict builtin
// errors (secgate's default) evaluation stops and reports it; without,
// the call is undefined.
//
//	secgate.spdx_satisfies(expression: string, allowed: array[string] | set[string]) -> boolean
//
// Reports whether the SPDX licence expression can be satisfied using only
// the allowed licences: "MIT OR GPL-3.0-only" needs MIT or GPL-3.0-only,
// "MIT AND Apache-2.0" needs both. Ids match case-insensitively ("mit" is
// MIT); operators (AND, OR, WITH) are case-sensitive, as SPDX says.
// Version ranges follow github.com/github/go-spdx: "Apache-2.0+" and
// "GPL-2.0-or-later" are satisfied by a later version in the allowed list,
// and an allowed "GPL-2.0-or-later" admits GPL-2.0 and GPL-3.0. A licence
// with an exception ("GPL-2.0-only WITH Classpath-exception-2.0") is
// satisfied only by an allowed entry with the same exception. A
// LicenseRef-… is satisfied only when listed verbatim (case-sensitive).
// An expression that is not valid SPDX (empty, "Apache License 2.0",
// "NOASSERTION", a syntax error) gives false, not an error: treat it as
// unknown and check it with secgate.spdx_parse. An empty allowed list
// gives false. An allowed entry that is not a single SPDX licence (a
// typo, "Custom", an expression with AND/OR) is an error, so a broken
// allow-list does not silently reject everything.
//
//	secgate.spdx_parse(expression: string) -> {"valid": boolean, "ids": array[string], "exceptions": array[string], "invalid": array[string]}
//
// Splits an SPDX licence expression into its parts. ids holds the
// licence ids (in SPDX's canonical case, without a trailing "+") and the
// LicenseRef-… / DocumentRef-…:LicenseRef-… references; exceptions holds
// the ids after WITH; invalid holds the parts that are not SPDX ids, the
// words between operators taken together ("Apache License 2.0", "BSD",
// "Custom"). All three are sorted and without duplicates. valid is true
// exactly when invalid is empty; a syntax error with no bad part ("(MIT",
// "MIT OR", "") puts the whole expression in invalid.
//
//	secgate.spdx_denied(expression: string, denied: array[string] | set[string]) -> array[string]
//
// Lists the denied licences the expression cannot be satisfied without.
// It reads the expression as secgate.spdx_parse does (deprecated ids as
// their replacements) and looks its ids and its parts that are not SPDX
// up in denied, as written; when some are denied, it asks
// secgate.spdx_satisfies whether the others (each id also with the
// expression's exceptions) satisfy it. The result is sorted and without
// duplicates: empty when no denied licence is named or another choice
// avoids them ("MIT OR GPL-3.0-only" with GPL-3.0-only denied), the
// denied ones otherwise ("MIT AND GPL-3.0-only" gives GPL-3.0-only).
//
//	secgate.spdx_all_of(licenses: array[string]) -> string
//
// Joins a list of licences into one expression that needs them all, as a
// component's licence list without an expression reads: one licence as
// written, several joined with AND, each that holds a space (an
// expression, a name like "Apache License 2.0") in parentheses; an empty
// list gives "". An element that is not a string is an error.
//
//	secgate.cvss_score(vector: string) -> {"version": string, "score": number, "severity": string}
//
// Computes the base score of a CVSS v2 (with or without its "(…)" wrapper
// or "CVSS:2.0/" prefix), v3.0, v3.1 or v4.0 vector. version is "2.0",
// "3.0", "3.1" or "4.0"; severity is secgate's band for the score:
// "critical", "high", "medium", "low" or "info". A vector that does not
// parse is an error.
//
//	secgate.purl_parse(purl: string) -> {"type": string, "namespace": string, "name": string, "version": string, "qualifiers": object[string: string], "subpath": string}
//
// Parses a package URL into its components, unescaped and normalised as
// the purl spec says (type lower-cased, type-specific rules such as
// lower-case pypi names). Absent components are "" (qualifiers {}). A
// string that is not a valid purl is an error.
//
//	secgate.version_compare(ecosystem: string, a: string, b: string) -> number
//
// Compares two versions under the ordering rules of an ecosystem and
// returns -1 (a < b), 0 (same version) or 1 (a > b). The ecosystem is
// case-insensitive and may be a purl type or a tool's word for one (the
// orderings live in internal/ecosystem):
//
//   - "semver", "npm", "cargo", "hex", "pub", "swift", "cocoapods",
//     "github": semantic versioning (a "v" prefix and
//     missing minor/patch are accepted; prereleases order before their
//     release; build metadata is ignored).
//   - "golang", "go": Go module versions ("v" added when missing;
//     "+incompatible" is ignored; pseudo-versions order by their base
//     version, then time). A Go toolchain version ("go1.21rc1",
//     "go1.22.0") on either side compares both as toolchain versions.
//   - "pypi", "pip", "python": PEP 440 (1.0.dev1 < 1.0a1 < 1.0rc1 < 1.0 <
//     1.0+local < 1.0.post1; epochs: 1!0.1 > 2.0).
//   - "deb", "debian", "ubuntu": Debian policy (epochs: 1:1.0 > 2.0;
//     tilde sorts first: 1.0~rc1 < 1.0; revisions: 1.0-1 < 1.0-2).
//   - "rpm", "redhat", "rhel", "centos", "fedora", "rocky", "almalinux",
//     "amazon", "oracle", "suse", "opensuse": rpmvercmp with epochs.
//   - "apk", "alpine", "wolfi", "chainguard": Alpine's apk ordering
//     (1.0_rc1 < 1.0 < 1.0-r1 < 1.0_p1 < 1.0.1).
//   - "maven": Maven's ComparableVersion (1.0-alpha < 1.0-SNAPSHOT < 1.0 =
//     1.0.RELEASE = 1.0-final < 1.0-sp1 < 1.0.1).
//   - "gem", "rubygems", "ruby": Gem::Version (1.0.a < 1.0 = 1.0.0).
//   - "nuget": NuGet's order (semantic versioning with a fourth number,
//     1.0 = 1.0.0.0; pre-release labels compare case-insensitively).
//   - "composer", "conan", "hackage", "cran": plain numeric versions only
//     (1.2, 2.31.0), where their orderings agree with semantic
//     versioning; any other version is an error.
//
// An unknown ecosystem is an error that names the known ones; a version
// the ecosystem cannot parse is an error naming it.
//
//	secgate.remediation(findings: array) -> string
//
// Says what fixes a group of findings, as the thresholds policy words it:
// when every finding has a package, "upgrade name version to fixed" for
// each (or "to a fixed version (a, b)", or "(no fixed version named in
// the report)"), joined with "; "; otherwise "fix rule at path:line" (or
// the rule alone, without a location), joined with ", ". Repeats are
// dropped, the order kept; a finding that lacks what its text needs is
// left out. Beyond five findings it counts the packages (or findings)
// and points at --tickets instead.
//
//	secgate.components(findings: array) -> array[string]
//
// The packages a group of findings is in: each package's purl, and the
// name of a package that a finding gives without a purl; sorted, without
// duplicates. Findings without a package are left out.
package builtins

package ignorefile

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// grypeKeys and grypePackageKeys are the keys of a Grype ignore rule
// and of its package, as Grype reads them.
var (
	grypeKeys = []string{
		"vulnerability", "include-aliases", "reason", "namespace", "fix-state",
		"package", "vex-status", "vex-justification", "match-type",
	}
	grypePackageKeys = []string{"name", "version", "language", "type", "location", "upstream-name"}
)

// refusedKeys say why a rule with one of these keys is not imported: a
// secgate exception cannot say what the key says, and leaving the key out
// would waive more than the rule did.
var refusedKeys = []struct{ key, why string }{
	{"vex-status", "vex-status: the rule applies Grype's VEX documents; give secgate the VEX documents beside the reports instead"},
	{"vex-justification", "vex-justification: the rule applies Grype's VEX documents; give secgate the VEX documents beside the reports instead"},
	{"fix-state", "fix-state: a secgate exception cannot select by fix state (thresholds.ignore_unfixed leaves out the not-fixed and wont-fix vulnerabilities)"},
	{"namespace", "namespace: a secgate exception cannot select by vulnerability namespace"},
	{"match-type", "match-type: a secgate exception cannot select by how Grype matched"},
}

var refusedPackageKeys = []struct{ key, why string }{
	{"location", "package.location: a secgate exception cannot be limited to files"},
	{"language", "package.language: a secgate exception cannot select by language; give package.type instead"},
	{"upstream-name", "package.upstream-name: a secgate exception cannot select by upstream (source) package"},
}

func parseGrype(root *yaml.Node) ([]Entry, error) {
	list := value(root, "ignore")
	if isNull(list) {
		return nil, nil
	}
	if list.Kind != yaml.SequenceNode {
		return nil, &ParseError{Line: list.Line, Err: fmt.Errorf("ignore: want a list of rules")}
	}
	out := make([]Entry, 0, len(list.Content))
	for _, rule := range list.Content {
		out = append(out, grypeEntry(rule))
	}
	return out, nil
}

func grypeEntry(rule *yaml.Node) Entry {
	e := Entry{Line: rule.Line, What: "rule"}
	if rule.Kind != yaml.MappingNode {
		e.Refused = "not a mapping of vulnerability, package, reason …"
		return e
	}
	if k := unknownKey(rule, grypeKeys); k != "" {
		e.Refused = fmt.Sprintf("%s: unknown key (known: %s); Grype would drop it and match more, secgate does not", k, strings.Join(grypeKeys, ", "))
		return e
	}
	pkg := value(rule, "package")
	if !isNull(pkg) && pkg.Kind != yaml.MappingNode {
		e.Refused = "package: want a mapping of name, version, type …"
		return e
	}
	if pkg != nil && pkg.Kind == yaml.MappingNode {
		if k := unknownKey(pkg, grypePackageKeys); k != "" {
			e.Refused = fmt.Sprintf("package.%s: unknown key (known: %s)", k, strings.Join(grypePackageKeys, ", "))
			return e
		}
	}
	fields := map[string]string{}
	for _, k := range []string{"vulnerability", "reason", "namespace", "fix-state", "vex-status", "vex-justification", "match-type"} {
		if n := value(rule, k); !isNull(n) {
			s, ok := scalar(n)
			if !ok {
				e.Refused = fmt.Sprintf("%s: want a string", k)
				return e
			}
			fields[k] = strings.TrimSpace(s)
		}
	}
	for _, k := range grypePackageKeys {
		if n := value(pkg, k); !isNull(n) {
			s, ok := scalar(n)
			if !ok {
				e.Refused = fmt.Sprintf("package.%s: want a string", k)
				return e
			}
			fields["package."+k] = strings.TrimSpace(s)
		}
	}
	e.What = describe(fields)
	for _, r := range refusedKeys {
		if fields[r.key] != "" {
			e.Refused = r.why
			return e
		}
	}
	for _, r := range refusedPackageKeys {
		if fields["package."+r.key] != "" {
			e.Refused = r.why
			return e
		}
	}
	vuln, name, version, typ := fields["vulnerability"], fields["package.name"], fields["package.version"], fields["package.type"]
	hasPackage := name != "" || version != "" || typ != ""
	x := Exception{Reason: fields["reason"]}
	switch {
	case vuln != "" && hasPackage:
		e.Refused = "a secgate exception names a vulnerability or packages, not a vulnerability in some packages; waive each finding by its id (secgate check -o json lists them) instead"
		return e
	case vuln != "":
		if bad := control(vuln); bad != "" {
			e.Refused = fmt.Sprintf("vulnerability: holds %s", bad)
			return e
		}
		x.ID = vuln
	case hasPackage:
		p, why := packagePattern(name, version, typ)
		if why != "" {
			e.Refused = why
			return e
		}
		x.Purl = p
	default:
		e.Refused = "the rule names nothing (Grype applies it to no match)"
		return e
	}
	e.Exception = &x
	return e
}

// describe names a rule by what it selects: "CVE-2023-1", "package bash
// 5.0 (deb)".
func describe(f map[string]string) string {
	var parts []string
	if v := f["vulnerability"]; v != "" {
		parts = append(parts, v)
	}
	if f["package.name"] != "" || f["package.version"] != "" || f["package.type"] != "" {
		p := strings.TrimSpace("package " + f["package.name"] + " " + f["package.version"])
		if t := f["package.type"]; t != "" {
			p += " (" + t + ")"
		}
		parts = append(parts, p)
	}
	if v := f["fix-state"]; v != "" {
		parts = append(parts, "fix-state "+v)
	}
	if len(parts) == 0 {
		return "rule"
	}
	return strings.Join(parts, ", ")
}

// purlTypes maps Grype's (Syft's) package types to purl types, and says
// whether the purl has a namespace Grype's name does not hold (the
// distribution of an OS package, the group of a Maven artefact): it is
// then matched by *, as Grype's rule matches the name in any.
var purlTypes = map[string]struct {
	purl      string
	namespace bool
}{
	"apk":          {"apk", true},
	"deb":          {"deb", true},
	"rpm":          {"rpm", true},
	"alpm":         {"alpm", true},
	"java-archive": {"maven", true},
	"npm":          {"npm", false},
	"python":       {"pypi", false},
	"go-module":    {"golang", false},
	"gem":          {"gem", false},
	"rust-crate":   {"cargo", false},
	"php-composer": {"composer", false},
	"dotnet":       {"nuget", false},
	"hex":          {"hex", false},
	"pub":          {"pub", false},
	"cocoapods":    {"cocoapods", false},
	"conan":        {"conan", false},
	"hackage":      {"hackage", false},
	"swift":        {"swift", false},
}

// regexMeta are the characters that make a Grype package name (a regular
// expression, anchored) more than a name. A dot is read as itself: the
// exception is then narrower than the rule, never wider.
var regexMeta = regexp.MustCompile(`[\\^$*+?()\[\]{}|]`)

// packagePattern is the purl pattern that matches what a Grype rule on
// package name, version and type matches; or why there is none.
func packagePattern(name, version, typ string) (string, string) {
	if typ == "" {
		return "", "package without type: a purl pattern needs its type (give package.type)"
	}
	t, ok := purlTypes[typ]
	if !ok {
		return "", fmt.Sprintf("package.type %q: no purl type secgate knows for it", typ)
	}
	for _, s := range []string{name, version} {
		if bad := control(s); bad != "" {
			return "", "the package holds " + bad
		}
	}
	if name == "" {
		if version != "" {
			return "", "package.version without package.name"
		}
		return "pkg:" + t.purl + "/*", ""
	}
	if regexMeta.MatchString(name) {
		return "", fmt.Sprintf("package.name %q is a regular expression: a purl pattern cannot say the same", name)
	}
	slash := t.purl == "golang" || t.purl == "composer" || t.purl == "swift" || (t.purl == "npm" && strings.HasPrefix(name, "@"))
	if strings.Contains(name, "/") && !slash {
		return "", fmt.Sprintf("package.name %q: a %s name holds no /", name, t.purl)
	}
	p := "pkg:" + t.purl + "/"
	if t.namespace {
		p += "*/"
	}
	if t.purl == "npm" && strings.HasPrefix(name, "@") {
		p += "{@,%40}" + literal(name[1:], true)
	} else {
		p += literal(name, slash)
	}
	if version != "" {
		// As written in the purl, then with qualifiers or a subpath:
		// never another version that starts the same.
		p += "@" + literal(version, false) + `{,\?*,#*}`
	}
	return p, ""
}

// literal writes s into a purl pattern so that it matches s as a purl
// may write it: letters, digits and . - _ ~ (and / when keepSlash) as
// themselves, any other character as itself or percent-encoded ({+,%2B,%2b}),
// escaped where a pattern would read it as a wildcard.
func literal(s string, keepSlash bool) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".-_~", r)):
			b.WriteRune(r)
		case r == '/' && keepSlash:
			b.WriteRune(r)
		default:
			var upper, lower strings.Builder
			for _, c := range []byte(string(r)) {
				fmt.Fprintf(&upper, "%%%02X", c)
				fmt.Fprintf(&lower, "%%%02x", c)
			}
			alts := []string{escape(string(r)), upper.String()}
			if lower.String() != upper.String() {
				alts = append(alts, lower.String())
			}
			b.WriteString("{" + strings.Join(alts, ",") + "}")
		}
	}
	return b.String()
}

// escape makes the pattern characters of s literal.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\*?[]{},!`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

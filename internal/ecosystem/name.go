package ecosystem

import (
	"strings"

	"github.com/package-url/packageurl-go"
)

// NormalizePyPI is PEP 503's normalised project name: lower case, each run
// of "-", "_" and "." one "-". PyPI names compare, and PyPI purls are
// written, in this form.
func NormalizePyPI(name string) string {
	var b strings.Builder
	sep := false
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		if r == '-' || r == '_' || r == '.' {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('-')
		}
		sep = false
		b.WriteRune(r)
	}
	return b.String()
}

// SplitName splits a package name as a tool writes it into the namespace
// and name of a purl of type purlType: an npm scope ("@scope/pkg"), a
// Maven group ("group:artifact"), the path of a Go module, Composer
// vendor, Swift or GitHub owner before the last "/" ("golang.org/x/net"
// is golang.org/x and net). A PyPI name is normalised (NormalizePyPI).
// Other names have no namespace.
func SplitName(purlType, name string) (namespace, rest string) {
	switch purlType {
	case "pypi":
		return "", NormalizePyPI(name)
	case "maven":
		if g, a, ok := strings.Cut(name, ":"); ok {
			return g, a
		}
	case "npm", "golang", "composer", "swift", "github":
		if i := strings.LastIndexByte(name, '/'); i > 0 {
			return name[:i], name[i+1:]
		}
	}
	return "", name
}

// Purl is the package URL of a package of type purlType as a tool names
// it, the name split as SplitName splits it, or "" when the name (once
// normalised) is empty.
func Purl(purlType, name, version string) string {
	ns, n := SplitName(purlType, strings.TrimSpace(name))
	if n == "" {
		return ""
	}
	return packageurl.NewPackageURL(purlType, ns, n, version, nil, "").ToString()
}

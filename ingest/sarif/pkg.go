package sarif

import (
	"strings"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/internal/ecosystem"
)

// pkgFacts is what a vulnerability result's text says of the package.
type pkgFacts struct {
	name, version, fixed, typ, path string
}

func (p pkgFacts) ok() bool { return p.name != "" }

// parsePkgFacts reads the "Key: value" lines Trivy (in the message) and
// Grype (in the rule's help) write:
//
//	Package: libcrypto1.1
//	Installed Version: 1.1.1c-r0
//	Fixed Version: 1.1.1d-r0
//
// and osv-scanner's message "Package 'name@version' is vulnerable to …".
// Only lines whose key is known count, so prose does not.
func parsePkgFacts(text string) pkgFacts {
	var p pkgFacts
	if strings.HasPrefix(text, "Package '") {
		rest := text[len("Package '"):]
		if end := strings.IndexByte(rest, '\''); end > 0 {
			nv := rest[:end]
			if at := strings.LastIndexByte(nv, '@'); at > 0 {
				p.name, p.version = nv[:at], nv[at+1:]
			} else {
				p.name = nv
			}
		}
		return p
	}
	if !strings.Contains(text, ": ") {
		return p
	}
	for len(text) > 0 {
		line := text
		if nl := strings.IndexByte(text, '\n'); nl >= 0 {
			line, text = text[:nl], text[nl+1:]
		} else {
			text = ""
		}
		line = strings.TrimLeft(strings.TrimSpace(line), "*- ")
		colon := strings.Index(line, ": ")
		if colon <= 0 {
			continue
		}
		key, val := line[:colon], strings.TrimSpace(line[colon+2:])
		switch strings.ToLower(key) {
		case "package", "vulnerable module":
			p.name = val
		case "installed version", "version":
			p.version = val
		case "fixed version", "fix version", "fixed in":
			p.fixed = val
		case "type", "package manager":
			p.typ = val
		case "location", "path":
			p.path = val
		}
	}
	return p
}

// newPackage builds the package of a vulnerability from what the report
// says, with path the artifact it was found in when the text names none.
func newPackage(p pkgFacts, purl, path string) *document.Package {
	pkg := &document.Package{Name: p.name, Version: p.version, Purl: purl, Path: p.path}
	if pkg.Path == "" {
		pkg.Path = path
	}
	if purl != "" {
		pkg.Ecosystem = document.Ecosystem(purl)
	}
	if pkg.Ecosystem == "" {
		pkg.Ecosystem = ecosystem.Name(p.typ)
	}
	return pkg
}

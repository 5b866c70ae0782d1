package ecosystem

import "testing"

func TestPurlPyPI(t *testing.T) {
	for name, want := range map[string]string{
		"Django":             "pkg:pypi/django@1.0",
		"zope.interface":     "pkg:pypi/zope-interface@1.0",
		"Foo__Bar-.baz":      "pkg:pypi/foo-bar-baz@1.0",
		" ruamel.yaml ":      "pkg:pypi/ruamel-yaml@1.0",
		"":                   "",
		"_leading":           "pkg:pypi/leading@1.0",
		"backports.zoneinfo": "pkg:pypi/backports-zoneinfo@1.0",
	} {
		if got := Purl("pypi", name, "1.0"); got != want {
			t.Errorf("Purl(pypi, %q) = %q, want %q", name, got, want)
		}
	}
}

func TestSplitName(t *testing.T) {
	tests := []struct{ typ, name, ns, rest string }{
		{"npm", "@types/node", "@types", "node"},
		{"npm", "lodash", "", "lodash"},
		{"maven", "org.apache.logging.log4j:log4j-core", "org.apache.logging.log4j", "log4j-core"},
		{"golang", "golang.org/x/net", "golang.org/x", "net"},
		{"golang", "stdlib", "", "stdlib"},
		{"composer", "symfony/http-kernel", "symfony", "http-kernel"},
		{"github", "actions/checkout", "actions", "checkout"},
		{"pypi", "Zope.Interface", "", "zope-interface"},
		{"gem", "rails", "", "rails"},
	}
	for _, tt := range tests {
		ns, rest := SplitName(tt.typ, tt.name)
		if ns != tt.ns || rest != tt.rest {
			t.Errorf("SplitName(%q, %q) = %q, %q, want %q, %q", tt.typ, tt.name, ns, rest, tt.ns, tt.rest)
		}
	}
}

package bundles

import (
	"bytes"
	"context"
	"crypto/elliptic"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/compile"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/internal/testutil"
)

// criticalInput has one critical and one low finding.
var criticalInput = map[string]any{"findings": []any{
	map[string]any{"id": "F1", "severity": "critical"},
	map[string]any{"id": "F2", "severity": "low"},
}}

// denies evaluates data.main.deny of loaded policies over input.
func denies(t *testing.T, p *eval.Policies, input any) []string {
	t.Helper()
	opts := []func(*rego.Rego){rego.Query("data.main.deny"), rego.Input(input), rego.Store(inmem.NewFromObject(p.Data))}
	for _, m := range p.Modules {
		opts = append(opts, rego.ParsedModule(m))
	}
	rs, err := rego.New(opts...).Eval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return setOf(t, rs)
}

func setOf(t *testing.T, rs rego.ResultSet) []string {
	t.Helper()
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		t.Fatalf("want one result, got %v", rs)
	}
	var out []string
	for _, v := range rs[0].Expressions[0].Value.([]any) {
		out = append(out, v.(string))
	}
	sort.Strings(out)
	return out
}

func TestBuildIsAnOPABundle(t *testing.T) {
	dir := policyDir(t)
	raw := build(t, dir, BuildOptions{Revision: "v1.2.3"})
	if again := build(t, dir, BuildOptions{Revision: "v1.2.3"}); !bytes.Equal(raw, again) {
		t.Error("two builds of the same folder differ")
	}

	names := map[string]string{}
	for _, e := range readTarGz(t, raw) {
		names[e.name] = e.body
	}
	for _, want := range []string{"/.manifest", "/data.json", "/main/deny.rego", "/main/deny_test.rego"} {
		if _, ok := names[want]; !ok {
			t.Errorf("bundle lacks %s; has %v", want, keysOf(names))
		}
	}
	if !strings.Contains(names["/.manifest"], `"revision":"v1.2.3"`) || !strings.Contains(names["/.manifest"], `"roots":["main","main_test"]`) {
		t.Errorf("manifest = %s", names["/.manifest"])
	}

	// OPA's own reader reads it, and rego.LoadBundle (opa eval -b) evaluates it.
	b, err := bundle.NewReader(bytes.NewReader(raw)).Read()
	if err != nil {
		t.Fatal(err)
	}
	if b.Manifest.Revision != "v1.2.3" || b.RegoVersion(ast.RegoV0) != ast.RegoV1 {
		t.Errorf("manifest = %v", b.Manifest)
	}
	path := writeFile(t, "b.tar.gz", raw)
	rs, err := rego.New(rego.Query("data.main.deny"), rego.LoadBundle(path), rego.Input(criticalInput)).Eval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := setOf(t, rs); !reflect.DeepEqual(got, []string{"F1 is critical"}) {
		t.Errorf("opa eval -b: deny = %v", got)
	}
	// And OPA's loader, as opa run does.
	if _, err := loader.NewFileLoader().WithRegoVersion(ast.RegoV1).AsBundle(path); err != nil {
		t.Fatal(err)
	}
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestBuildRoots(t *testing.T) {
	dir := policyDir(t)
	raw := build(t, dir, BuildOptions{Roots: []string{"main", "main_test"}})
	b, err := bundle.NewReader(bytes.NewReader(raw)).Read()
	if err != nil {
		t.Fatal(err)
	}
	if got := *b.Manifest.Roots; !reflect.DeepEqual(got, []string{"main", "main_test"}) {
		t.Errorf("roots = %v", got)
	}
	// Roots that do not permit the packages are refused, as OPA would.
	if _, err := Build(context.Background(), dir, BuildOptions{Roots: []string{"other"}}); err == nil || !strings.Contains(err.Error(), "do not permit") {
		t.Errorf("err = %v", err)
	}
	// A broken policy is a build error naming the file.
	bad := testutil.WriteTree(t, map[string]string{"x.rego": "package x\n\ndeny contains msg if {\n"})
	if _, err := Build(context.Background(), bad, BuildOptions{}); err == nil || !strings.Contains(err.Error(), "x.rego") {
		t.Errorf("err = %v", err)
	}
}

// opaBuild builds dir the way `opa build -b dir` does.
func opaBuild(t *testing.T, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	c := compile.New().WithFS(os.DirFS(dir)).WithPaths(".").WithAsBundle(true).WithRegoVersion(ast.RegoV1).WithOutput(&buf)
	if err := c.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestOPABundlesLoad(t *testing.T) {
	t.Run("opa build", func(t *testing.T) {
		p := writeFile(t, "opa.tar.gz", opaBuild(t, policyDir(t)))
		f, err := Fetch(context.Background(), p, FetchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if f.Kind != KindBundle || !strings.HasPrefix(f.Revision, "sha256:") || f.Path != p {
			t.Errorf("fetched = %+v", f)
		}
		pols, srcs, err := LoadPolicies([]*Fetched{f}, LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := denies(t, pols, criticalInput); !reflect.DeepEqual(got, []string{"F1 is critical"}) {
			t.Errorf("deny = %v", got)
		}
		if len(srcs) != 1 || !reflect.DeepEqual(srcs[0].Roots, []string{""}) || !reflect.DeepEqual(srcs[0].Packages, []string{"main"}) {
			t.Errorf("sources = %+v", srcs)
		}
		if _, ok := pols.Modules[p+"/main/deny.rego"]; !ok {
			t.Errorf("modules = %v", srcs[0].Modules)
		}
	})
	t.Run("bundle.Write", func(t *testing.T) {
		m, err := ast.ParseModuleWithOpts("/main/deny.rego", denyPolicy, ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatal(err)
		}
		roots := []string{"main"}
		b := bundle.Bundle{
			Manifest: bundle.Manifest{Revision: "w1", Roots: &roots},
			Data:     map[string]any{"main": map[string]any{"level": "low"}},
			Modules:  []bundle.ModuleFile{{URL: "/main/deny.rego", Path: "/main/deny.rego", Raw: []byte(denyPolicy), Parsed: m}},
		}
		var buf bytes.Buffer
		if err := bundle.Write(&buf, b); err != nil {
			t.Fatal(err)
		}
		f, err := Fetch(context.Background(), writeFile(t, "w.tar.gz", buf.Bytes()), FetchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		pols, srcs, err := LoadPolicies([]*Fetched{f}, LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := denies(t, pols, criticalInput); !reflect.DeepEqual(got, []string{"F2 is low"}) {
			t.Errorf("deny = %v", got)
		}
		if srcs[0].BundleRevision != "w1" {
			t.Errorf("source = %+v", srcs[0])
		}
	})
}

func TestTestsOnlyWithFilter(t *testing.T) {
	f, err := Fetch(context.Background(), writeFile(t, "b.tar.gz", build(t, policyDir(t), BuildOptions{})), FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tests := range []bool{false, true} {
		_, srcs, err := LoadPolicies([]*Fetched{f}, LoadOptions{Filter: eval.Filter{Tests: tests}})
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		if tests {
			want = 2
		}
		if len(srcs[0].Modules) != want {
			t.Errorf("tests=%v: modules = %v", tests, srcs[0].Modules)
		}
	}
}

func TestSignAndVerify(t *testing.T) {
	es256, es384, rs := ecKey(t, elliptic.P256()), ecKey(t, elliptic.P384()), rsaKey(t)
	dir := policyDir(t)
	for _, tc := range []struct {
		name    string
		key     keyPair
		alg     string
		wantAlg string
	}{
		{"ES256 by default", es256, "", "ES256"},
		{"ES384", es384, "ES384", "ES384"},
		{"RS256 by default", rs, "", "RS256"},
		{"PS256", rs, "PS256", "PS256"},
		{"RS512", rs, "rs512", "RS512"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := build(t, dir, BuildOptions{Revision: "r", SigningKey: tc.key.private, SigningAlg: tc.alg, KeyID: "team"})
			p := writeFile(t, "b.tar.gz", raw)
			v, err := VerifyFile(p, VerifyOptions{Key: tc.key.public})
			if err != nil {
				t.Fatal(err)
			}
			if v.Algorithm != tc.wantAlg || v.KeyID != "team" || v.Bundle.Manifest.Revision != "r" {
				t.Errorf("verified = %+v", v)
			}
			wantFiles := []string{".manifest", "data.json", "main/deny.rego", "main/deny_test.rego"}
			if !reflect.DeepEqual(v.Files, wantFiles) {
				t.Errorf("files = %v, want %v", v.Files, wantFiles)
			}
			// The key id, when given, must match the signature's.
			if _, err := Verify(p, tc.key.public, "team"); err != nil {
				t.Errorf("key id team: %v", err)
			}
			if _, err := Verify(p, tc.key.public, "other"); !errors.Is(err, ErrBadSignature) {
				t.Errorf("key id other: err = %v", err)
			}
			// OPA's own verification accepts secgate's signature.
			kc := &bundle.KeyConfig{Key: string(tc.key.public), Algorithm: tc.wantAlg}
			vc := bundle.NewVerificationConfig(map[string]*bundle.KeyConfig{"team": kc}, "team", "", nil)
			if _, err := loader.NewFileLoader().WithRegoVersion(ast.RegoV1).WithBundleVerificationConfig(vc).AsBundle(p); err != nil {
				t.Errorf("OPA verification: %v", err)
			}
		})
	}

	t.Run("sign an unsigned bundle", func(t *testing.T) {
		unsigned := build(t, dir, BuildOptions{Revision: "u"})
		signed, err := Sign(unsigned, es256.private, "", "")
		if err != nil {
			t.Fatal(err)
		}
		v, err := VerifyFile(writeFile(t, "s.tar.gz", signed), VerifyOptions{Key: es256.public})
		if err != nil {
			t.Fatal(err)
		}
		if v.Bundle.Manifest.Revision != "u" || len(v.Files) != 4 {
			t.Errorf("verified = %+v", v)
		}
		// Re-signing with another key replaces the signature.
		resigned, err := Sign(signed, rs.private, "PS384", "k2")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Verify(writeFile(t, "r.tar.gz", resigned), rs.public, "k2"); err != nil {
			t.Error(err)
		}
		if _, err := Verify(writeFile(t, "r.tar.gz", resigned), es256.public, ""); !errors.Is(err, ErrBadSignature) {
			t.Errorf("old key: err = %v", err)
		}
	})

	t.Run("keys and algorithms refused", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			key  []byte
			alg  string
			want string
		}{
			{"HMAC", es256.private, "HS256", "shared-secret"},
			{"wrong family", es256.private, "RS256", "does not fit"},
			{"public key", es256.public, "", "public key"},
			{"not PEM", []byte("secret"), "", "not PEM"},
		} {
			if _, err := Build(context.Background(), dir, BuildOptions{SigningKey: tc.key, SigningAlg: tc.alg}); !errors.Is(err, ErrKey) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: err = %v", tc.name, err)
			}
		}
		if _, err := Verify(writeFile(t, "b.tar.gz", build(t, dir, BuildOptions{SigningKey: es256.private})), es256.private, ""); !errors.Is(err, ErrKey) {
			t.Errorf("private key as verification key: err = %v", err)
		}
	})
}

// tamper changes one byte of the named entry and re-packs the archive,
// keeping the signature.
func tamper(t *testing.T, raw []byte, name string) []byte {
	t.Helper()
	entries := readTarGz(t, raw)
	found := false
	for i, e := range entries {
		if e.name == name {
			entries[i].body = strings.Replace(e.body, " is ", " IS ", 1)
			found = true
		}
	}
	if !found {
		t.Fatalf("no entry %s", name)
	}
	return makeTarGz(t, entries)
}

func TestVerifyRefuses(t *testing.T) {
	key, other, rs := ecKey(t, elliptic.P256()), ecKey(t, elliptic.P256()), rsaKey(t)
	dir := policyDir(t)
	signed := build(t, dir, BuildOptions{SigningKey: key.private})
	added := append(readTarGz(t, signed), tarEntry{name: "/main/extra.rego", body: "package main\n\ndeny contains \"x\"\n"})
	for _, tc := range []struct {
		name   string
		bundle []byte
		key    []byte
		want   error
	}{
		{"unsigned", build(t, dir, BuildOptions{}), key.public, ErrUnsigned},
		{"tampered rego", tamper(t, signed, "/main/deny.rego"), key.public, ErrTampered},
		{"tampered data", tamperData(t, signed), key.public, ErrTampered},
		{"file added", makeTarGz(t, added), key.public, ErrTampered},
		{"another key", signed, other.public, ErrBadSignature},
		{"another key type", signed, rs.public, ErrBadSignature},
		{"not a bundle", []byte("plain text"), key.public, ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, "b.tar.gz", tc.bundle)
			_, err := Verify(p, tc.key, "")
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			// LoadPolicies refuses it the same way, naming the source.
			f := &Fetched{Address: "b.tar.gz", Path: p, Kind: KindBundle}
			_, _, err = LoadPolicies([]*Fetched{f}, LoadOptions{Verify: &VerifyOptions{Key: tc.key}})
			if !errors.Is(err, tc.want) || !strings.HasPrefix(err.Error(), "policy b.tar.gz: bundle refused: ") {
				t.Fatalf("LoadPolicies: err = %v", err)
			}
		})
	}
}

// tamperData changes a value in data.json, keeping the signature.
func tamperData(t *testing.T, raw []byte) []byte {
	t.Helper()
	entries := readTarGz(t, raw)
	for i, e := range entries {
		if e.name == "/data.json" {
			entries[i].body = strings.Replace(e.body, "critical", "low", 1)
		}
	}
	return makeTarGz(t, entries)
}

func TestRootConflicts(t *testing.T) {
	ctx := context.Background()
	mainBundle := writeFile(t, "main.tar.gz", build(t, policyDir(t), BuildOptions{}))
	mainBundle2 := writeFile(t, "again.tar.gz", build(t, policyDir(t), BuildOptions{}))
	allData := writeFile(t, "all.tar.gz", opaBuild(t, testutil.WriteTree(t, map[string]string{"other/o.rego": "package other\n\ndeny contains \"o\" if false\n"})))
	mainFolder := testutil.WriteTree(t, map[string]string{"p.rego": "package main.extra\n\nwarn contains \"w\" if false\n"})
	otherFolder := testutil.WriteTree(t, map[string]string{"p.rego": "package other\n\nwarn contains \"w\" if false\n"})
	sameFolder := testutil.WriteTree(t, map[string]string{"p.rego": "package other\n\ndeny contains \"d\" if false\n"})
	fetch := func(p string) *Fetched {
		f, err := Fetch(ctx, p, FetchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	for _, tc := range []struct {
		name    string
		sources []string
		want    string // "" for no conflict
	}{
		{"two bundles, same roots", []string{mainBundle, mainBundle2}, `policy sources ` + mainBundle + ` and ` + mainBundle2 + ` overlap: root "main"`},
		{"bundle and folder inside its root", []string{mainBundle, mainFolder}, `policy sources ` + mainBundle + ` and ` + mainFolder + ` overlap: root "main" of the first and "main/extra"`},
		{"bundle without roots owns everything", []string{allData, otherFolder}, `(all of data: the bundle declares no roots)`},
		{"bundle and another folder", []string{mainBundle, otherFolder}, ""},
		{"folders merge conftest-style", []string{otherFolder, sameFolder}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fs []*Fetched
			for _, s := range tc.sources {
				fs = append(fs, fetch(s))
			}
			_, _, err := LoadPolicies(fs, LoadOptions{})
			var rc *RootConflictError
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tc.want != "" && (!errors.As(err, &rc) || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:pa55word@host/b.tar.gz":                                                "https://user:redacted@host/b.tar.gz",
		"https://ghp_TOKEN123@github.com/o/r.git":                                            "https://redacted@github.com/o/r.git",
		"git::https://host/r.git//policy?ref=v1&sshkey=AAAAsecret":                           "git::https://host/r.git//policy?ref=v1&sshkey=redacted",
		"https://bucket.s3.amazonaws.com/b.tar.gz?X-Amz-Signature=abc123&checksum=sha256:00": "https://bucket.s3.amazonaws.com/b.tar.gz?X-Amz-Signature=redacted&checksum=sha256:00",
		"git@github.com:o/r.git?ref=main":                                                    "git@github.com:o/r.git?ref=main",
		"git::ssh://git@github.com/o/r.git":                                                  "git::ssh://git@github.com/o/r.git",
		"policy/":                                                                            "policy/",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEmbeddedAndFolders(t *testing.T) {
	dir := testutil.WriteTree(t, map[string]string{"p.rego": "package a.b\n\ndeny contains \"x\"\n"})
	f, err := Fetch(context.Background(), dir, FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Path != dir || f.Kind != KindFolder || f.Remote || f.Revision != "" {
		t.Errorf("fetched = %+v", f)
	}
	e := Embedded("builtin", os.DirFS(testutil.WriteTree(t, map[string]string{"q/q.rego": "package q\n\nwarn contains \"y\"\n"})))
	pols, srcs, err := LoadPolicies([]*Fetched{e, f}, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pols.Modules) != 2 || len(pols.Origins) != 2 || !strings.HasPrefix(pols.Origins[0], "builtin sha256:") || !strings.HasPrefix(pols.Origins[1], dir+" sha256:") {
		t.Errorf("policies = %v %v", pols.Modules, pols.Origins)
	}
	if !reflect.DeepEqual(srcs[1].Roots, []string{"a/b"}) || !reflect.DeepEqual(srcs[0].Packages, []string{"q"}) {
		t.Errorf("sources = %+v", srcs)
	}
	if u, err := Fetch(context.Background(), "file://"+filepath.ToSlash(dir), FetchOptions{}); err != nil || u.Path != dir || u.Kind != KindFolder {
		t.Errorf("file URL: %+v, %v", u, err)
	}
	if _, err := Fetch(context.Background(), filepath.Join(dir, "nowhere"), FetchOptions{}); err == nil || !strings.HasSuffix(err.Error(), "nowhere: no such file or directory") {
		t.Errorf("err = %v", err)
	}
	// A local folder holding a bundle is refused under verification: the
	// loader would read the bundle unverified.
	inner := testutil.WriteTree(t, map[string]string{"p.rego": "package z\n"})
	if err := os.WriteFile(filepath.Join(inner, "x.tar.gz"), build(t, policyDir(t), BuildOptions{}), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, _ := Fetch(context.Background(), inner, FetchOptions{})
	if _, _, err := LoadPolicies([]*Fetched{fi}, LoadOptions{Verify: &VerifyOptions{Key: ecKey(t, elliptic.P256()).public}}); err == nil || !strings.Contains(err.Error(), "x.tar.gz, which would be read unverified") {
		t.Errorf("err = %v", err)
	}
}

package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/compile"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/secgate/secgate/internal/testutil"
)

// The acme gate denies findings of the severities its data lists.
const (
	bundleGateRego = `package acme.gate

deny contains msg if {
	some f in input.findings
	f.severity in data.acme.gate.deny_severities
	msg := sprintf("%s (%s) is not allowed by the acme bundle", [f.rule_id, f.severity])
}
`
	bundleGateDataMedium = `{"deny_severities": ["critical", "medium"]}`
	bundleGateDataNone   = `{"deny_severities": []}`
)

// Reports: one with medium findings (the gate fails), one with none.
var (
	reportMedium  = filepath.Join("..", "..", "testdata", "corpus", "trivy-json", "trivy-image-alpine310-os-vulns.json")
	reportNoVulns = filepath.Join("..", "..", "testdata", "corpus", "trivy-json", "trivy-image-alpine-no-vulns.json")
)

// bundleRun runs secgate in-process and returns its exit code and output.
func bundleRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"secgate"}, args...), strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// bundleMustRun runs secgate and fails the test unless it exits with want.
func bundleMustRun(t *testing.T, want int, args ...string) (string, string) {
	t.Helper()
	code, stdout, stderr := bundleRun(t, args...)
	if code != want {
		t.Fatalf("secgate %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, stdout, stderr)
	}
	return stdout, stderr
}

// bundleSource is the acme gate as a bundle source folder.
func bundleSource(t *testing.T, data string) string {
	t.Helper()
	return testutil.WriteTree(t, map[string]string{"acme/gate/gate.rego": bundleGateRego, "acme/gate/data.json": data})
}

// bundleKeyFiles writes a generated key pair as PEM files and returns
// their paths.
func bundleKeyFiles(t *testing.T, alg string) (private, public string) {
	t.Helper()
	var k any
	var pub any
	var err error
	switch alg {
	case "ES256":
		var ek *ecdsa.PrivateKey
		ek, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		k, pub = ek, &ek.PublicKey
	case "RS256":
		var rk *rsa.PrivateKey
		rk, err = rsa.GenerateKey(rand.Reader, 2048)
		k, pub = rk, &rk.PublicKey
	}
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	private, public = filepath.Join(dir, "key.pem"), filepath.Join(dir, "key.pub")
	if err := os.WriteFile(private, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(public, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644); err != nil {
		t.Fatal(err)
	}
	return private, public
}

// bundleBuild runs secgate bundle build and returns the bundle's bytes.
func bundleBuild(t *testing.T, src string, flags ...string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "b.tar.gz")
	bundleMustRun(t, 0, append([]string{"bundle", "build", src, "-o", out, "--revision", "v1"}, flags...)...)
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// bundleRepack rewrites a .tar.gz, passing each entry's body through edit.
func bundleRepack(t *testing.T, raw []byte, edit func(name, body string) string) []byte {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		nb := edit(hdr.Name, string(body))
		hdr.Size = int64(len(nb))
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(nb))
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

// opaBuilt builds src the way `opa build -b` does, with OPA's compile package.
func opaBuilt(t *testing.T, src string) []byte {
	t.Helper()
	var buf bytes.Buffer
	c := compile.New().WithFS(os.DirFS(src)).WithPaths(".").WithAsBundle(true).WithRegoVersion(ast.RegoV1).WithOutput(&buf)
	if err := c.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBundleServedOverHTTP(t *testing.T) {
	src := bundleSource(t, bundleGateDataMedium)
	esKey, esPub := bundleKeyFiles(t, "ES256")
	rsKey, rsPub := bundleKeyFiles(t, "RS256")
	_, otherPub := bundleKeyFiles(t, "ES256")

	unsigned := bundleBuild(t, src)
	es := bundleBuild(t, src, "--signing-key", esKey)
	rs := bundleBuild(t, src, "--signing-key", rsKey, "--key-id", "rsa")
	tampered := bundleRepack(t, es, func(name, body string) string {
		if strings.HasSuffix(name, ".rego") {
			return strings.Replace(body, `"medium"`, `"low"`, 1) + "\n# x\n"
		}
		return body
	})
	srv := testutil.Serve(t, map[string][]byte{
		"/unsigned.tar.gz": unsigned, "/es.tar.gz": es, "/rs.tar.gz": rs,
		"/tampered.tar.gz": tampered, "/opa.tar.gz": opaBuilt(t, src),
	})
	cache := t.TempDir()

	for _, tc := range []struct {
		name, bundle, report string
		flags                []string
		code                 int
		stdout, stderr       string
	}{
		{"unsigned, no key", "unsigned", reportMedium, nil, 1, `"decision": "fail"`, ""},
		{"ES256", "es", reportMedium, []string{"--verification-key", esPub}, 1, `CVE-2019-1549 \(medium\) is not allowed by the acme bundle`, ""},
		{"RS256", "rs", reportMedium, []string{"--verification-key", rsPub}, 1, `"policy": "acme.gate"`, ""},
		{"ES256, nothing found", "es", reportNoVulns, []string{"--verification-key", esPub}, 0, `"decision": "pass"`, ""},
		{"built by OPA", "opa", reportMedium, nil, 1, `"policy": "acme.gate"`, ""},
		{"unsigned under a key", "unsigned", reportNoVulns, []string{"--verification-key", esPub}, 2, "",
			`^secgate: error: policy http://127\.0\.0\.1:\d+/unsigned\.tar\.gz: bundle refused: unsigned: the bundle has no \.signatures\.json\n$`},
		{"tampered", "tampered", reportNoVulns, []string{"--verification-key", esPub}, 2, "",
			`^secgate: error: policy http://127\.0\.0\.1:\d+/tampered\.tar\.gz: bundle refused: content does not match its signature: .*acme/gate/gate\.rego: digest mismatch`},
		{"another key", "es", reportNoVulns, []string{"--verification-key", otherPub}, 2, "",
			`bundle refused: signature does not verify with the verification key`},
		{"RSA bundle, EC key", "rs", reportNoVulns, []string{"--verification-key", esPub}, 2, "",
			`bundle refused: signature does not verify with the verification key: signed with RS256`},
		{"skip verification", "tampered", reportMedium, []string{"--verification-key", esPub, "--insecure-skip-verify"}, 1, `"decision": "fail"`,
			`^secgate: warning: bundle signatures are NOT verified\n$`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"check", "--policy-cache", cache, "-o", "json", "-p", srv.URL + "/" + tc.bundle + ".tar.gz"}, tc.flags...)
			code, stdout, stderr := bundleRun(t, append(args, tc.report)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			if tc.stdout != "" && !regexp.MustCompile(tc.stdout).MatchString(stdout) {
				t.Errorf("stdout lacks %s:\n%s", tc.stdout, stdout)
			}
			if !regexp.MustCompile(tc.stderr).MatchString(stderr) || (tc.stderr == "" && stderr != "") {
				t.Errorf("stderr = %q, want %s", stderr, tc.stderr)
			}
		})
	}

	// What came from where.
	stdout, _ := bundleMustRun(t, 0, "policies", "--policy-cache", cache, "--verification-key", rsPub, "-p", srv.URL+"/rs.tar.gz")
	for _, want := range []string{
		"  " + srv.URL + "/rs.tar.gz\n",
		"    revision:  " + sha256Of(rs) + "\n",
		`    bundle:    revision "v1", roots ["acme/gate"], signature verified: yes` + "\n",
		"      " + srv.URL + "/rs.tar.gz/acme/gate/gate.rego\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("policies lacks %q:\n%s", want, stdout)
		}
	}

	// pull saves the bundle as it is.
	dir := t.TempDir()
	stdout, _ = bundleMustRun(t, 0, "pull", "--policy-cache", cache, srv.URL+"/es.tar.gz", dir)
	if got, _ := os.ReadFile(filepath.Join(dir, "es.tar.gz")); !bytes.Equal(got, es) {
		t.Errorf("pulled bundle differs; stdout %s", stdout)
	}

	// Offline, the cache serves what was fetched; the server is gone.
	srv.Close()
	bundleMustRun(t, 1, "check", "--offline", "--policy-cache", cache, "--verification-key", esPub, "-p", srv.URL+"/es.tar.gz", reportMedium)
	_, stderr := bundleMustRun(t, 2, "check", "--policy-cache", cache, "-p", srv.URL+"/es.tar.gz", reportMedium)
	if !strings.HasPrefix(stderr, "secgate: error: policy "+srv.URL+"/es.tar.gz: unreachable: ") {
		t.Errorf("stderr = %q", stderr)
	}
}

func sha256Of(raw []byte) string {
	sum := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func TestBundleUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://" + l.Addr().String() + "/b.tar.gz"
	l.Close()
	code, stdout, stderr := bundleRun(t, "check", "--policy-cache", t.TempDir(), "-p", addr, reportNoVulns)
	if code != 2 || stdout != "" {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	want := regexp.MustCompile(`^secgate: error: policy ` + regexp.QuoteMeta(addr) + `: unreachable: dial tcp [0-9.:]+: connect: connection refused\n$`)
	if !want.MatchString(stderr) {
		t.Errorf("stderr = %q", stderr)
	}
}

// bundleGitRepo makes a repository whose policy/ denies medium findings at
// tag v1 and nothing after it, with a signed bundle of v1 in dist/.
func bundleGitRepo(t *testing.T, signingKey string) (dir, tagged string) {
	t.Helper()
	dir = testutil.WriteTree(t, map[string]string{
		"policy/acme/gate/gate.rego": bundleGateRego,
		"policy/acme/gate/data.json": bundleGateDataMedium,
	})
	bundleMustRun(t, 0, "bundle", "build", filepath.Join(dir, "policy"), "-o", filepath.Join(dir, "dist", "b.tar.gz"), "--signing-key", signingKey)
	git := testutil.Git(t, dir)
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "v1")
	git("tag", "v1")
	tagged = git("rev-parse", "HEAD")
	if err := os.WriteFile(filepath.Join(dir, "policy", "acme", "gate", "data.json"), []byte(bundleGateDataNone), 0o644); err != nil {
		t.Fatal(err)
	}
	git("commit", "-q", "-am", "relax")
	return dir, tagged
}

func TestBundleGitSource(t *testing.T) {
	key, pub := bundleKeyFiles(t, "ES256")
	repo, tagged := bundleGitRepo(t, key)
	cache := t.TempDir()
	base := "git::file://" + filepath.ToSlash(repo)
	atV1 := base + "//policy?ref=v1"

	// v1 denies medium findings; main no longer does.
	stdout, _ := bundleMustRun(t, 1, "check", "--policy-cache", cache, "-o", "json", "-p", atV1, reportMedium)
	if !strings.Contains(stdout, `"policy": "acme.gate"`) {
		t.Errorf("stdout = %s", stdout)
	}
	bundleMustRun(t, 0, "check", "--policy-cache", cache, "-p", base+"//policy?ref=main", reportMedium)

	stdout, _ = bundleMustRun(t, 0, "policies", "--policy-cache", cache, "-p", atV1)
	if !strings.Contains(stdout, "  "+atV1+"\n    kind:      folder\n    revision:  "+tagged+"\n") {
		t.Errorf("policies:\n%s", stdout)
	}

	// A folder from git carries no signature: refused under a key...
	_, stderr := bundleMustRun(t, 2, "check", "--policy-cache", cache, "--verification-key", pub, "-p", atV1, reportMedium)
	if !strings.Contains(stderr, "policy "+atV1+": unsigned: a folder fetched from a remote address carries no signature") {
		t.Errorf("stderr = %q", stderr)
	}
	// ...while a signed bundle kept in the repository verifies.
	bundleMustRun(t, 1, "check", "--policy-cache", cache, "--verification-key", pub, "-p", base+"//dist/b.tar.gz?ref=v1", reportMedium)

	// pull copies the folder at the ref, without .git.
	dir := filepath.Join(t.TempDir(), "policy")
	stdout, _ = bundleMustRun(t, 0, "pull", "--policy-cache", cache, atV1, dir)
	if want := "pulled " + atV1 + " at " + tagged + " into " + dir + "\n"; stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "acme", "gate", "data.json")); string(got) != bundleGateDataMedium {
		t.Errorf("pulled data.json = %s", got)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
		t.Error("pull copied .git")
	}
}

func TestBundlePathTraversalRefused(t *testing.T) {
	// A bundle with an entry that climbs out of any destination.
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range []struct{ name, body string }{
		{"/acme/gate/gate.rego", bundleGateRego},
		{"../../../escape.rego", "package escape\n"},
	} {
		tw.WriteHeader(&tar.Header{Name: e.name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(e.body))})
		tw.Write([]byte(e.body))
	}
	tw.Close()
	zw.Close()
	srv := testutil.Serve(t, map[string][]byte{"/evil.tar.gz": buf.Bytes()})

	root := t.TempDir()
	cache := filepath.Join(root, "a", "b", "cache")
	dest := filepath.Join(root, "a", "b", "pulled")
	for _, args := range [][]string{
		{"check", "--policy-cache", cache, "-p", srv.URL + "/evil.tar.gz", reportNoVulns},
		{"pull", "--policy-cache", cache, srv.URL + "/evil.tar.gz", dest},
	} {
		code, stdout, stderr := bundleRun(t, args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, `unsafe archive: entry "../../../escape.rego" escapes the destination`) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", args[0], code, stdout, stderr)
		}
	}
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("written: %s", p)
		}
		return nil
	})
}

func TestBundleBuiltBySecgateRunsInOPA(t *testing.T) {
	raw := bundleBuild(t, bundleSource(t, bundleGateDataMedium))
	p := filepath.Join(t.TempDir(), "b.tar.gz")
	if err := os.WriteFile(p, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	// What `opa eval -b b.tar.gz data.acme.gate.deny` does.
	input := map[string]any{"findings": []any{map[string]any{"rule_id": "CVE-1", "severity": "medium"}}}
	rs, err := rego.New(rego.Query("data.acme.gate.deny"), rego.LoadBundle(p), rego.Input(input)).Eval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := rs[0].Expressions[0].Value.([]any)
	if len(got) != 1 || got[0] != "CVE-1 (medium) is not allowed by the acme bundle" {
		t.Errorf("deny = %v", got)
	}
}

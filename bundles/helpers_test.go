package bundles

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/secgate/secgate/internal/testutil"
)

// denyPolicy fails every critical finding; data.main.level configures it.
const denyPolicy = `package main

deny contains msg if {
	some f in input.findings
	f.severity == data.main.level
	msg := sprintf("%s is %s", [f.id, f.severity])
}
`

// policyDir is a small policy folder: a package main with its data.
func policyDir(t *testing.T) string {
	t.Helper()
	return testutil.WriteTree(t, map[string]string{
		"main/deny.rego":      denyPolicy,
		"main/deny_test.rego": "package main_test\n\nimport data.main\n\ntest_denies if count(main.deny) == 1 with input as {\"findings\": [{\"id\": \"a\", \"severity\": \"critical\"}]}\n",
		"main/data.json":      `{"level": "critical"}`,
	})
}

// keyPair is a generated key, PEM-encoded.
type keyPair struct {
	private, public []byte
}

func ecKey(t *testing.T, curve elliptic.Curve) keyPair {
	t.Helper()
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return keyPair{
		private: pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}),
		public:  publicPEM(t, &k.PublicKey),
	}
}

func rsaKey(t *testing.T) keyPair {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return keyPair{
		private: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		public:  publicPEM(t, &k.PublicKey),
	}
}

func publicPEM(t *testing.T, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// tarEntry is one entry of a hand-built archive.
type tarEntry struct {
	name, body, link string
	typ              byte
}

// makeTarGz builds a .tar.gz from entries, in order.
func makeTarGz(t *testing.T, entries []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		hdr := &tar.Header{Name: e.name, Typeflag: typ, Mode: 0o644, Size: int64(len(e.body)), Linkname: e.link}
		if typ != tar.TypeReg {
			hdr.Size = 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readTarGz returns the entries of a .tar.gz, in order.
func readTarGz(t *testing.T, raw []byte) []tarEntry {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var out []tarEntry
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tarEntry{name: hdr.Name, body: string(body), typ: hdr.Typeflag})
	}
}

// build builds a bundle or fails the test.
func build(t *testing.T, dir string, opts BuildOptions) []byte {
	t.Helper()
	raw, err := Build(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// writeFile writes data to a new file in a temporary folder.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// gitRepo makes a repository with policy/ at tag v1, then changes it on
// main after the tag; it returns the folder and the tagged commit.
func gitRepo(t *testing.T) (string, string) {
	t.Helper()
	dir := testutil.WriteTree(t, map[string]string{
		"policy/deny.rego": denyPolicy,
		"policy/data.json": `{"main": {"level": "critical"}}`,
		"README.md":        "policies\n",
	})
	git := testutil.Git(t, dir)
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "v1")
	git("tag", "v1")
	commit := git("rev-parse", "HEAD")
	if err := os.WriteFile(filepath.Join(dir, "policy", "data.json"), []byte(`{"main": {"level": "low"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	git("commit", "-q", "-am", "after v1")
	return dir, commit
}

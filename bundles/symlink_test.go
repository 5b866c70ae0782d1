package bundles

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/internal/safefile"
)

const leakPolicy = `package main

deny contains msg if {
	msg := sprintf("%v", [data.auths])
}
`

// put writes data to name, making its folder.
func put(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// hostileFolder is a policy folder beside a folder holding secrets; link
// (relative to the policy folder) is made a symlink to target.
func hostileFolder(t *testing.T, link, target string) string {
	t.Helper()
	root := t.TempDir()
	put(t, filepath.Join(root, "outside", "secret.env"), []byte("SECRET=abc\n"))
	put(t, filepath.Join(root, "outside", "config.json"), []byte(`{"auths": {"r": {"auth": "SECRETDOCKER"}}}`))
	dir := filepath.Join(root, "pol")
	put(t, filepath.Join(dir, "main.rego"), []byte(leakPolicy))
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, link)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// assertRefusedLink checks err refuses the link in one line that names it
// and shows nothing of the secrets.
func assertRefusedLink(t *testing.T, err error, link string) {
	t.Helper()
	if !errors.Is(err, ErrUnsafeLink) {
		t.Fatalf("err = %v, want ErrUnsafeLink", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, link+" is a symlink out of the folder") || strings.Contains(msg, "\n") || strings.Contains(msg, "SECRET") {
		t.Fatalf("err = %q, want one line naming %s and no secret", msg, link)
	}
}

// loadLocal fetches and loads a local folder as check and test do.
func loadLocal(dir string) (*eval.Policies, error) {
	f, err := Fetch(context.Background(), dir, FetchOptions{})
	if err != nil {
		return nil, err
	}
	p, _, err := LoadPolicies([]*Fetched{f}, LoadOptions{})
	return p, err
}

// TestPolicySymlinkToEnvironRefused: a module that is a symlink to a file
// outside the folder (/proc/self/environ, a CI token) is refused before
// the loader reads it and prints it in a parse error.
func TestPolicySymlinkToEnvironRefused(t *testing.T) {
	dir := hostileFolder(t, "x.rego", "../outside/secret.env")
	_, err := loadLocal(dir)
	assertRefusedLink(t, err, "x.rego")
}

// TestPolicyDataSymlinkToCredentialsRefused: a data.json symlink to a
// Docker config is refused, not loaded for a deny message to echo.
func TestPolicyDataSymlinkToCredentialsRefused(t *testing.T) {
	dir := hostileFolder(t, "data.json", "../outside/config.json")
	_, err := loadLocal(dir)
	assertRefusedLink(t, err, "data.json")
}

// TestPolicyFolderSymlinkOutRefused: a linked folder leading out, an
// absolute link, a chain of links ending outside and a dangling link are
// all refused.
func TestPolicyFolderSymlinkOutRefused(t *testing.T) {
	for _, tc := range []struct{ link, target string }{
		{"lib", "../outside"},
		{"deep/a.rego", "/proc/self/environ"},
		{"chain.json", "hop.json"}, // hop.json → outside, made below
		{"gone.rego", "nowhere.rego"},
	} {
		t.Run(tc.link, func(t *testing.T) {
			dir := hostileFolder(t, tc.link, tc.target)
			if tc.link == "chain.json" {
				if err := os.Symlink("../outside/config.json", filepath.Join(dir, "hop.json")); err != nil {
					t.Fatal(err)
				}
			}
			_, err := loadLocal(dir)
			if !errors.Is(err, ErrUnsafeLink) || strings.Contains(err.Error(), "SECRET") {
				t.Fatalf("err = %v, want ErrUnsafeLink without the secret", err)
			}
		})
	}
}

// TestPolicySymlinkInsideFolderLoads: a link inside the folder to a file
// inside it is the author's own and loads.
func TestPolicySymlinkInsideFolderLoads(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "pol")
	put(t, filepath.Join(dir, "main.rego"), []byte("package main\n\ndeny contains \"strict\" if data.strict\n"))
	put(t, filepath.Join(dir, "lib", "values.json"), []byte(`{"strict": false}`))
	if err := os.Symlink("lib/values.json", filepath.Join(dir, "data.json")); err != nil {
		t.Fatal(err)
	}
	// Links in what the loader skips (a virtualenv, testdata) do not matter.
	if err := os.MkdirAll(filepath.Join(dir, ".venv", "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/usr/bin/python3", filepath.Join(dir, ".venv", "bin", "python")); err != nil {
		t.Fatal(err)
	}
	// The folder named may itself be reached through a link.
	named := filepath.Join(root, "named")
	if err := os.Symlink(dir, named); err != nil {
		t.Fatal(err)
	}
	p, err := loadLocal(named)
	if err != nil {
		t.Fatal(err)
	}
	if p.Data["strict"] != false {
		t.Fatalf("data = %v", p.Data)
	}
}

// TestBundleBuildSymlinkOutRefused: bundle build refuses the same links.
func TestBundleBuildSymlinkOutRefused(t *testing.T) {
	dir := hostileFolder(t, "data.json", "../outside/config.json")
	_, err := Build(context.Background(), dir, BuildOptions{})
	assertRefusedLink(t, err, "data.json")
}

// TestPullLocalSymlinkOutRefused: pull of a local folder refuses the same
// links; nothing is saved.
func TestPullLocalSymlinkOutRefused(t *testing.T) {
	dir := hostileFolder(t, "x.rego", "../outside/secret.env")
	_, err := Fetch(context.Background(), dir, FetchOptions{})
	assertRefusedLink(t, err, "x.rego")
}

// TestPullIntoPlantedSymlinkRefused: pull writes nothing through a
// symlink planted in the destination (a sub-folder or a file).
func TestPullIntoPlantedSymlinkRefused(t *testing.T) {
	src := policyDir(t)
	f, err := Fetch(context.Background(), src, FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, planted := range []string{"main", "main/deny.rego"} {
		t.Run(planted, func(t *testing.T) {
			root := t.TempDir()
			elsewhere := filepath.Join(root, "elsewhere")
			put(t, filepath.Join(elsewhere, "deny.rego"), []byte("ORIGINAL"))
			dst := filepath.Join(root, "dst")
			target := elsewhere
			if planted != "main" {
				target = filepath.Join(elsewhere, "deny.rego")
			}
			if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, planted)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, filepath.Join(dst, planted)); err != nil {
				t.Fatal(err)
			}
			if _, err := Save(f, dst); !errors.Is(err, safefile.ErrSymlink) {
				t.Fatalf("Save = %v, want a refused symlink", err)
			}
			if got, _ := os.ReadFile(filepath.Join(elsewhere, "deny.rego")); string(got) != "ORIGINAL" {
				t.Fatalf("written through the planted link: %.40q", got)
			}
		})
	}
}

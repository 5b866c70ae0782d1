package bundles

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"crypto/elliptic"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/secgate/secgate/internal/netpolicy"
	"github.com/secgate/secgate/internal/testutil"
)

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestFetchHTTPBundle(t *testing.T) {
	ctx := context.Background()
	raw := build(t, policyDir(t), BuildOptions{Revision: "r7"})
	srv := testutil.Serve(t, map[string][]byte{"/b.tar.gz": raw, "/p/deny.rego": []byte(denyPolicy)})
	cache := t.TempDir()
	addr := srv.URL + "/b.tar.gz"

	f, err := Fetch(ctx, addr, FetchOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	want := sha256Hex(raw)
	if f.Kind != KindBundle || f.Revision != want || f.FromCache || !f.Remote || f.Address != addr {
		t.Errorf("fetched = %+v", f)
	}
	if got, _ := os.ReadFile(f.Path); !bytes.Equal(got, raw) || !strings.HasPrefix(f.Path, cache) {
		t.Errorf("cached bundle at %s differs", f.Path)
	}
	pols, srcs, err := LoadPolicies([]*Fetched{f}, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := denies(t, pols, criticalInput); !reflect.DeepEqual(got, []string{"F1 is critical"}) {
		t.Errorf("deny = %v", got)
	}
	if srcs[0].BundleRevision != "r7" || srcs[0].Revision != want || srcs[0].Address != addr {
		t.Errorf("source = %+v", srcs[0])
	}
	if _, ok := pols.Modules[addr+"/main/deny.rego"]; !ok {
		t.Errorf("modules = %v", srcs[0].Modules)
	}

	// Offline: the cache answers, without the server.
	srv.Close()
	off, err := Fetch(ctx, addr, FetchOptions{CacheDir: cache, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	if !off.FromCache || off.Revision != want || off.Path != f.Path {
		t.Errorf("offline = %+v", off)
	}
	if _, err := Fetch(ctx, addr+"?x=1", FetchOptions{CacheDir: cache, Offline: true}); !errors.Is(err, ErrNotCached) {
		t.Errorf("offline, not cached: err = %v", err)
	}
	// Online without the server: unreachable, naming the address.
	if _, err := Fetch(ctx, addr, FetchOptions{CacheDir: cache}); err == nil || !strings.HasPrefix(err.Error(), "policy "+addr+": unreachable: ") {
		t.Errorf("err = %v", err)
	}
}

func TestFetchChecksum(t *testing.T) {
	ctx := context.Background()
	raw := build(t, policyDir(t), BuildOptions{})
	srv := testutil.Serve(t, map[string][]byte{"/b.tar.gz": raw})
	cache := t.TempDir()
	sum := strings.TrimPrefix(sha256Hex(raw), "sha256:")

	if _, err := Fetch(ctx, srv.URL+"/b.tar.gz?checksum=sha256:"+strings.Repeat("0", 64), FetchOptions{CacheDir: cache}); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Errorf("wrong checksum: err = %v", err)
	}
	pinned := srv.URL + "/b.tar.gz?checksum=sha256:" + sum
	f, err := Fetch(ctx, pinned, FetchOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if f.FromCache || f.Revision != "sha256:"+sum {
		t.Errorf("fetched = %+v", f)
	}
	// Pinned content already in the cache needs no network.
	srv.Close()
	again, err := Fetch(ctx, pinned, FetchOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if !again.FromCache || again.Path != f.Path {
		t.Errorf("again = %+v", again)
	}
}

func TestFetchArchiveAndFile(t *testing.T) {
	ctx := context.Background()
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for name, body := range map[string]string{"pol/main/deny.rego": denyPolicy, "pol/main/data.json": `{"level": "low"}`} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	zw.Close()
	srv := testutil.Serve(t, map[string][]byte{"/p.zip": zbuf.Bytes(), "/deny.rego": []byte(denyPolicy)})
	cache := t.TempDir()

	f, err := Fetch(ctx, srv.URL+"/p.zip//pol", FetchOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if f.Kind != KindFolder || filepath.Base(f.Path) != "pol" || f.Revision != sha256Hex(zbuf.Bytes()) {
		t.Errorf("fetched = %+v", f)
	}
	pols, _, err := LoadPolicies([]*Fetched{f}, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := denies(t, pols, criticalInput); !reflect.DeepEqual(got, []string{"F2 is low"}) {
		t.Errorf("deny = %v", got)
	}
	if _, err := Fetch(ctx, srv.URL+"/p.zip//nowhere", FetchOptions{CacheDir: cache}); err == nil || !strings.Contains(err.Error(), `subdir "nowhere" not found`) {
		t.Errorf("err = %v", err)
	}

	r, err := Fetch(ctx, srv.URL+"/deny.rego", FetchOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if r.Kind != KindFile || filepath.Base(r.Path) != "deny.rego" {
		t.Errorf("fetched = %+v", r)
	}
	if _, err := Fetch(ctx, srv.URL+"/missing.tar.gz", FetchOptions{CacheDir: cache}); err == nil || !strings.Contains(err.Error(), "bad response code: 404") {
		t.Errorf("404: err = %v", err)
	}
}

func TestFetchRefusesUnsafeArchives(t *testing.T) {
	ctx := context.Background()
	payload := "package evil\n\ndeny contains \"pwned\"\n"
	traversal := makeTarGz(t, []tarEntry{
		{name: "/main/deny.rego", body: denyPolicy},
		{name: "../../escape.rego", body: payload},
	})
	symlink := makeTarGz(t, []tarEntry{
		{name: "/main/link.rego", typ: tar.TypeSymlink, link: "/etc/passwd"},
	})
	hardlink := makeTarGz(t, []tarEntry{
		{name: "main/link.rego", typ: tar.TypeLink, link: "../../../etc/passwd"},
	})
	zipWith := func(name string) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(payload))
		zw.Close()
		return buf.Bytes()
	}
	// An uncompressed tar, which secgate unpacks (a bundle is never unpacked).
	var plain bytes.Buffer
	tw := tar.NewWriter(&plain)
	tw.WriteHeader(&tar.Header{Name: "/abs/escape.rego", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(payload))})
	tw.Write([]byte(payload))
	tw.Close()

	srv := testutil.Serve(t, map[string][]byte{
		"/traversal.tar.gz": traversal,
		"/symlink.tar.gz":   symlink,
		"/hardlink.tgz":     hardlink,
		"/dotdot.zip":       zipWith("../../escape.rego"),
		"/absolute.zip":     zipWith("/tmp/escape.rego"),
		"/absolute.tar":     plain.Bytes(),
	})
	for _, tc := range []struct{ path, want string }{
		{"/traversal.tar.gz", `entry "../../escape.rego" escapes the destination`},
		{"/symlink.tar.gz", `entry "/main/link.rego" is a link`},
		{"/hardlink.tgz", `is a link`},
		{"/dotdot.zip", `entry "../../escape.rego" escapes the destination`},
		{"/absolute.zip", `entry "/tmp/escape.rego" is an absolute path`},
		{"/absolute.tar", `entry "/abs/escape.rego" is an absolute path`},
	} {
		t.Run(tc.path, func(t *testing.T) {
			// The cache is two levels down, so that an escape by ../../
			// would land inside root where the test can see it.
			root := t.TempDir()
			cache := filepath.Join(root, "a", "cache")
			_, err := Fetch(ctx, srv.URL+tc.path, FetchOptions{CacheDir: cache})
			if !errors.Is(err, ErrUnsafeArchive) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "policy "+srv.URL+tc.path+": ") {
				t.Errorf("error does not name the source: %v", err)
			}
			// Nothing was written anywhere: not outside the cache, and
			// nothing left inside it.
			filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					t.Errorf("file left behind: %s", p)
				}
				return nil
			})
			if _, err := os.Stat("/tmp/escape.rego"); err == nil {
				t.Errorf("/tmp/escape.rego was written")
			}
		})
	}
}

func TestFetchGit(t *testing.T) {
	ctx := context.Background()
	repo, tagged := gitRepo(t)
	cache := t.TempDir()
	addr := "git::file://" + filepath.ToSlash(repo) + "//policy?ref=v1"

	f, err := Fetch(ctx, addr, FetchOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if f.Kind != KindFolder || f.Revision != tagged || filepath.Base(f.Path) != "policy" || f.FromCache {
		t.Errorf("fetched = %+v", f)
	}
	pols, srcs, err := LoadPolicies([]*Fetched{f}, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// v1's data says critical; the commit after the tag says low.
	if got := denies(t, pols, criticalInput); !reflect.DeepEqual(got, []string{"F1 is critical"}) {
		t.Errorf("deny = %v", got)
	}
	if srcs[0].Revision != tagged || srcs[0].Address != addr {
		t.Errorf("source = %+v", srcs[0])
	}

	// Offline: the cache serves the last revision fetched.
	off, err := Fetch(ctx, addr, FetchOptions{CacheDir: cache, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	if !off.FromCache || off.Revision != tagged || off.Path != f.Path {
		t.Errorf("offline = %+v", off)
	}
	// A full commit id already cached needs no network.
	byCommit := "git::file://" + filepath.ToSlash(repo) + "//policy?ref=" + tagged
	if _, err := Fetch(ctx, byCommit, FetchOptions{CacheDir: cache}); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(repo, ".git"))
	again, err := Fetch(ctx, byCommit, FetchOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if !again.FromCache || again.Revision != tagged {
		t.Errorf("by commit = %+v", again)
	}
	// Now the repository is gone: a moving ref is unreachable.
	if _, err := Fetch(ctx, addr, FetchOptions{CacheDir: cache}); err == nil || !strings.HasPrefix(err.Error(), "policy "+addr+": unreachable: ") {
		t.Errorf("err = %v", err)
	}
}

func TestFetchGitVerify(t *testing.T) {
	repo, _ := gitRepo(t)
	key := ecKey(t, elliptic.P256())
	cache := t.TempDir()
	f, err := Fetch(context.Background(), "git::file://"+filepath.ToSlash(repo)+"//policy?ref=v1", FetchOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = LoadPolicies([]*Fetched{f}, LoadOptions{Verify: &VerifyOptions{Key: key.public}})
	if !errors.Is(err, ErrUnsigned) || !strings.Contains(err.Error(), "folder fetched from a remote address carries no signature") {
		t.Errorf("err = %v", err)
	}
}

func TestFetchRefusals(t *testing.T) {
	ctx := context.Background()
	cache := t.TempDir()
	for _, tc := range []struct{ src, want string }{
		{"http://example.invalid/b.tar.gz", "plain http to example.invalid (use https, or allow it explicitly with --allow-http)"},
		{"git::http://example.invalid/r.git", "plain http to example.invalid"},
		{"s3::https://s3.amazonaws.com/bucket/b.tar.gz", "the s3 getter is not built in"},
		{"gcs::https://www.googleapis.com/storage/v1/bucket/b.tar.gz", "the gcs getter is not built in"},
		{"hg::https://example.invalid/repo", `getter "hg" is not allowed (allowed: http, https, git)`},
		{"ftp://example.invalid/b.tar.gz", `getter "ftp" is not allowed`},
		{"file://example.invalid/etc", "file:// URLs name local paths"},
		{"https://example.invalid/dir/", "an http(s) source names a file"},
		{"git::file:///tmp/repo//../../etc?ref=v1", "subdir"},
	} {
		_, err := Fetch(ctx, tc.src, FetchOptions{CacheDir: cache})
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.src, err, tc.want)
		}
	}
	entries, _ := os.ReadDir(cache)
	for _, e := range entries {
		t.Errorf("refused sources left %s in the cache", e.Name())
	}
}

func TestFetchRedactsCredentials(t *testing.T) {
	port := closedPort(t)
	src := "http://alice:s3cr3t-pw@" + port + "/b.tar.gz?token=tok-abc123&ref=v1"
	_, err := Fetch(context.Background(), src, FetchOptions{CacheDir: t.TempDir()})
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, secret := range []string{"s3cr3t-pw", "tok-abc123"} {
		if strings.Contains(msg, secret) {
			t.Errorf("error leaks %q: %s", secret, msg)
		}
	}
	want := "policy http://alice:redacted@" + port + "/b.tar.gz?token=redacted&ref=v1: unreachable: "
	if !strings.HasPrefix(msg, want) || strings.Contains(msg, "\n") {
		t.Errorf("err = %s, want prefix %s", msg, want)
	}
}

// TestDetectShorthands: shorthand addresses become git URLs the way
// go-getter's detection makes them, forced getters and subdirs kept;
// URLs and unknown strings are left alone or refused.
func TestDetectShorthands(t *testing.T) {
	cases := map[string]string{
		"github.com/org/policies":                 "git::https://github.com/org/policies.git",
		"github.com/org/policies//rego?ref=v1.2":  "git::https://github.com/org/policies.git//rego?ref=v1.2",
		"gitlab.com/org/policies?ref=main":        "git::https://gitlab.com/org/policies.git?ref=main",
		"git@github.com:org/policies.git":         "git::ssh://git@github.com/org/policies.git",
		"git@github.com:org/policies.git//sub":    "git::ssh://git@github.com/org/policies.git//sub",
		"git::https://example.org/r.git//d?ref=x": "git::https://example.org/r.git//d?ref=x",
		"https://example.org/b.tar.gz":            "https://example.org/b.tar.gz",
	}
	for in, want := range cases {
		got, err := detect(in)
		if err != nil || got != want {
			t.Errorf("detect(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := detect("just-a-name"); err == nil {
		t.Error("detect(just-a-name): want an error")
	}
}

// TestFetchTimeoutCutsTrickle: a policy download sent a byte at a time is
// cut by the fetch timeout, which the error names.
func TestFetchTimeoutCutsTrickle(t *testing.T) {
	srv := httptest.NewServer(testutil.Trickle("\x1f\x8b", 50*time.Millisecond))
	defer srv.Close()
	_, err := Fetch(context.Background(), srv.URL+"/b.tar.gz", FetchOptions{CacheDir: t.TempDir(), Timeout: 300 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "fetch timeout") {
		t.Fatalf("err = %v, want the fetch timeout", err)
	}
}

// TestFetchRedirectToPlainHTTPRefused: a source that redirects to plain
// http on another host is refused before that host is resolved or dialled
// (an attempt would fail with "no such host", not with the refusal).
func TestFetchRedirectToPlainHTTPRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://example.invalid/b.tar.gz", http.StatusFound)
	}))
	defer srv.Close()
	_, err := Fetch(context.Background(), srv.URL+"/b.tar.gz", FetchOptions{CacheDir: t.TempDir()})
	if !errors.Is(err, netpolicy.ErrPlainHTTP) || !strings.Contains(err.Error(), "plain http to example.invalid") {
		t.Fatalf("err = %v, want the plain http refusal", err)
	}
}

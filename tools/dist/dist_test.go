package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest"
	"github.com/secgate/secgate/internal/safefile"
)

// buildInfo is what go version -m prints for a secgate binary (cut
// short), with a replaced module.
const buildInfo = `go	go1.26.8
path	github.com/secgate/secgate/cmd/secgate
mod	github.com/secgate/secgate	(devel)	
dep	github.com/CycloneDX/cyclonedx-go	v0.12.0	h1:abc=
dep	github.com/open-policy-agent/opa	v1.22.2	h1:def=
dep	golang.org/x/sys	v0.49.0	h1:ghi=
dep	example.com/old	v1.0.0	h1:jkl=
=>	example.com/fork	v1.0.1	h1:mno=
build	-trimpath=true
build	CGO_ENABLED=0
build	GOOS=linux
`

func parse(t *testing.T, s string) *debug.BuildInfo {
	t.Helper()
	bi, err := debug.ParseBuildInfo(s)
	if err != nil {
		t.Fatal(err)
	}
	bi.GoVersion = "go1.26.8" // ParseBuildInfo leaves it out
	return bi
}

// TestSBOMIngests writes the SBOM of two binaries' build information and
// reads it back with secgate's own CycloneDX ingester: secgate is its
// component, each module linked into either binary is a component once,
// by package URL, a replaced module under its replacement.
func TestSBOMIngests(t *testing.T) {
	linux := parse(t, buildInfo)
	windows := parse(t, strings.Replace(buildInfo, "dep\tgolang.org/x/sys\tv0.49.0\th1:ghi=\n",
		"dep\tgolang.org/x/sys\tv0.49.0\th1:ghi=\ndep\tgithub.com/inconshreveable/mousetrap\tv1.1.0\th1:pqr=\n", 1))
	bom, err := sbom("v1.2.3", []*debug.BuildInfo{linux, windows})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := writeSBOM(&buf, bom); err != nil {
		t.Fatal(err)
	}
	src, rep, err := ingest.Bytes("secgate.cdx.json", "", buf.Bytes())
	if err != nil {
		t.Fatalf("secgate cannot read its own SBOM: %v\n%s", err, buf.String())
	}
	doc := document.New()
	doc.Add(src, rep)
	doc.Finish()
	if err := doc.Validate(); err != nil {
		t.Fatal(err)
	}
	src = doc.Sources[0]
	if src.Format != "cyclonedx" {
		t.Errorf("format %q, want cyclonedx", src.Format)
	}
	if src.Subject == nil || src.Subject.Purl != "pkg:golang/github.com/secgate/secgate@v1.2.3" {
		t.Errorf("subject %+v, want secgate v1.2.3", src.Subject)
	}
	var got []string
	for _, c := range doc.Components {
		got = append(got, c.Purl)
	}
	want := []string{
		"pkg:golang/example.com/fork@v1.0.1",
		"pkg:golang/github.com/CycloneDX/cyclonedx-go@v0.12.0",
		"pkg:golang/github.com/inconshreveable/mousetrap@v1.1.0",
		"pkg:golang/github.com/open-policy-agent/opa@v1.22.2",
		"pkg:golang/golang.org/x/sys@v0.49.0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("components\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, c := range doc.Components {
		if c.Ecosystem != "golang" {
			t.Errorf("%s: ecosystem %q", c.Purl, c.Ecosystem)
		}
	}

	// The same binaries give the same SBOM.
	var again bytes.Buffer
	bom2, _ := sbom("v1.2.3", []*debug.BuildInfo{linux, windows})
	if err := writeSBOM(&again, bom2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("two SBOMs of the same binaries differ")
	}
}

// TestSBOMRefuses: an SBOM that would misname what ships is an error.
func TestSBOMRefuses(t *testing.T) {
	bi := parse(t, buildInfo)
	other := parse(t, buildInfo)
	other.GoVersion = "go1.25.0"
	local := parse(t, buildInfo+"dep\texample.com/local\tv0.0.0\n=>\t../local\t\t\n")
	for name, infos := range map[string][]*debug.BuildInfo{
		"no binaries":       nil,
		"two Go versions":   {bi, other},
		"local replacement": {local},
	} {
		if _, err := sbom("v1", infos); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestSBOMOfBuiltBinary reads the build information of a binary Go just
// built: the test binary itself, which links secgate's ingest package.
func TestSBOMOfBuiltBinary(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	infos, err := readBuildInfo([]string{exe})
	if err != nil {
		t.Fatal(err)
	}
	bom, err := sbom("devel", infos)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range *bom.Components {
		found = found || c.Name == "github.com/CycloneDX/cyclonedx-go"
	}
	if !found {
		t.Error("the SBOM of a binary linking cyclonedx-go does not list it")
	}
	if _, err := readBuildInfo([]string{filepath.Join("testdata", "missing")}); err == nil {
		t.Error("a missing binary: no error")
	}
}

// TestWriteSums writes SHA256SUMS as sha256sum writes it, sorted by name,
// and checks it with sha256sum -c where it is installed.
func TestWriteSums(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{"b.tar.gz": "bee", "a.zip": "ay", "secgate.cdx.json": "{}"}
	var paths []string
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	var buf bytes.Buffer
	if err := writeSums(&buf, paths); err != nil {
		t.Fatal(err)
	}
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	want := sum("ay") + "  a.zip\n" + sum("bee") + "  b.tar.gz\n" + sum("{}") + "  secgate.cdx.json\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
	if _, err := exec.LookPath("sha256sum"); err == nil {
		if err := os.WriteFile(filepath.Join(dir, "SHA256SUMS"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("sha256sum", "-c", "SHA256SUMS")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("sha256sum -c: %v\n%s", err, out)
		}
	}
	if err := writeSums(io.Discard, []string{paths[0], paths[0]}); err == nil {
		t.Error("a file listed twice: no error")
	}
	if err := writeSums(io.Discard, []string{filepath.Join(dir, "missing")}); err == nil {
		t.Error("a missing file: no error")
	}
}

// TestArchive packs a binary and a text file as tar.gz and zip: the
// binary stays executable, entries are sorted and dated the same, so the
// same files give the same archive; a symlinked destination is refused.
func TestArchive(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "secgate")
	readme := filepath.Join(dir, "README.md")
	if err := os.WriteFile(bin, []byte("\x7fELF"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(readme, []byte("# secgate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	content := map[string]string{"secgate_v1_linux_amd64/secgate": bin, "secgate_v1_linux_amd64/README.md": readme}

	tgz := filepath.Join(dir, "a.tar.gz")
	if err := archive(tgz, content); err != nil {
		t.Fatal(err)
	}
	var entries []string
	for _, h := range tarHeaders(t, tgz) {
		entries = append(entries, h.Name+" "+os.FileMode(h.Mode).String()+" "+h.ModTime.UTC().Format("2006"))
	}
	if got, want := strings.Join(entries, "\n"), "secgate_v1_linux_amd64/README.md -rw-r--r-- 1980\nsecgate_v1_linux_amd64/secgate -rwxr-xr-x 1980"; got != want {
		t.Errorf("tar entries\n%s\nwant\n%s", got, want)
	}

	zipPath := filepath.Join(dir, "a.zip")
	if err := archive(zipPath, content); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 2 || zr.File[1].Name != "secgate_v1_linux_amd64/secgate" || zr.File[1].Mode()&0o111 == 0 {
		t.Errorf("zip entries: %v", zr.File)
	}

	first, _ := os.ReadFile(tgz)
	if err := archive(tgz, content); err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(tgz)
	if !bytes.Equal(first, second) {
		t.Error("two archives of the same files differ")
	}

	link := filepath.Join(dir, "link.tar.gz")
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	if err := archive(link, content); !errors.Is(err, safefile.ErrSymlink) {
		t.Errorf("a symlinked archive path: %v, want %v", err, safefile.ErrSymlink)
	}
	if data, _ := os.ReadFile(victim); string(data) != "keep" {
		t.Error("the archive was written through a symlink")
	}
}

// TestRunPacksBothBinaries: each archive holds secgate and secgate-opa
// (.exe in the Windows zip) beside the extra files; a build without
// secgate-opa is an error, not an archive without it.
func TestRunPacksBothBinaries(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(exe) // a binary with Go build information
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, b := range []string{"secgate_v1_linux_amd64", "secgate_v1_windows_amd64"} {
		ext := ""
		if strings.Contains(b, "windows") {
			ext = ".exe"
		}
		if err := os.MkdirAll(filepath.Join(dir, "build", b), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"secgate", "secgate-opa"} {
			if err := os.WriteFile(filepath.Join(dir, "build", b, n+ext), data, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	readme := filepath.Join(dir, "README.md")
	if err := os.WriteFile(readme, []byte("# secgate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run("v1", dir, []string{readme}); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, h := range tarHeaders(t, filepath.Join(dir, "secgate_v1_linux_amd64.tar.gz")) {
		names = append(names, h.Name)
	}
	if got, want := strings.Join(names, " "), "secgate_v1_linux_amd64/README.md secgate_v1_linux_amd64/secgate secgate_v1_linux_amd64/secgate-opa"; got != want {
		t.Errorf("tar.gz holds %s, want %s", got, want)
	}
	zr, err := zip.OpenReader(filepath.Join(dir, "secgate_v1_windows_amd64.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	names = nil
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if got, want := strings.Join(names, " "), "secgate_v1_windows_amd64/README.md secgate_v1_windows_amd64/secgate-opa.exe secgate_v1_windows_amd64/secgate.exe"; got != want {
		t.Errorf("zip holds %s, want %s", got, want)
	}
	for _, out := range []string{"secgate.cdx.json", "SHA256SUMS"} {
		if _, err := os.Stat(filepath.Join(dir, out)); err != nil {
			t.Error(err)
		}
	}

	if err := os.Remove(filepath.Join(dir, "build", "secgate_v1_linux_amd64", "secgate-opa")); err != nil {
		t.Fatal(err)
	}
	if err := run("v1", dir, nil); err == nil || !strings.Contains(err.Error(), "secgate-opa") {
		t.Errorf("a build without secgate-opa: %v, want an error naming it", err)
	}
}

// tarHeaders reads the headers of the entries of the tar.gz at path, in
// their order.
func tarHeaders(t *testing.T, path string) []*tar.Header {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var hs []*tar.Header
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return hs
		}
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
	}
}

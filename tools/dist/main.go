// Command dist packs the release builds `make dist` made: one archive per
// platform (tar.gz; zip for Windows) holding secgate and secgate-opa, a
// CycloneDX SBOM of secgate itself from the Go build information of the
// binaries, and SHA256SUMS over both.
//
//	go run ./tools/dist -version v1.2.3 -dir dist -add README.md
//
// -dir holds build/secgate_VERSION_OS_ARCH/ folders, each with the
// binaries (secgate and secgate-opa, .exe for Windows); the archives, secgate.cdx.json and SHA256SUMS are written
// beside build/.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/secgate/secgate/internal/safefile"
)

func main() {
	version := flag.String("version", "", "the version the binaries were built as")
	dir := flag.String("dir", "dist", "the output folder, holding build/")
	var extra files
	flag.Var(&extra, "add", "a file to add to every archive beside the binaries (repeatable)")
	flag.Parse()
	if err := run(*version, *dir, extra); err != nil {
		fmt.Fprintln(os.Stderr, "dist: error:", err)
		os.Exit(2)
	}
}

type files []string

// binaryNames are the programs of a release, each in every archive:
// secgate, and OPA's server with secgate's builtins, which secgate opa
// run finds beside it.
var binaryNames = []string{"secgate", "secgate-opa"}

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(s string) error { *f = append(*f, s); return nil }

// run archives each build folder, writes the SBOM and the checksums.
func run(version, dir string, extra []string) error {
	if version == "" {
		return errors.New("-version is required")
	}
	builds, err := filepath.Glob(filepath.Join(dir, "build", "secgate_*"))
	if err != nil {
		return err
	}
	slices.Sort(builds)
	if len(builds) == 0 {
		return fmt.Errorf("%s: no build folders (secgate_VERSION_OS_ARCH)", filepath.Join(dir, "build"))
	}
	var outputs, binaries []string
	for _, b := range builds {
		name := filepath.Base(b)
		exe, ext := "", ".tar.gz"
		if strings.Contains(name, "_windows_") {
			exe, ext = ".exe", ".zip"
		}
		content := map[string]string{}
		for _, n := range binaryNames {
			bin := filepath.Join(b, n+exe)
			if _, err := os.Stat(bin); err != nil {
				return fmt.Errorf("%s: every build holds %s: %w", b, strings.Join(binaryNames, " and "), err)
			}
			content[name+"/"+n+exe] = bin
			binaries = append(binaries, bin)
		}
		for _, e := range extra {
			content[name+"/"+filepath.Base(e)] = e
		}
		out := filepath.Join(dir, name+ext)
		if err := archive(out, content); err != nil {
			return err
		}
		fmt.Println(out)
		outputs = append(outputs, out)
	}

	infos, err := readBuildInfo(binaries)
	if err != nil {
		return err
	}
	bom, err := sbom(version, infos)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := writeSBOM(&buf, bom); err != nil {
		return err
	}
	sbomPath := filepath.Join(dir, "secgate.cdx.json")
	if err := safefile.Write(sbomPath, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Println(sbomPath)
	outputs = append(outputs, sbomPath)

	buf.Reset()
	if err := writeSums(&buf, outputs); err != nil {
		return err
	}
	sums := filepath.Join(dir, "SHA256SUMS")
	if err := safefile.Write(sums, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Println(sums)
	return nil
}

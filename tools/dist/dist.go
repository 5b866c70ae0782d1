package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/package-url/packageurl-go"

	"github.com/secgate/secgate/internal/safefile"
)

// epoch is the modification time of every file in an archive, so that
// the same binaries give the same archives, byte for byte.
var epoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// archive writes the files (name in the archive → path on disk) to dst:
// a zip when dst ends in .zip, else a gzip-compressed tar. Entries are
// in name order, owned by root, dated epoch; a file keeps whether it is
// executable.
func archive(dst string, files map[string]string) error {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	var buf bytes.Buffer
	var add func(name string, mode fs.FileMode, data []byte) error
	var finish func() error
	if strings.HasSuffix(dst, ".zip") {
		zw := zip.NewWriter(&buf)
		add = func(name string, mode fs.FileMode, data []byte) error {
			h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: epoch}
			h.SetMode(mode)
			w, err := zw.CreateHeader(h)
			if err != nil {
				return err
			}
			_, err = w.Write(data)
			return err
		}
		finish = zw.Close
	} else {
		gz, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if err != nil {
			return err
		}
		tw := tar.NewWriter(gz)
		add = func(name string, mode fs.FileMode, data []byte) error {
			h := &tar.Header{Name: name, Mode: int64(mode.Perm()), Size: int64(len(data)), ModTime: epoch,
				Typeflag: tar.TypeReg, Uname: "root", Gname: "root", Format: tar.FormatPAX}
			if err := tw.WriteHeader(h); err != nil {
				return err
			}
			_, err := tw.Write(data)
			return err
		}
		finish = func() error { return errors.Join(tw.Close(), gz.Close()) }
	}
	for _, name := range names {
		path := files[name]
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("%s: not a regular file", path)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		mode := fs.FileMode(0o644)
		if st.Mode()&0o111 != 0 {
			mode = 0o755
		}
		if err := add(name, mode, data); err != nil {
			return fmt.Errorf("%s: %w", dst, err)
		}
	}
	if err := finish(); err != nil {
		return fmt.Errorf("%s: %w", dst, err)
	}
	return safefile.Write(dst, buf.Bytes(), 0o644)
}

// writeSums writes to w one line per file, "SHA-256 in hex, two spaces,
// file name", sorted by name: the format sha256sum -c checks. Each file
// is named by its base name, as it sits beside the sums.
func writeSums(w io.Writer, paths []string) error {
	type sum struct{ name, hex string }
	sums := make([]sum, 0, len(paths))
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		name := filepath.Base(p)
		if strings.ContainsAny(name, "\n\\") {
			return fmt.Errorf("%s: a file name sha256sum cannot check", p)
		}
		sums = append(sums, sum{name, hex.EncodeToString(h.Sum(nil))})
	}
	slices.SortFunc(sums, func(a, b sum) int { return strings.Compare(a.name, b.name) })
	var b strings.Builder
	for i, s := range sums {
		if i > 0 && s.name == sums[i-1].name {
			return fmt.Errorf("two files named %s", s.name)
		}
		fmt.Fprintf(&b, "%s  %s\n", s.hex, s.name)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// readBuildInfo reads the build information Go records in a binary (what
// go version -m prints): the main module and every module linked in.
func readBuildInfo(binaries []string) ([]*debug.BuildInfo, error) {
	infos := make([]*debug.BuildInfo, len(binaries))
	for i, b := range binaries {
		bi, err := buildinfo.ReadFile(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b, err)
		}
		infos[i] = bi
	}
	return infos, nil
}

// sbom is the CycloneDX bill of materials of secgate's release: the
// application (the main module at version), and every Go module linked
// into any of the binaries, each once, by package URL, sorted, with the
// Go toolchain that built them. It holds no timestamp or serial number,
// so the same binaries give the same SBOM.
func sbom(version string, infos []*debug.BuildInfo) (*cdx.BOM, error) {
	if len(infos) == 0 {
		return nil, errors.New("no binaries")
	}
	mainMod := infos[0].Main
	goVersion := infos[0].GoVersion
	mods := map[string]*debug.Module{}
	for _, bi := range infos {
		if bi.Main.Path != mainMod.Path {
			return nil, fmt.Errorf("binaries of two modules: %s and %s", mainMod.Path, bi.Main.Path)
		}
		if bi.GoVersion != goVersion {
			return nil, fmt.Errorf("binaries built by two Go versions: %s and %s", goVersion, bi.GoVersion)
		}
		for _, m := range bi.Deps {
			if m.Replace != nil {
				m = m.Replace
			}
			if m.Version == "" {
				return nil, fmt.Errorf("module %s has no version (a local replacement cannot be named in an SBOM)", m.Path)
			}
			mods[goPurl(m.Path, m.Version)] = m
		}
	}
	appRef := goPurl(mainMod.Path, version)
	app := cdx.Component{
		BOMRef:     appRef,
		Type:       cdx.ComponentTypeApplication,
		Name:       mainMod.Path,
		Version:    version,
		PackageURL: appRef,
		Properties: &[]cdx.Property{{Name: "secgate:go_version", Value: goVersion}},
	}
	refs := make([]string, 0, len(mods))
	for ref := range mods {
		refs = append(refs, ref)
	}
	slices.Sort(refs)
	comps := make([]cdx.Component, 0, len(refs))
	for _, ref := range refs {
		m := mods[ref]
		c := cdx.Component{BOMRef: ref, Type: cdx.ComponentTypeLibrary, Name: m.Path, Version: m.Version, PackageURL: ref}
		if m.Sum != "" {
			c.Properties = &[]cdx.Property{{Name: "secgate:go_sum", Value: m.Sum}}
		}
		comps = append(comps, c)
	}
	// The build information says which modules are linked in, not which
	// requires which: the application depends on each of them.
	bom := cdx.NewBOM()
	bom.Metadata = &cdx.Metadata{
		Component: &app,
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{Type: cdx.ComponentTypeApplication,
			Name: "secgate tools/dist", Version: version}}},
	}
	bom.Components = &comps
	bom.Dependencies = &[]cdx.Dependency{{Ref: appRef, Dependencies: &refs}}
	return bom, nil
}

// goPurl is a Go module's package URL: pkg:golang/NAMESPACE/NAME@VERSION.
func goPurl(path, version string) string {
	ns, name := "", path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		ns, name = path[:i], path[i+1:]
	}
	return packageurl.NewPackageURL(packageurl.TypeGolang, ns, name, version, nil, "").ToString()
}

// writeSBOM encodes bom as CycloneDX 1.6 JSON.
func writeSBOM(w io.Writer, bom *cdx.BOM) error {
	return cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON).SetPretty(true).SetEscapeHTML(false).EncodeVersion(bom, cdx.SpecVersion1_6)
}

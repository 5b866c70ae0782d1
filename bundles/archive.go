package bundles

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	getter "github.com/hashicorp/go-getter/v2"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// ErrUnsafeArchive is wrapped by the errors of archives refused because an
// entry would land outside the destination (a ".." component, an absolute
// path where one is not the bundle convention, a link, a device) or because
// the archive is larger than allowed.
var ErrUnsafeArchive = errors.New("unsafe archive")

// archiveExts are the archive kinds a fetched file may be, longest first.
// .tar.gz and .tgz files are OPA bundles and are kept as they are; the
// others are unpacked into a folder.
var archiveExts = []string{"tar.bz2", "tar.gz", "tar.xz", "tar.zst", "tbz2", "tgz", "txz", "tzst", "zip", "tar"}

// archiveKind returns the archive extension name ends with, or "".
func archiveKind(name string) string {
	for _, ext := range archiveExts {
		if strings.HasSuffix(strings.ToLower(name), "."+ext) {
			return ext
		}
	}
	return ""
}

// isBundleKind says whether an archive kind is an OPA bundle.
func isBundleKind(kind string) bool { return kind == "tar.gz" || kind == "tgz" }

// checkEntryName refuses entry names that would escape the destination.
// OPA writes bundle entries with a leading "/" ("/main/deny.rego"), to be
// read relative to the bundle root, so a leading slash is allowed in
// bundles (which are never unpacked) and refused in archives that are.
func checkEntryName(name string, allowLeadingSlash bool) error {
	if name == "" {
		return fmt.Errorf("%w: entry with an empty name", ErrUnsafeArchive)
	}
	if strings.ContainsRune(name, '\\') || strings.ContainsRune(name, 0) {
		return fmt.Errorf("%w: entry %q: backslashes and NUL are not allowed in names", ErrUnsafeArchive, name)
	}
	if len(name) >= 2 && name[1] == ':' {
		return fmt.Errorf("%w: entry %q is an absolute path", ErrUnsafeArchive, name)
	}
	if strings.HasPrefix(name, "/") && !allowLeadingSlash {
		return fmt.Errorf("%w: entry %q is an absolute path", ErrUnsafeArchive, name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return fmt.Errorf("%w: entry %q escapes the destination", ErrUnsafeArchive, name)
		}
	}
	return nil
}

// limits bound what an archive may hold.
type limits struct {
	maxFiles int
	maxSize  int64
	// linksInside lets a tree hold symlinks that resolve inside it (a
	// local folder); a fetched tree holds none.
	linksInside bool
}

// checkTar reads every header of a tar stream: names must be safe, entries
// must be regular files or folders, and the count and total size bounded.
func checkTar(r io.Reader, lim limits, allowLeadingSlash bool) error {
	tr := tar.NewReader(r)
	var files int
	var size int64
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if errors.Is(err, ErrMalformed) {
			return err
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		switch hdr.Typeflag {
		case tar.TypeXGlobalHeader, tar.TypeXHeader:
			continue
		case tar.TypeReg, tar.TypeDir:
		case tar.TypeSymlink, tar.TypeLink:
			return fmt.Errorf("%w: entry %q is a link (to %q)", ErrUnsafeArchive, hdr.Name, hdr.Linkname)
		default:
			return fmt.Errorf("%w: entry %q is neither a file nor a folder", ErrUnsafeArchive, hdr.Name)
		}
		if err := checkEntryName(hdr.Name, allowLeadingSlash); err != nil {
			return err
		}
		files++
		size += hdr.Size
		if lim.maxFiles > 0 && files > lim.maxFiles {
			return fmt.Errorf("%w: more than %d entries", ErrUnsafeArchive, lim.maxFiles)
		}
		if lim.maxSize > 0 && size > lim.maxSize {
			return fmt.Errorf("%w: more than %d bytes unpacked", ErrUnsafeArchive, lim.maxSize)
		}
	}
}

// checkZip does for a zip file what checkTar does for a tar stream.
func checkZip(file string, lim limits) error {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	defer zr.Close()
	var size uint64
	if lim.maxFiles > 0 && len(zr.File) > lim.maxFiles {
		return fmt.Errorf("%w: more than %d entries", ErrUnsafeArchive, lim.maxFiles)
	}
	for _, f := range zr.File {
		if err := checkEntryName(f.Name, false); err != nil {
			return err
		}
		if m := f.Mode(); !m.IsRegular() && !m.IsDir() {
			return fmt.Errorf("%w: entry %q is neither a file nor a folder", ErrUnsafeArchive, f.Name)
		}
		size += f.UncompressedSize64
		if lim.maxSize > 0 && size > uint64(lim.maxSize) {
			return fmt.Errorf("%w: more than %d bytes unpacked", ErrUnsafeArchive, lim.maxSize)
		}
	}
	return nil
}

// checkArchive inspects an archive file of the given kind without
// unpacking it.
func checkArchive(file, kind string, lim limits) error {
	if kind == "zip" {
		return checkZip(file, lim)
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = bufio.NewReader(f)
	switch kind {
	case "tar":
	case "tar.gz", "tgz":
		gz, err := gzip.NewReader(r)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		defer gz.Close()
		r = gz
	case "tar.bz2", "tbz2":
		r = bzip2.NewReader(r)
	case "tar.xz", "txz":
		xr, err := xz.NewReader(r)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		r = xr
	case "tar.zst", "tzst":
		zr, err := zstd.NewReader(r)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		defer zr.Close()
		r = zr
	default:
		return fmt.Errorf("unknown archive kind %q", kind)
	}
	// Bounded: a decompression bomb stops at the size limit, not the disk's.
	if lim.maxSize > 0 {
		r = io.LimitReader(r, lim.maxSize+64<<10)
	}
	return checkTar(r, lim, isBundleKind(kind))
}

// unpack checks an archive, then unpacks it into dst with go-getter's
// decompressor for its kind, built by getter.LimitedDecompressors.
func unpack(dst, file, kind string, lim limits) error {
	if err := checkArchive(file, kind, lim); err != nil {
		return err
	}
	d, ok := getter.LimitedDecompressors(lim.maxFiles, lim.maxSize)[kind]
	if !ok {
		return fmt.Errorf("unknown archive kind %q", kind)
	}
	if err := d.Decompress(dst, file, true, 0o022); err != nil {
		return fmt.Errorf("%w: %v", ErrUnsafeArchive, err)
	}
	return nil
}

// bundleEntry returns the content of the named entry of a bundle archive
// (with or without OPA's leading slash), or nil when there is none.
func bundleEntry(archive []byte, name string, maxSize int64) ([]byte, error) {
	gz, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		return nil, err
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if hdr.Typeflag != tar.TypeReg || path.Clean("/"+hdr.Name) != "/"+name {
			continue
		}
		if maxSize > 0 && hdr.Size > maxSize {
			return nil, fmt.Errorf("%s: %d bytes, more than %d", name, hdr.Size, maxSize)
		}
		return io.ReadAll(tr)
	}
}

package bundles

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	getter "github.com/hashicorp/go-getter/v2"

	"github.com/secgate/secgate/internal/netpolicy"
	"github.com/secgate/secgate/internal/safefile"
)

// Limits of a fetch when FetchOptions leave them zero.
const (
	// DefaultTimeout bounds one fetch (an HTTP download, or a git clone).
	DefaultTimeout = netpolicy.DefaultTimeout
	// DefaultMaxSize bounds a download and what an archive unpacks to.
	DefaultMaxSize = 64 << 20
	// DefaultMaxFiles bounds the entries of an archive or fetched folder.
	DefaultMaxFiles = 10000
)

// Getters names the go-getter getters a remote source may use; any other
// scheme or forced getter is refused. s3 and gcs are left out: their
// getters pick up the AWS and Google Cloud credential chains of the
// environment, which a security gate should not do implicitly (fetch from
// a bucket over https with a presigned URL instead). go-getter v2 keeps
// them in modules of their own, so neither SDK is linked in.
var Getters = []string{"http", "https", "git"}

// Kind says what a fetched source is.
type Kind string

// Kinds of fetched sources.
const (
	// KindFolder is a folder of .rego and data files.
	KindFolder Kind = "folder"
	// KindFile is a single .rego (or data) file.
	KindFile Kind = "file"
	// KindBundle is an OPA bundle archive (.tar.gz).
	KindBundle Kind = "bundle"
	// KindEmbedded is a file system compiled into the binary (FS is set).
	KindEmbedded Kind = "embedded"
)

// FetchOptions configure Fetch.
type FetchOptions struct {
	// CacheDir holds fetched sources; "" means os.UserCacheDir()/secgate/policies.
	CacheDir string
	// Offline serves remote sources from the cache only.
	Offline bool
	// AllowHTTP allows plain http to hosts other than loopback addresses.
	AllowHTTP bool
	// Timeout bounds one fetch; 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxSize bounds a download and an archive's unpacked size; 0 means DefaultMaxSize.
	MaxSize int64
	// MaxFiles bounds the entries of an archive or fetched folder; 0 means DefaultMaxFiles.
	MaxFiles int
}

func (o FetchOptions) withDefaults() FetchOptions {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxSize <= 0 {
		o.MaxSize = DefaultMaxSize
	}
	if o.MaxFiles <= 0 {
		o.MaxFiles = DefaultMaxFiles
	}
	return o
}

func (o FetchOptions) limits() limits { return limits{maxFiles: o.MaxFiles, maxSize: o.MaxSize} }

// DefaultCacheDir is where fetched sources are kept unless told otherwise.
func DefaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("policy cache: %w", err)
	}
	return filepath.Join(dir, "secgate", "policies"), nil
}

// Fetched is a policy source on local disk.
type Fetched struct {
	// Address is the source as given, redacted (see Redact).
	Address string `json:"address"`
	// Revision is the git commit, or "sha256:…" of a downloaded or local
	// archive; "" for local folders and files.
	Revision string `json:"revision,omitempty"`
	// Path is the local file or folder: the source itself when it is local
	// (never copied), else a path in the cache.
	Path string `json:"path"`
	// FromCache says the source was served from the cache without network.
	FromCache bool `json:"from_cache"`
	// Remote says the source came from a go-getter address.
	Remote bool `json:"remote"`
	// Kind says what Path holds.
	Kind Kind `json:"kind"`
	// FS is the file system of an embedded source (Kind KindEmbedded).
	FS fs.FS `json:"-"`
}

// Embedded returns the Fetched value for a file system compiled into the
// binary, such as the built-in policies.
func Embedded(name string, fsys fs.FS) *Fetched {
	return &Fetched{Address: name, Path: name, Kind: KindEmbedded, FS: fsys}
}

// ErrNotCached is wrapped by the error of an offline fetch of a source the
// cache does not hold.
var ErrNotCached = errors.New("not in the policy cache (fetch it once without --offline)")

// ErrUnsupported is wrapped by the errors of addresses using a scheme or
// getter that is not allowed.
var ErrUnsupported = errors.New("unsupported source")

// ErrUnsafeLink says a local policy folder holds a symlink that leads out
// of it.
var ErrUnsafeLink = errors.New("unsafe symlink")

// FetchError is the error of a fetch: the (redacted) address and why.
type FetchError struct {
	Address string
	Err     error
}

func (e *FetchError) Error() string { return "policy " + e.Address + ": " + e.Err.Error() }

func (e *FetchError) Unwrap() error { return e.Err }

// Fetch makes the policy source src available on local disk. Local folders
// and files (and file:// URLs) are returned as they are. Anything else is a
// go-getter address, fetched into the cache with only the getters in
// Getters: https://host/b.tar.gz (kept as a bundle archive), other archives
// such as .zip (unpacked), .rego files, and git::URL//subdir?ref=R (the
// revision is the commit). ?checksum= pins a download; a pinned archive
// already in the cache is not fetched again. With opts.Offline only the
// cache is used.
func Fetch(ctx context.Context, src string, opts FetchOptions) (*Fetched, error) {
	if strings.TrimSpace(src) == "" {
		return nil, errors.New("policy: empty source")
	}
	opts = opts.withDefaults()
	addr, secrets := netpolicy.RedactSecrets(src)
	fail := func(err error) (*Fetched, error) {
		return nil, &FetchError{Address: addr, Err: netpolicy.ScrubError(err, secrets)}
	}
	local, isLocal, err := localPath(src)
	if err != nil {
		return fail(err)
	}
	if isLocal {
		f, err := fetchLocal(local)
		if err != nil {
			return fail(err)
		}
		f.Address = addr
		return f, nil
	}
	fetcher := netpolicy.NewFetcher(netpolicy.Options{AllowHTTP: opts.AllowHTTP, Timeout: opts.Timeout}, nil)
	r, err := parseRemote(src, fetcher)
	if err != nil {
		return fail(err)
	}
	if opts.CacheDir == "" {
		if opts.CacheDir, err = DefaultCacheDir(); err != nil {
			return fail(err)
		}
	}
	entry := filepath.Join(opts.CacheDir, r.key)
	var f *Fetched
	switch {
	case opts.Offline:
		if f, err = fromCache(entry); err == nil {
			err = checkSubdir(f, r.subdir)
		}
	case r.getter == "git":
		f, err = fetchGit(ctx, r, entry, opts)
	default:
		f, err = fetchHTTP(ctx, r, entry, opts, fetcher)
	}
	if err != nil {
		return fail(err)
	}
	f.Address, f.Remote = addr, true
	return f, nil
}

// remoteDetectors turn shorthands (github.com/org/repo, git@host:repo)
// into git addresses. BitBucket's detector is left out (it calls an API),
// and so are s3, gcs and file.
var remoteDetectors = []getter.Detector{new(getter.GitHubDetector), new(getter.GitLabDetector), new(getter.GitDetector)}

// detect turns a shorthand address into a URL with remoteDetectors, as
// go-getter's own detection does: a forced getter ("git::") and a subdir
// ("//dir") are kept, a URL with a scheme is left as it is.
func detect(src string) (string, error) {
	force, rest := "", src
	if m := forcedRE.FindStringSubmatch(src); m != nil {
		force, rest = m[1], m[2]
	}
	rest, subdir := getter.SourceDirSubdir(rest)
	if u, err := url.Parse(rest); err == nil && u.Scheme != "" {
		return src, nil
	}
	for _, d := range remoteDetectors {
		result, ok, err := d.Detect(rest, "")
		if err != nil {
			return "", err
		}
		if !ok {
			continue
		}
		detectedForce := ""
		if m := forcedRE.FindStringSubmatch(result); m != nil {
			detectedForce, result = m[1], m[2]
		}
		result, detectedSubdir := getter.SourceDirSubdir(result)
		if detectedSubdir != "" {
			subdir = path.Join(detectedSubdir, subdir)
		}
		if subdir != "" {
			u, err := url.Parse(result)
			if err != nil {
				return "", fmt.Errorf("error parsing URL: %w", err)
			}
			u.Path += "//" + subdir
			// A subdir may hold wildcards: the path stays unescaped.
			u.RawPath = u.Path
			result = u.String()
		}
		switch {
		case force != "":
			result = force + "::" + result
		case detectedForce != "":
			result = detectedForce + "::" + result
		}
		return result, nil
	}
	return "", fmt.Errorf("invalid source string: %s", src)
}

// localPath says whether src names a local file or folder, and which.
func localPath(src string) (string, bool, error) {
	if forcedRE.MatchString(src) {
		return "", false, nil
	}
	if strings.HasPrefix(src, "file://") {
		u, err := url.Parse(src)
		if err != nil {
			return "", false, err
		}
		if u.Host != "" && u.Host != "localhost" {
			return "", false, fmt.Errorf("%w: file:// URLs name local paths, not hosts (%s)", ErrUnsupported, u.Host)
		}
		return u.Path, true, nil
	}
	if strings.Contains(src, "://") {
		return "", false, nil
	}
	if _, err := os.Stat(src); err == nil {
		return src, true, nil
	}
	if d, err := detect(src); err == nil && d != src {
		return "", false, nil
	}
	return src, true, nil
}

// fetchLocal describes a local source without copying it.
func fetchLocal(p string) (*Fetched, error) {
	fi, err := os.Stat(p)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, err
	}
	f := &Fetched{Path: p, Kind: KindFolder}
	if fi.IsDir() {
		if err := checkLocalTree(p); err != nil {
			return nil, err
		}
	} else {
		f.Kind = KindFile
		if isBundleKind(archiveKind(p)) {
			f.Kind = KindBundle
			if f.Revision, err = fileSHA256(p); err != nil {
				return nil, err
			}
		}
	}
	return f, nil
}

// remote is a parsed go-getter address.
type remote struct {
	raw    string   // the address as given (with its secrets)
	getter string   // "http", "https" or "git"
	url    *url.URL // without the subdir
	subdir string
	key    string // the cache key: sha256 of the address
}

var validSubdir = regexp.MustCompile(`^[^*?\[\]]*$`)

// parseRemote checks an address against the allow-list and the network
// policy of fetcher (plain http), and splits it.
func parseRemote(src string, fetcher *netpolicy.Fetcher) (*remote, error) {
	detected, err := detect(src)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	forced, rest := "", detected
	if m := forcedRE.FindStringSubmatch(detected); m != nil {
		forced, rest = m[1], m[2]
	}
	rest, subdir := getter.SourceDirSubdir(rest)
	u, err := url.Parse(rest)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	name := forced
	if name == "" {
		name = u.Scheme
	}
	switch name {
	case "http", "https":
		if forced != "" && forced != u.Scheme {
			return nil, fmt.Errorf("%w: %s:: with a %s URL", ErrUnsupported, forced, u.Scheme)
		}
	case "git":
	case "s3", "gcs":
		return nil, fmt.Errorf("%w: the %s getter is not built in (it needs a cloud SDK and its credential chain); fetch the object over https, with a presigned URL", ErrUnsupported, name)
	default:
		return nil, fmt.Errorf("%w: getter %q is not allowed (allowed: %s)", ErrUnsupported, name, strings.Join(Getters, ", "))
	}
	if u.Scheme == "http" {
		if err := fetcher.Allow(u); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUnsupported, err)
		}
	}
	if subdir != "" {
		subdir = path.Clean(strings.TrimPrefix(subdir, "/"))
		if !validSubdir.MatchString(subdir) || subdir == ".." || strings.HasPrefix(subdir, "../") {
			return nil, fmt.Errorf("%w: subdir %q (want a plain relative path inside the source)", ErrUnsupported, subdir)
		}
	}
	sum := sha256.Sum256([]byte(src))
	return &remote{raw: src, getter: name, url: u, subdir: subdir, key: hex.EncodeToString(sum[:])}, nil
}

// cacheMeta is the record of a cache entry: its folder holds meta.json and
// one folder per revision.
type cacheMeta struct {
	Address  string `json:"address"`
	Revision string `json:"revision"`
	Kind     Kind   `json:"kind"`
	// Path is relative to the entry folder.
	Path    string    `json:"path"`
	Fetched time.Time `json:"fetched"`
}

const metaFile = "meta.json"

// fromCache returns the last fetched revision of a cache entry.
func fromCache(entry string) (*Fetched, error) {
	raw, err := os.ReadFile(filepath.Join(entry, metaFile))
	if err != nil {
		return nil, ErrNotCached
	}
	var m cacheMeta
	if err := json.Unmarshal(raw, &m); err != nil || m.Path == "" || !filepath.IsLocal(m.Path) {
		return nil, ErrNotCached
	}
	p := filepath.Join(entry, m.Path)
	if _, err := os.Stat(p); err != nil {
		return nil, ErrNotCached
	}
	return &Fetched{Revision: m.Revision, Path: p, FromCache: true, Kind: m.Kind}, nil
}

// commit stores a fetched revision: tmp (a folder in the cache) becomes
// entry/<revision folder>, meta.json points at it, and older revisions go.
func commit(entry, tmp, revision string, kind Kind, rel string, address string) (*Fetched, error) {
	revDir := filepath.Join(entry, revisionDir(revision))
	if err := os.MkdirAll(entry, 0o755); err != nil {
		return nil, err
	}
	if _, err := os.Stat(revDir); err == nil {
		// Already cached (by an earlier run, or a concurrent one).
		os.RemoveAll(tmp)
	} else if err := os.Rename(tmp, revDir); err != nil {
		if _, serr := os.Stat(revDir); serr != nil {
			return nil, err
		}
		os.RemoveAll(tmp)
	}
	m := cacheMeta{Address: address, Revision: revision, Kind: kind, Path: filepath.Join(revisionDir(revision), rel), Fetched: time.Now().UTC()}
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(entry, metaFile), raw); err != nil {
		return nil, err
	}
	if olds, err := os.ReadDir(entry); err == nil {
		for _, o := range olds {
			if o.IsDir() && o.Name() != revisionDir(revision) {
				os.RemoveAll(filepath.Join(entry, o.Name()))
			}
		}
	}
	return &Fetched{Revision: revision, Path: filepath.Join(entry, m.Path), Kind: kind}, nil
}

// revisionDir names the folder of a revision in a cache entry.
func revisionDir(revision string) string {
	return strings.ReplaceAll(revision, ":", "-")
}

func writeFileAtomic(name string, data []byte) error {
	return safefile.Write(name, data, 0o644)
}

// tempDir makes a scratch folder inside the cache, so that committing it
// is a rename on the same file system.
func tempDir(cacheDir string) (string, error) {
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", err
	}
	return os.MkdirTemp(cacheDir, ".tmp-")
}

// get fetches src into dst with only the getters given, limited
// decompressors, and symlinks disabled.
func get(ctx context.Context, src, dst string, mode getter.Mode, getters []getter.Getter, opts FetchOptions) error {
	c := &getter.Client{
		Getters:         getters,
		Decompressors:   getter.LimitedDecompressors(opts.MaxFiles, opts.MaxSize),
		DisableSymlinks: true,
	}
	_, err := c.Get(ctx, &getter.Request{Src: src, Dst: dst, GetMode: mode, Umask: 0o022, DisableSymlinks: true})
	return err
}

// fetchHTTP downloads a file with go-getter over the fetcher's guarded client
// (bounded by the fetch timeout, and no request, redirects included, to
// plain http other than loopback unless allowed, nor to another scheme):
// a bundle archive is kept as it is, another archive is unpacked, a .rego
// file is kept.
func fetchHTTP(ctx context.Context, r *remote, entry string, opts FetchOptions, fetcher *netpolicy.Fetcher) (*Fetched, error) {
	q := r.url.Query()
	archive := strings.ToLower(q.Get("archive"))
	checksum := q.Get("checksum")
	name := path.Base(r.url.Path)
	if v := q.Get("filename"); v != "" {
		name = path.Base(v)
	}
	if name == "." || name == ".." || name == "/" || name == "" || strings.HasSuffix(r.url.Path, "/") {
		return nil, fmt.Errorf("%w: an http(s) source names a file (a bundle .tar.gz, an archive, or a .rego file)", ErrUnsupported)
	}
	// A pinned download already in the cache needs no network.
	if want := pinnedSHA256(checksum); want != "" {
		if f, err := fromCache(entry); err == nil && f.Revision == "sha256:"+want {
			if err := checkSubdir(f, r.subdir); err == nil {
				return f, nil
			}
		}
	}
	tmp, err := tempDir(filepath.Dir(entry))
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	// go-getter downloads the file as it is (archive=false): secgate
	// checks archives before anything is unpacked, and keeps bundles whole
	// so their signatures can be verified.
	q.Del("filename")
	q.Set("archive", "false")
	u := *r.url
	u.RawQuery = q.Encode()
	hg := &getter.HttpGetter{
		Netrc:                 true,
		Client:                fetcher.HTTP(),
		DoNotCheckHeadFirst:   true,
		ReadTimeout:           opts.Timeout,
		MaxBytes:              opts.MaxSize + 1,
		XTerraformGetDisabled: true,
	}
	download := filepath.Join(tmp, "download")
	if err := get(ctx, u.String(), download, getter.ModeFile, []getter.Getter{hg}, opts); err != nil {
		return nil, httpError(err, r.raw, opts, fetcher)
	}
	fi, err := os.Stat(download)
	if err != nil {
		return nil, err
	}
	if fi.Size() > opts.MaxSize {
		return nil, fmt.Errorf("download larger than the limit of %d bytes", opts.MaxSize)
	}
	sum, err := fileSHA256(download)
	if err != nil {
		return nil, err
	}

	kind := archive
	switch {
	case kind == "false", kind == "0":
		kind = ""
	case kind == "":
		kind = archiveKind(name)
	}
	if kind == "" && !strings.HasSuffix(name, ".rego") {
		kind = sniffArchive(download)
	}
	out := filepath.Join(tmp, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		return nil, err
	}
	var f *Fetched
	switch {
	case isBundleKind(kind):
		if err := checkArchive(download, kind, opts.limits()); err != nil {
			return nil, err
		}
		if !strings.HasSuffix(name, ".tar.gz") {
			name = strings.TrimSuffix(name, ".tgz") + ".tar.gz"
		}
		if err := os.Rename(download, filepath.Join(out, name)); err != nil {
			return nil, err
		}
		if r.subdir != "" {
			return nil, fmt.Errorf("%w: a subdir (//%s) needs an archive to unpack or a git repository, not a bundle", ErrUnsupported, r.subdir)
		}
		f, err = commit(entry, out, sum, KindBundle, name, Redact(r.raw))
	case kind != "":
		tree := filepath.Join(out, "tree")
		if err := unpack(tree, download, kind, opts.limits()); err != nil {
			return nil, err
		}
		if err := checkTree(tree, opts.limits()); err != nil {
			return nil, err
		}
		f, err = commit(entry, out, sum, KindFolder, "tree", Redact(r.raw))
	case strings.HasSuffix(name, ".rego"):
		if r.subdir != "" {
			return nil, fmt.Errorf("%w: a subdir (//%s) needs an archive or a git repository", ErrUnsupported, r.subdir)
		}
		if err := os.Rename(download, filepath.Join(out, name)); err != nil {
			return nil, err
		}
		f, err = commit(entry, out, sum, KindFile, name, Redact(r.raw))
	default:
		return nil, fmt.Errorf("%w: %s is neither a bundle (.tar.gz), an archive nor a .rego file (say which with ?archive=tar.gz)", ErrUnsupported, name)
	}
	if err != nil {
		return nil, err
	}
	return f, checkSubdir(f, r.subdir)
}

// checkSubdir points f at subdir inside the fetched folder.
func checkSubdir(f *Fetched, subdir string) error {
	if subdir == "" {
		return nil
	}
	if f.Kind != KindFolder {
		return fmt.Errorf("%w: a subdir (//%s) needs a folder", ErrUnsupported, subdir)
	}
	root := f.Path
	p := filepath.Join(root, filepath.FromSlash(subdir))
	// No component may be a link out of the source.
	cur := root
	for _, part := range strings.Split(subdir, "/") {
		cur = filepath.Join(cur, part)
		fi, err := os.Lstat(cur)
		if err != nil {
			return fmt.Errorf("subdir %q not found", subdir)
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%w: subdir %q goes through a symlink", ErrUnsafeArchive, subdir)
		}
	}
	fi, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("subdir %q not found", subdir)
	}
	f.Path = p
	if !fi.IsDir() {
		f.Kind = KindFile
		if isBundleKind(archiveKind(p)) {
			f.Kind = KindBundle
		}
	}
	return nil
}

// pinnedSHA256 returns the hex digest of a "sha256:HEX" (or bare 64-hex)
// checksum parameter, or "".
func pinnedSHA256(checksum string) string {
	v := strings.ToLower(checksum)
	if h, ok := strings.CutPrefix(v, "sha256:"); ok {
		v = h
	} else if strings.Contains(v, ":") {
		return ""
	}
	if len(v) != 64 {
		return ""
	}
	if _, err := hex.DecodeString(v); err != nil {
		return ""
	}
	return v
}

// httpError turns the error of a download of raw into one line without
// the URL (the caller names the redacted address): a failed request is
// scrubbed by the fetcher (which names the fetch timeout when it is hit).
func httpError(err error, raw string, opts FetchOptions, fetcher *netpolicy.Fetcher) error {
	var ue *url.Error
	if netpolicy.IsTimeout(err) || errors.As(err, &ue) {
		return fmt.Errorf("unreachable: %w", fetcher.Error(err, raw))
	}
	if errors.Is(err, io.ErrShortWrite) {
		return fmt.Errorf("download larger than the limit of %d bytes", opts.MaxSize)
	}
	var ce *getter.ChecksumError
	if errors.As(err, &ce) {
		return fmt.Errorf("checksum mismatch: want %x, got %x", ce.Expected, ce.Actual)
	}
	return err
}

// sniffArchive guesses an archive kind from the first bytes of a file.
func sniffArchive(file string) string {
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		return "tar.gz"
	case len(head) >= 4 && string(head) == "PK\x03\x04":
		return "zip"
	}
	return ""
}

// fetchGit clones a repository at a ref into the cache; the revision is
// the commit checked out.
func fetchGit(ctx context.Context, r *remote, entry string, opts FetchOptions) (*Fetched, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return nil, errors.New("git sources need git on the PATH")
	}
	ref := r.url.Query().Get("ref")
	// A ref that is a full commit id names content that cannot change.
	if fullCommit.MatchString(ref) {
		if f, err := fromCache(entry); err == nil && strings.EqualFold(f.Revision, ref) {
			if err := checkSubdir(f, r.subdir); err == nil {
				return f, nil
			}
		}
	}
	tmp, err := tempDir(filepath.Dir(entry))
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	repo := filepath.Join(tmp, "repo")
	gg := &getter.GitGetter{Timeout: opts.Timeout, Detectors: remoteDetectors}
	if err := get(ctx, "git::"+r.url.String(), repo, getter.ModeDir, []getter.Getter{gg}, opts); err != nil {
		return nil, fmt.Errorf("unreachable: %v", err)
	}
	cctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	cmd := exec.CommandContext(cctx, "git", "rev-parse", "HEAD")
	cmd.Dir = repo
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git rev-parse HEAD: %v", err)
	}
	revision := strings.TrimSpace(string(out))
	f, err := commit(entry, tmp, revision, KindFolder, "repo", Redact(r.raw))
	if err != nil {
		return nil, err
	}
	if err := checkSubdir(f, r.subdir); err != nil {
		return nil, err
	}
	if f.Kind == KindFolder {
		if err := checkTree(f.Path, opts.limits()); err != nil {
			return nil, err
		}
	}
	return f, nil
}

var fullCommit = regexp.MustCompile(`^[0-9a-fA-F]{40}$`)

// checkTree refuses symlinks and too many or too large files in a fetched
// folder (git's own folder aside). With lim.linksInside (a local folder) a
// symlink is refused only when it leads out of the folder, or nowhere,
// and hidden folders and testdata (which the loader skips) are skipped.
// Errors name the link, never what it leads to.
func checkTree(root string, lim limits) error {
	var files int
	var size int64
	realRoot := root
	if lim.linksInside {
		var err error
		if realRoot, err = filepath.EvalSymlinks(root); err != nil {
			return err
		}
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		// A local folder's hidden folders (.venv) and testdata are not
		// loaded nor built, so their links cannot leak anything.
		if lim.linksInside && d.IsDir() && p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.Type()&fs.ModeSymlink != 0 {
			rel, _ := filepath.Rel(root, p)
			if !lim.linksInside {
				return fmt.Errorf("%w: %s is a symlink", ErrUnsafeArchive, filepath.ToSlash(rel))
			}
			if !linksInside(realRoot, p) {
				return fmt.Errorf("%w: %s is a symlink out of the folder (or to nothing); a policy folder holds its own files", ErrUnsafeLink, filepath.ToSlash(rel))
			}
		}
		if d.Type().IsRegular() {
			files++
			if fi, err := d.Info(); err == nil {
				size += fi.Size()
			}
		}
		if lim.maxFiles > 0 && files > lim.maxFiles {
			return fmt.Errorf("%w: more than %d files", ErrUnsafeArchive, lim.maxFiles)
		}
		if lim.maxSize > 0 && size > lim.maxSize {
			return fmt.Errorf("%w: more than %d bytes", ErrUnsafeArchive, lim.maxSize)
		}
		return nil
	})
}

// linksInside says whether the symlink at p resolves (through any chain
// of links) to a path inside realRoot, itself resolved.
func linksInside(realRoot, p string) bool {
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(realRoot, target)
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}

// checkLocalTree refuses a local policy folder holding a symlink that
// leads out of it: the loader would read what it leads to (the process
// environment, a credentials file) and could print it in an error or a
// deny message.
func checkLocalTree(root string) error {
	return checkTree(root, limits{linksInside: true})
}

// fileSHA256 returns "sha256:HEX" of a file.
func fileSHA256(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// sha256Hex returns "sha256:HEX" of data.
func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

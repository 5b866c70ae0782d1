package bundles

import (
	"bytes"
	"compress/gzip"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/keys"
	"github.com/open-policy-agent/opa/v1/loader"

	"github.com/secgate/secgate/internal/limitread"
)

// DefaultKeyID names the verification key when none is given. OPA looks
// the key up by the configured id (not the bundle's "kid"), and refuses
// unsigned bundles only when an id is configured, so one is always set.
const DefaultKeyID = "secgate"

// Why a bundle is refused under verification. Verify's and LoadPolicies'
// errors wrap one of them.
var (
	// ErrUnsigned: the bundle has no signature.
	ErrUnsigned = errors.New("unsigned")
	// ErrBadSignature: the signature does not verify with the key (signed
	// by another key, another algorithm, or under another key id).
	ErrBadSignature = errors.New("signature does not verify with the verification key")
	// ErrTampered: the signature is valid but the content differs from
	// what was signed (a file changed, added or removed).
	ErrTampered = errors.New("content does not match its signature")
	// ErrMalformed: not a readable OPA bundle.
	ErrMalformed = errors.New("malformed bundle")
)

// VerifyOptions configure signature verification.
type VerifyOptions struct {
	// Key is the PEM public key (PKIX, PKCS#1 RSA, or a certificate).
	Key []byte
	// KeyID is the id the key is known by; when set explicitly, a bundle
	// signed under another "kid" is refused. "" means DefaultKeyID and any kid.
	KeyID string
	// Algorithm is one of Algorithms; "" means the key's (for RSA keys, the
	// RS or PS algorithm the signature names).
	Algorithm string
}

// Verified describes a bundle whose signature checked out.
type Verified struct {
	Bundle *bundle.Bundle
	// Files are the bundle files the signature covers, sorted.
	Files []string
	// KeyID is the signature's "kid" ("" when it has none).
	KeyID string
	// Algorithm is the signature algorithm.
	Algorithm string
}

// Verify reads the bundle archive at bundlePath and checks its signature
// with the PEM public key: an unsigned bundle, one signed by another key
// and one whose files differ from what was signed are refused, with an
// error wrapping ErrUnsigned, ErrBadSignature or ErrTampered.
func Verify(bundlePath string, pubKeyPEM []byte, keyID string) (*bundle.Bundle, error) {
	v, err := VerifyFile(bundlePath, VerifyOptions{Key: pubKeyPEM, KeyID: keyID})
	if err != nil {
		return nil, err
	}
	return v.Bundle, nil
}

// VerifyFile is Verify with all options, returning what was verified.
func VerifyFile(bundlePath string, opts VerifyOptions) (*Verified, error) {
	raw, err := readBounded(bundlePath, DefaultMaxSize)
	if err != nil {
		return nil, fmt.Errorf("bundle %s: %w", bundlePath, err)
	}
	v, err := verifyArchive(raw, bundlePath, opts, DefaultMaxSize)
	if err != nil {
		return nil, fmt.Errorf("bundle %s: %w", bundlePath, err)
	}
	return v, nil
}

// readBounded reads a file of at most max bytes (limitread.File), with
// the file's name dropped from an error opening it, which callers name.
func readBounded(name string, max int64) ([]byte, error) {
	raw, err := limitread.File(name, max)
	var pe *os.PathError
	switch {
	case errors.Is(err, limitread.ErrTooLarge):
		return nil, fmt.Errorf("larger than the limit of %d bytes", max)
	case errors.As(err, &pe) && pe.Op == "open":
		return nil, pe.Err
	}
	return raw, err
}

// gunzip returns a reader of a gzip stream's content (an empty reader
// that fails on read when it is not gzip).
func gunzip(raw []byte) io.Reader {
	gz, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return errReader{fmt.Errorf("%w: not a gzip archive (%v)", ErrMalformed, err)}
	}
	return io.LimitReader(gz, DefaultMaxSize*4)
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// readArchive reads a bundle archive without verifying it.
func readArchive(raw []byte, name string, maxSize int64) (*bundle.Bundle, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	if err := checkTar(gunzip(raw), limits{maxFiles: DefaultMaxFiles, maxSize: maxSize}, true); err != nil {
		return nil, err
	}
	b, err := loader.NewFileLoader().
		WithReader(bytes.NewReader(raw)).
		WithRegoVersion(ast.RegoV1).
		WithProcessAnnotation(true).
		WithCapabilities(capabilities()).
		WithSkipBundleVerification(true).
		AsBundle(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, trimBundlePrefix(err, name))
	}
	return b, nil
}

// trimBundlePrefix drops the loader's "bundle NAME: " prefix (callers name
// the bundle themselves).
func trimBundlePrefix(err error, name string) string {
	return strings.TrimPrefix(err.Error(), "bundle "+name+": ")
}

// jwtHeader is the part of a signature's header secgate reads.
type jwtHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

// verifyArchive checks a bundle archive's signature, then reads it with
// OPA's loader under the verification config.
func verifyArchive(raw []byte, name string, opts VerifyOptions, maxSize int64) (*Verified, error) {
	pub, err := parsePublicKey(opts.Key)
	if err != nil {
		return nil, err
	}
	// Malformed bundles are reported as such, not as signature problems.
	if _, err := readArchive(raw, name, maxSize); err != nil {
		return nil, err
	}
	sigRaw, err := bundleEntry(raw, ".signatures.json", 1<<20)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if sigRaw == nil {
		return nil, fmt.Errorf("%w: the bundle has no .signatures.json", ErrUnsigned)
	}
	var sc bundle.SignaturesConfig
	if err := json.Unmarshal(sigRaw, &sc); err != nil || len(sc.Signatures) != 1 {
		return nil, fmt.Errorf("%w: .signatures.json: want exactly one signature", ErrBadSignature)
	}
	if sc.Plugin != "" && sc.Plugin != "_default" {
		return nil, fmt.Errorf("%w: signed with plugin %q, which secgate does not use", ErrBadSignature, sc.Plugin)
	}
	hdr, err := parseJWTHeader(sc.Signatures[0])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	alg := opts.Algorithm
	if _, isRSA := pub.(*rsa.PublicKey); alg == "" && isRSA {
		// RS and PS algorithms fit any RSA key: take the one signed with.
		alg = hdr.Alg
	}
	if alg, err = chooseAlgorithm(pub, alg); err != nil {
		return nil, fmt.Errorf("%w: signed with %s: %v", ErrBadSignature, hdr.Alg, err)
	}
	if hdr.Alg != alg {
		return nil, fmt.Errorf("%w: signed with %s, the key is for %s", ErrBadSignature, hdr.Alg, alg)
	}
	id := opts.KeyID
	if id == "" {
		id = DefaultKeyID
	} else if hdr.Kid != "" && hdr.Kid != id {
		return nil, fmt.Errorf("%w: signed under key id %q, want %q", ErrBadSignature, hdr.Kid, id)
	}
	kc := &keys.Config{Key: strings.TrimSpace(string(opts.Key)), Algorithm: alg}
	vc := bundle.NewVerificationConfig(map[string]*bundle.KeyConfig{id: kc}, id, "", nil)
	files, err := bundle.VerifyBundleSignature(sc, vc)
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrBadSignature, err)
	}
	b, err := loader.NewFileLoader().
		WithReader(bytes.NewReader(raw)).
		WithRegoVersion(ast.RegoV1).
		WithProcessAnnotation(true).
		WithCapabilities(capabilities()).
		WithBundleVerificationConfig(vc).
		AsBundle(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTampered, trimBundlePrefix(err, name))
	}
	v := &Verified{Bundle: b, KeyID: hdr.Kid, Algorithm: alg}
	for f := range files {
		v.Files = append(v.Files, f)
	}
	sort.Strings(v.Files)
	return v, nil
}

// parseJWTHeader decodes the header of a compact JWS.
func parseJWTHeader(token string) (jwtHeader, error) {
	var h jwtHeader
	part, _, ok := strings.Cut(token, ".")
	if !ok {
		return h, errors.New("signature is not a compact JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return h, fmt.Errorf("signature header: %v", err)
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return h, fmt.Errorf("signature header: %v", err)
	}
	return h, nil
}

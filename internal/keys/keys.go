// Package keys reads the PEM keys secgate signs and verifies with, and
// says which signing algorithms fit each: ECDSA on P-256, P-384 and P-521
// (ES256, ES384, ES512) and RSA with PKCS#1 v1.5 (RS256 …) or PSS
// (PS256 …). Policy bundles and signed decision records take the same
// keys. Shared-secret algorithms (HMAC) are refused: whoever can verify
// could then forge.
package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Algorithms are the signing algorithms secgate signs and verifies with,
// by their JWS names: the asymmetric ones OPA supports.
var Algorithms = []string{"ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}

// ErrKey is wrapped by the errors of unusable keys and algorithms.
var ErrKey = errors.New("bad key")

// pemBlock returns the first PEM block of data.
func pemBlock(data []byte, what string) (*pem.Block, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%w: the %s is not PEM (want -----BEGIN …-----)", ErrKey, what)
	}
	return block, nil
}

// ParsePublic reads a PEM public key (PKIX, PKCS#1 RSA, or a
// certificate). what names the key in errors ("verification key"); a
// private key is refused, saying to give its public half.
func ParsePublic(data []byte, what string) (crypto.PublicKey, error) {
	block, err := pemBlock(data, what)
	if err != nil {
		return nil, err
	}
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrKey, what, err)
		}
		return k, nil
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrKey, what, err)
		}
		return k, nil
	case "CERTIFICATE":
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrKey, what, err)
		}
		return c.PublicKey, nil
	}
	if strings.Contains(block.Type, "PRIVATE KEY") {
		return nil, fmt.Errorf("%w: the %s is a private key; give its public half (openssl pkey -pubout)", ErrKey, what)
	}
	return nil, fmt.Errorf("%w: %s: unsupported PEM block %q", ErrKey, what, block.Type)
}

// ParsePrivate reads a PEM private key (PKCS#8, PKCS#1 RSA or SEC 1 EC).
// what names the key in errors ("signing key"); a public key is refused.
func ParsePrivate(data []byte, what string) (crypto.Signer, error) {
	block, err := pemBlock(data, what)
	if err != nil {
		return nil, err
	}
	var k any
	switch block.Type {
	case "PRIVATE KEY":
		k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		if strings.Contains(block.Type, "PUBLIC KEY") {
			return nil, fmt.Errorf("%w: the %s is a public key; sign with the private key", ErrKey, what)
		}
		return nil, fmt.Errorf("%w: %s: unsupported PEM block %q", ErrKey, what, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrKey, what, err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: %s: unsupported key type %T", ErrKey, what, k)
	}
	return s, nil
}

// AlgorithmsFor returns the algorithms a key may be used with, the
// default first: ES256/384/512 by curve, RS256 for RSA.
func AlgorithmsFor(pub crypto.PublicKey) ([]string, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}, nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return []string{"ES256"}, nil
		case elliptic.P384():
			return []string{"ES384"}, nil
		case elliptic.P521():
			return []string{"ES512"}, nil
		}
		return nil, fmt.Errorf("%w: unsupported elliptic curve %s", ErrKey, k.Curve.Params().Name)
	}
	return nil, fmt.Errorf("%w: unsupported key type %T (want RSA or ECDSA P-256/384/521)", ErrKey, pub)
}

// Choose checks alg against the key, or picks the key's default when alg
// is "". A shared-secret algorithm (HS256 …) is refused.
func Choose(pub crypto.PublicKey, alg string) (string, error) {
	algs, err := AlgorithmsFor(pub)
	if err != nil {
		return "", err
	}
	if alg == "" {
		return algs[0], nil
	}
	alg = strings.ToUpper(alg)
	if strings.HasPrefix(alg, "HS") {
		return "", fmt.Errorf("%w: %s is a shared-secret algorithm; secgate signs with a private key and verifies with its public key (one of %s)", ErrKey, alg, strings.Join(Algorithms, ", "))
	}
	if !slices.Contains(algs, alg) {
		return "", fmt.Errorf("%w: algorithm %s does not fit this key (want %s)", ErrKey, alg, strings.Join(algs, ", "))
	}
	return alg, nil
}

// Generate makes a new signing key for alg (ES256, ES384, ES512, or an
// RS/PS algorithm with an RSA key of rsaBits bits, 3072 when 0) and
// returns it and its public key, PEM-encoded (PKCS#8 and PKIX).
func Generate(alg string, rsaBits int) (private, public []byte, err error) {
	var k crypto.Signer
	switch a := strings.ToUpper(alg); {
	case a == "" || a == "ES256":
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case a == "ES384":
		k, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case a == "ES512":
		k, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case slices.Contains(Algorithms, a):
		if rsaBits == 0 {
			rsaBits = 3072
		}
		if rsaBits < 2048 {
			return nil, nil, fmt.Errorf("%w: RSA keys have at least 2048 bits", ErrKey)
		}
		k, err = rsa.GenerateKey(rand.Reader, rsaBits)
	default:
		return nil, nil, fmt.Errorf("%w: algorithm %q (want one of %s)", ErrKey, alg, strings.Join(Algorithms, ", "))
	}
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, nil, err
	}
	pub, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), nil
}

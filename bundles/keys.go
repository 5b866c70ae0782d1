package bundles

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

// Algorithms are the signing algorithms secgate signs and verifies with:
// the asymmetric ones OPA supports. HMAC (HS256 …) is refused: a gate's
// verification key would then be able to forge signatures.
var Algorithms = []string{"ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}

// ErrKey is wrapped by the errors of unusable keys and algorithms.
var ErrKey = errors.New("bad key")

// pemBlock returns the first PEM block of data.
func pemBlock(data []byte, what string) (*pem.Block, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%w: %s is not PEM (want -----BEGIN …-----)", ErrKey, what)
	}
	return block, nil
}

// parsePublicKey reads a PEM public key (PKIX, PKCS#1 RSA, or a certificate).
func parsePublicKey(data []byte) (crypto.PublicKey, error) {
	block, err := pemBlock(data, "the verification key")
	if err != nil {
		return nil, err
	}
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: verification key: %v", ErrKey, err)
		}
		return k, nil
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: verification key: %v", ErrKey, err)
		}
		return k, nil
	case "CERTIFICATE":
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: verification key: %v", ErrKey, err)
		}
		return c.PublicKey, nil
	}
	if strings.Contains(block.Type, "PRIVATE KEY") {
		return nil, fmt.Errorf("%w: the verification key is a private key; give its public half (openssl pkey -pubout)", ErrKey)
	}
	return nil, fmt.Errorf("%w: verification key: unsupported PEM block %q", ErrKey, block.Type)
}

// parsePrivateKey reads a PEM private key (PKCS#8, PKCS#1 RSA or SEC 1 EC).
func parsePrivateKey(data []byte) (crypto.Signer, error) {
	block, err := pemBlock(data, "the signing key")
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
			return nil, fmt.Errorf("%w: the signing key is a public key; sign with the private key", ErrKey)
		}
		return nil, fmt.Errorf("%w: signing key: unsupported PEM block %q", ErrKey, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: signing key: %v", ErrKey, err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: signing key: unsupported key type %T", ErrKey, k)
	}
	return s, nil
}

// algorithmsFor returns the algorithms a key may be used with, the
// default first.
func algorithmsFor(pub crypto.PublicKey) ([]string, error) {
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

// chooseAlgorithm checks alg against the key, or picks the key's default
// when alg is "".
func chooseAlgorithm(pub crypto.PublicKey, alg string) (string, error) {
	algs, err := algorithmsFor(pub)
	if err != nil {
		return "", err
	}
	if alg == "" {
		return algs[0], nil
	}
	alg = strings.ToUpper(alg)
	if strings.HasPrefix(alg, "HS") {
		return "", fmt.Errorf("%w: %s is a shared-secret algorithm; bundles are signed with a private key and verified with its public key (one of %s)", ErrKey, alg, strings.Join(Algorithms, ", "))
	}
	if !slices.Contains(algs, alg) {
		return "", fmt.Errorf("%w: algorithm %s does not fit this key (want %s)", ErrKey, alg, strings.Join(algs, ", "))
	}
	return alg, nil
}

// Validate checks that Key is a usable PEM public key and that Algorithm,
// when set, fits it.
func (o VerifyOptions) Validate() error {
	pub, err := parsePublicKey(o.Key)
	if err != nil {
		return err
	}
	if o.Algorithm != "" {
		_, err = chooseAlgorithm(pub, o.Algorithm)
	}
	return err
}

// GenerateKey makes a new signing key for alg (ES256, ES384, ES512, or an
// RS/PS algorithm with an RSA key of rsaBits bits, 3072 when 0) and
// returns it and its public key, PEM-encoded (PKCS#8 and PKIX).
func GenerateKey(alg string, rsaBits int) (private, public []byte, err error) {
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

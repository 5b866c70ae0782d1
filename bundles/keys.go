package bundles

import (
	"crypto"

	"github.com/secgate/secgate/internal/keys"
)

// Algorithms are the signing algorithms secgate signs and verifies with:
// the asymmetric ones OPA supports. HMAC (HS256 …) is refused: a gate's
// verification key would then be able to forge signatures.
var Algorithms = keys.Algorithms

// ErrKey is wrapped by the errors of unusable keys and algorithms.
var ErrKey = keys.ErrKey

// parsePublicKey reads a PEM public key (PKIX, PKCS#1 RSA, or a certificate).
func parsePublicKey(data []byte) (crypto.PublicKey, error) {
	return keys.ParsePublic(data, "verification key")
}

// parsePrivateKey reads a PEM private key (PKCS#8, PKCS#1 RSA or SEC 1 EC).
func parsePrivateKey(data []byte) (crypto.Signer, error) {
	return keys.ParsePrivate(data, "signing key")
}

// chooseAlgorithm checks alg against the key, or picks the key's default
// when alg is "".
func chooseAlgorithm(pub crypto.PublicKey, alg string) (string, error) {
	return keys.Choose(pub, alg)
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
	return keys.Generate(alg, rsaBits)
}

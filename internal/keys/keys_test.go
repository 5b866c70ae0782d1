package keys

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
)

func TestKeys(t *testing.T) {
	priv, pub, err := Generate("ES384", 0)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParsePrivate(priv, "signing key")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePublic(pub, "verification key")
	if err != nil {
		t.Fatal(err)
	}
	if alg, err := Choose(p, ""); alg != "ES384" || err != nil {
		t.Errorf("Choose = %q, %v; want ES384", alg, err)
	}
	if !k.Public().(*ecdsa.PublicKey).Equal(p) {
		t.Error("the public key is not the private key's")
	}
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		err  error
		msg  string
	}{
		{"private key as public", second(ParsePublic(priv, "verification key")), "the verification key is a private key"},
		{"public key as private", second(ParsePrivate(pub, "signing key")), "the signing key is a public key"},
		{"not PEM", second(ParsePublic([]byte("ghp_secret"), "verification key")), "the verification key is not PEM"},
		{"HMAC", second(Choose(p, "hs256")), "HS256 is a shared-secret algorithm"},
		{"RSA algorithm on an EC key", second(Choose(p, "RS256")), "algorithm RS256 does not fit this key (want ES384)"},
		{"P-224", second(Choose(&p224.PublicKey, "")), "unsupported elliptic curve P-224"},
		{"unknown algorithm", third(Generate("none", 0)), `algorithm "none"`},
	} {
		if !errors.Is(tc.err, ErrKey) || !strings.Contains(tc.err.Error(), tc.msg) || strings.Contains(tc.err.Error(), "ghp_") {
			t.Errorf("%s: err = %v, want ErrKey with %q", tc.name, tc.err, tc.msg)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func third(_, _ []byte, err error) error { return err }

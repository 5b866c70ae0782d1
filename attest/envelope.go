package attest

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"

	"github.com/secgate/secgate/internal/keys"
)

// MaxRecordSize bounds the record a verifier reads.
const MaxRecordSize = 64 << 20

// ErrMalformed is wrapped by the errors of a record that is not a DSSE
// envelope at all: not JSON, fields missing or unknown, not base64.
var ErrMalformed = errors.New("malformed record")

// ErrNotVerified is wrapped by the errors of a record that does not
// verify: a byte changed, another key, another payload type, a statement
// that is not a secgate decision record, reports that are not the ones
// judged.
var ErrNotVerified = errors.New("does not verify")

// SignOptions choose how a record is signed.
type SignOptions struct {
	// Algorithm is ES256/384/512, RS256/384/512 or PS256/384/512; ""
	// is the key's default (ES by curve, RS256 for RSA).
	Algorithm string
	// KeyID is written to the signature; "" is the public key's SHA-256
	// fingerprint (dsse.SHA256KeyID).
	KeyID string
}

// Signer signs records with one key and algorithm.
type Signer struct {
	sv *signerVerifier
}

// NewSigner reads a PEM private key and checks the algorithm against it.
func NewSigner(key []byte, opts SignOptions) (*Signer, error) {
	k, err := keys.ParsePrivate(key, "signing key")
	if err != nil {
		return nil, err
	}
	alg, err := keys.Choose(k.Public(), opts.Algorithm)
	if err != nil {
		return nil, err
	}
	sv := &signerVerifier{alg: alg, pub: k.Public(), priv: k, keyID: opts.KeyID}
	if sv.keyID == "" {
		if sv.keyID, err = dsse.SHA256KeyID(k.Public()); err != nil {
			return nil, fmt.Errorf("%w: key id: %v", keys.ErrKey, err)
		}
	}
	return &Signer{sv: sv}, nil
}

// KeyID is the key id the signatures carry.
func (s *Signer) KeyID() string { return s.sv.keyID }

// Algorithm is the signing algorithm (ES256 …).
func (s *Signer) Algorithm() string { return s.sv.alg }

// Sign wraps a statement in a DSSE envelope signed with the key and
// returns the envelope's bytes, as Read reads them: compact JSON and a
// newline.
func (s *Signer) Sign(ctx context.Context, st *Statement) ([]byte, error) {
	payload, err := st.Marshal()
	if err != nil {
		return nil, err
	}
	es, err := dsse.NewEnvelopeSigner(s.sv)
	if err != nil {
		return nil, err
	}
	env, err := es.SignPayload(ctx, PayloadType, payload)
	if err != nil {
		return nil, err
	}
	return encodeEnvelope(env)
}

// encodeEnvelope is the one form of an envelope secgate writes.
func encodeEnvelope(env *dsse.Envelope) ([]byte, error) {
	b, err := json.Marshal(env)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// VerifyOptions say which key a record must be signed with.
type VerifyOptions struct {
	// Algorithm the signature must be made with; "" is the key's default
	// (a PS256 record needs PS256 said).
	Algorithm string
	// KeyID the signature must carry; "" is the key's SHA-256
	// fingerprint, as Sign writes by default.
	KeyID string
}

// Verified is a record that verified.
type Verified struct {
	Statement *Statement
	// Payload is the statement's bytes, as signed.
	Payload   []byte
	KeyID     string
	Algorithm string
}

// Read parses a record: a DSSE envelope with one signature, exactly as
// secgate writes it, so that a byte changed anywhere in the file (the
// signed payload, the signature, the payload type, the key id, the JSON
// around them) is refused. Nothing is verified yet.
func Read(data []byte) (*dsse.Envelope, []byte, []byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var env dsse.Envelope
	if err := dec.Decode(&env); err != nil {
		return nil, nil, nil, fmt.Errorf("%w: not a DSSE envelope: %v", ErrMalformed, err)
	}
	if env.PayloadType == "" || env.Payload == "" || env.Signatures == nil {
		return nil, nil, nil, fmt.Errorf("%w: not a DSSE envelope: payloadType, payload and signatures are required", ErrMalformed)
	}
	if len(env.Signatures) != 1 {
		return nil, nil, nil, fmt.Errorf("%w: %d signatures: a secgate record has one", ErrMalformed, len(env.Signatures))
	}
	payload, err := base64.StdEncoding.Strict().DecodeString(env.Payload)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%w: the payload is not base64", ErrMalformed)
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(env.Signatures[0].Sig)
	if err != nil || len(sig) == 0 {
		return nil, nil, nil, fmt.Errorf("%w: the signature is not base64", ErrMalformed)
	}
	canonical, err := encodeEnvelope(&env)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if !bytes.Equal(canonical, data) {
		return nil, nil, nil, fmt.Errorf("%w: the file is not as secgate wrote it (changed outside the signed payload, or re-encoded)", ErrNotVerified)
	}
	return &env, payload, sig, nil
}

// Verify reads a record (Read) and checks it against the PEM public key:
// payload type, key id, signature, then the statement (ParseStatement).
// A key that is unusable (a private key, an HMAC algorithm) wraps
// keys.ErrKey; a record that does not verify, ErrNotVerified.
func Verify(ctx context.Context, data, key []byte, opts VerifyOptions) (*Verified, error) {
	pub, err := keys.ParsePublic(key, "verification key")
	if err != nil {
		return nil, err
	}
	alg, err := keys.Choose(pub, opts.Algorithm)
	if err != nil {
		return nil, err
	}
	want := opts.KeyID
	if want == "" {
		if want, err = dsse.SHA256KeyID(pub); err != nil {
			return nil, fmt.Errorf("%w: key id: %v", keys.ErrKey, err)
		}
	}
	env, payload, _, err := Read(data)
	if err != nil {
		return nil, err
	}
	if env.PayloadType != PayloadType {
		return nil, fmt.Errorf("%w: payload type %q, want %q", ErrNotVerified, env.PayloadType, PayloadType)
	}
	if got := env.Signatures[0].KeyID; got != want {
		return nil, fmt.Errorf("%w: signed under key id %q, want %q", ErrNotVerified, got, want)
	}
	ev, err := dsse.NewEnvelopeVerifier(&signerVerifier{alg: alg, pub: pub, keyID: want})
	if err != nil {
		return nil, err
	}
	if _, err := ev.Verify(ctx, env); err != nil {
		return nil, fmt.Errorf("%w: the signature does not verify with the key (%s)", ErrNotVerified, alg)
	}
	s, err := ParseStatement(payload)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotVerified, err)
	}
	return &Verified{Statement: s, Payload: payload, KeyID: want, Algorithm: alg}, nil
}

// signerVerifier signs and verifies the DSSE pre-authentication encoding
// with one key and algorithm: ECDSA signatures in ASN.1 DER, RSA in
// PKCS#1 v1.5 or PSS (salt as long as the hash).
type signerVerifier struct {
	alg   string
	pub   crypto.PublicKey
	priv  crypto.Signer
	keyID string
}

func (s *signerVerifier) hash() crypto.Hash {
	switch strings.TrimLeft(s.alg, "ERSP") {
	case "384":
		return crypto.SHA384
	case "512":
		return crypto.SHA512
	}
	return crypto.SHA256
}

func (s *signerVerifier) digest(data []byte) []byte {
	h := s.hash().New()
	h.Write(data)
	return h.Sum(nil)
}

func (s *signerVerifier) Sign(_ context.Context, data []byte) ([]byte, error) {
	var opts crypto.SignerOpts = s.hash()
	if strings.HasPrefix(s.alg, "PS") {
		opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: s.hash()}
	}
	// ECDSA signs deterministically (RFC 6979: no random source), so the
	// same statement and key give the same record, byte for byte, as
	// RSA PKCS#1 v1.5 does; only PSS stays randomised.
	var random io.Reader = rand.Reader
	if _, ok := s.priv.(*ecdsa.PrivateKey); ok {
		random = nil
	}
	return s.priv.Sign(random, s.digest(data), opts)
}

func (s *signerVerifier) Verify(_ context.Context, data, sig []byte) error {
	d := s.digest(data)
	switch k := s.pub.(type) {
	case *ecdsa.PublicKey:
		if strings.HasPrefix(s.alg, "ES") && ecdsa.VerifyASN1(k, d, sig) {
			return nil
		}
	case *rsa.PublicKey:
		switch {
		case strings.HasPrefix(s.alg, "RS"):
			return rsa.VerifyPKCS1v15(k, s.hash(), d, sig)
		case strings.HasPrefix(s.alg, "PS"):
			return rsa.VerifyPSS(k, s.hash(), d, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: s.hash()})
		}
	}
	return errors.New("signature does not verify")
}

func (s *signerVerifier) KeyID() (string, error)   { return s.keyID, nil }
func (s *signerVerifier) Public() crypto.PublicKey { return s.pub }

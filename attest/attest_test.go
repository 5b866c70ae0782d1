package attest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	intoto "github.com/in-toto/attestation/go/v1"
	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/internal/keys"
)

var (
	npm   = filepath.Join("..", "examples", "reports", "npm-audit.json")
	sbom  = filepath.Join("..", "examples", "reports", "sbom.cdx.json")
	clean = filepath.Join("..", "testdata", "corpus", "trivy-json", "trivy-image-alpine-no-vulns.json")
	cfg   = filepath.Join("..", "examples", "secgate.yaml")
)

const now = "2026-11-02T06:00:00Z"

// check runs the gate as `secgate check -c examples/secgate.yaml --now
// … REPORTS` does.
func check(t testing.TB, reports ...string) (*gate.Result, *config.Config) {
	t.Helper()
	c, err := config.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	at, _ := time.Parse(time.RFC3339, now)
	res, err := gate.Run(context.Background(), gate.Options{
		Reports: reports,
		Now:     at,
		Context: document.Context{Now: now, NowSource: document.NowFlag, Stage: "release"},
		Policy:  gate.Policy{Config: c},
	})
	if err != nil {
		t.Fatal(err)
	}
	return res, c
}

var (
	statementOnce sync.Once
	statement     *Statement
	statementErr  error
)

// failing is the statement of a failing check of two reports.
func failing(t testing.TB) *Statement {
	t.Helper()
	statementOnce.Do(func() {
		res, c := check(t, npm, sbom)
		statement, statementErr = New(res, Options{FailOn: gate.Fail, Config: c, Version: "test"})
	})
	if statementErr != nil {
		t.Fatal(statementErr)
	}
	return statement
}

type keyPair struct{ private, public []byte }

var (
	keysOnce sync.Once
	keyPairs map[string]keyPair
)

// pair is a key pair made for the test run: ES256, ES384, RS256 (also
// used for PS256) and "other" (ES256).
func pair(t testing.TB, name string) keyPair {
	t.Helper()
	keysOnce.Do(func() {
		keyPairs = map[string]keyPair{}
		for name, alg := range map[string]string{"ES256": "ES256", "ES384": "ES384", "ES512": "ES512", "RSA": "RS256", "other": "ES256"} {
			bits := 0
			if alg == "RS256" {
				bits = 2048
			}
			priv, pub, err := keys.Generate(alg, bits)
			if err != nil {
				panic(err)
			}
			keyPairs[name] = keyPair{priv, pub}
		}
	})
	return keyPairs[name]
}

func sign(t testing.TB, s *Statement, key []byte, opts SignOptions) []byte {
	t.Helper()
	signer, err := NewSigner(key, opts)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := signer.Sign(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestStatementHoldsTheDecision(t *testing.T) {
	s := failing(t)
	if s.Type != StatementType || s.PredicateType != PredicateType {
		t.Errorf("_type %q predicateType %q", s.Type, s.PredicateType)
	}
	if len(s.Subject) != 2 || s.Subject[0].Name != npm || s.Subject[1].Name != sbom {
		t.Fatalf("subjects %+v, want the two reports as given", s.Subject)
	}
	for _, sub := range s.Subject {
		d, err := DigestFile(sub.Name)
		if err != nil {
			t.Fatal(err)
		}
		if sub.Digest.SHA256 != d {
			t.Errorf("%s: digest %s, want %s", sub.Name, sub.Digest.SHA256, d)
		}
	}
	p := s.Predicate
	if p.Decision != gate.Fail || p.FailOn != gate.Fail || len(p.Violations) == 0 {
		t.Errorf("decision %q fail_on %q violations %d, want a failing decision", p.Decision, p.FailOn, len(p.Violations))
	}
	if p.Reports[0].Format != "npm-audit" || p.Reports[1].Format != "cyclonedx" {
		t.Errorf("formats %q %q", p.Reports[0].Format, p.Reports[1].Format)
	}
	if p.Config.Path != cfg || len(p.Config.SHA256) != 64 {
		t.Errorf("config %+v", p.Config)
	}
	if len(p.PolicySources) == 0 || !strings.HasPrefix(p.PolicySources[0], "builtin sha256:") {
		t.Errorf("policy sources %q", p.PolicySources)
	}
	if p.Context.Now != now || p.Context.NowSource != "flag" || p.Context.Stage != "release" {
		t.Errorf("context %+v", p.Context)
	}
	if p.Secgate.Version != "test" || p.Secgate.SchemaVersion != document.SchemaVersion {
		t.Errorf("secgate %+v", p.Secgate)
	}
	if p.Summary.OpenFindings == 0 || p.Summary.OpenBySeverity["high"] == 0 {
		t.Errorf("summary %+v", p.Summary)
	}
}

// The statement is an in-toto Statement v1 by the in-toto attestation
// library.
func TestStatementValidatesWithInToto(t *testing.T) {
	data, err := failing(t).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var st intoto.Statement
	if err := protojson.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	if err := st.Validate(); err != nil {
		t.Fatal(err)
	}
	if st.GetPredicateType() != PredicateType || st.GetSubject()[0].GetDigest()["sha256"] == "" {
		t.Errorf("read back as %v", &st)
	}
	if got := st.GetPredicate().GetFields()["decision"].GetStringValue(); got != gate.Fail {
		t.Errorf("predicate decision %q", got)
	}
}

// Two checks of the same reports at the same time give the same
// statement, byte for byte; an RSA PKCS#1 v1.5 envelope is the same
// too, an ECDSA one differs in its signature alone.
func TestDeterministic(t *testing.T) {
	var payloads [][]byte
	var stmts []*Statement
	for range 2 {
		res, c := check(t, npm, sbom)
		s, err := New(res, Options{FailOn: gate.Fail, Config: c, Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		payloads, stmts = append(payloads, b), append(stmts, s)
	}
	if !bytes.Equal(payloads[0], payloads[1]) {
		t.Fatalf("two statements of one check differ:\n%s", cmp.Diff(string(payloads[0]), string(payloads[1])))
	}
	rsa := pair(t, "RSA").private
	if a, b := sign(t, stmts[0], rsa, SignOptions{}), sign(t, stmts[1], rsa, SignOptions{}); !bytes.Equal(a, b) {
		t.Error("two RS256 records of one check differ")
	}
	// ECDSA signs by RFC 6979: the same record, whichever curve.
	for _, alg := range []string{"ES256", "ES384", "ES512"} {
		ec := pair(t, alg).private
		a, b := sign(t, stmts[0], ec, SignOptions{}), sign(t, stmts[1], ec, SignOptions{})
		if !bytes.Equal(a, b) {
			t.Errorf("two %s records of one check differ", alg)
		}
		if _, p, _, err := Read(a); err != nil || !bytes.Equal(p, payloads[0]) {
			t.Errorf("%s: the record's payload is not the statement: %v", alg, err)
		}
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	s := failing(t)
	want, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ key, alg string }{
		{"ES256", ""}, {"ES384", ""}, {"RSA", ""}, {"RSA", "RS512"}, {"RSA", "PS256"}, {"RSA", "ps384"},
	} {
		t.Run(tc.key+tc.alg, func(t *testing.T) {
			kp := pair(t, tc.key)
			rec := sign(t, s, kp.private, SignOptions{Algorithm: tc.alg})
			var env dsse.Envelope
			if err := json.Unmarshal(rec, &env); err != nil {
				t.Fatal(err)
			}
			if env.PayloadType != PayloadType {
				t.Errorf("payloadType %q", env.PayloadType)
			}
			v, err := Verify(context.Background(), rec, kp.public, VerifyOptions{Algorithm: tc.alg})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(v.Payload, want) {
				t.Error("the payload verified is not the statement signed")
			}
			if diff := cmp.Diff(s, v.Statement); diff != "" {
				t.Errorf("statement read back differs (-signed +read):\n%s", diff)
			}
			if !strings.HasPrefix(v.KeyID, "SHA256:") || env.Signatures[0].KeyID != v.KeyID {
				t.Errorf("key id %q, envelope's %q", v.KeyID, env.Signatures[0].KeyID)
			}
		})
	}
}

// A record signed under a key id of one's choosing verifies when that
// id is asked for, and only then.
func TestKeyID(t *testing.T) {
	kp := pair(t, "ES256")
	rec := sign(t, failing(t), kp.private, SignOptions{KeyID: "team"})
	if _, err := Verify(context.Background(), rec, kp.public, VerifyOptions{KeyID: "team"}); err != nil {
		t.Fatal(err)
	}
	_, err := Verify(context.Background(), rec, kp.public, VerifyOptions{})
	if !errors.Is(err, ErrNotVerified) || !strings.Contains(err.Error(), `signed under key id "team"`) {
		t.Errorf("err = %v, want the key id refused", err)
	}
}

// resign signs payload, as it is, with key under payloadType.
func resign(t *testing.T, payloadType string, payload, key []byte) []byte {
	t.Helper()
	signer, err := NewSigner(key, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	es, err := dsse.NewEnvelopeSigner(signer.sv)
	if err != nil {
		t.Fatal(err)
	}
	env, err := es.SignPayload(context.Background(), payloadType, payload)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := encodeEnvelope(env)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// edit changes the envelope of rec with f and writes it as secgate does.
func edit(t *testing.T, rec []byte, f func(*dsse.Envelope)) []byte {
	t.Helper()
	var env dsse.Envelope
	if err := json.Unmarshal(rec, &env); err != nil {
		t.Fatal(err)
	}
	f(&env)
	out, err := encodeEnvelope(&env)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRefused(t *testing.T) {
	kp := pair(t, "ES256")
	s := failing(t)
	rec := sign(t, s, kp.private, SignOptions{})
	payload, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	keyID, _ := dsse.SHA256KeyID(mustPublic(t, kp.public))
	pae := dsse.PAE(PayloadType, payload)
	mac := hmac.New(sha256.New, kp.public)
	mac.Write(pae)

	for _, tc := range []struct {
		name   string
		record []byte
		key    []byte
		opts   VerifyOptions
		target error
		msg    string
	}{
		{"another key", rec, pair(t, "other").public, VerifyOptions{}, ErrNotVerified, "signed under key id"},
		{"another key, its id asked for", rec, pair(t, "other").public, VerifyOptions{KeyID: keyID}, ErrNotVerified, "signature does not verify"},
		{"an RSA key", rec, pair(t, "RSA").public, VerifyOptions{KeyID: keyID}, ErrNotVerified, "signature does not verify with the key (RS256)"},
		{"edited to say pass", edit(t, rec, func(e *dsse.Envelope) {
			p := strings.Replace(string(payload), `"decision":"fail"`, `"decision":"pass"`, 1)
			e.Payload = base64.StdEncoding.EncodeToString([]byte(p))
		}), kp.public, VerifyOptions{}, ErrNotVerified, "signature does not verify"},
		{"payload type swapped", edit(t, rec, func(e *dsse.Envelope) { e.PayloadType = "application/json" }), kp.public, VerifyOptions{}, ErrNotVerified, "payload type"},
		{"payload type swapped and signed", resign(t, "application/json", payload, kp.private), kp.public, VerifyOptions{}, ErrNotVerified, "payload type"},
		{"unknown predicate type, signed", resign(t, PayloadType, bytes.Replace(payload, []byte("decision/v1"), []byte("decision/v9"), 1), kp.private), kp.public, VerifyOptions{}, ErrNotVerified, "unknown predicate type"},
		{"another statement type, signed", resign(t, PayloadType, bytes.Replace(payload, []byte("Statement/v1"), []byte("Statement/v0.1"), 1), kp.private), kp.public, VerifyOptions{}, ErrNotVerified, "_type"},
		{"unknown predicate field, signed", resign(t, PayloadType, bytes.Replace(payload, []byte(`"decision":`), []byte(`"override":"pass","decision":`), 1), kp.private), kp.public, VerifyOptions{}, ErrNotVerified, "unknown field"},
		{"subject not a report, signed", resign(t, PayloadType, bytes.Replace(payload, []byte(`"subject":[{"name":"`), []byte(`"subject":[{"name":"x`), 1), kp.private), kp.public, VerifyOptions{}, ErrNotVerified, "is not report"},
		{"malformed statement, signed", resign(t, PayloadType, payload[:len(payload)-1], kp.private), kp.public, VerifyOptions{}, ErrNotVerified, "not a secgate decision record"},
		{"HMAC with the public key", edit(t, rec, func(e *dsse.Envelope) { e.Signatures[0].Sig = base64.StdEncoding.EncodeToString(mac.Sum(nil)) }), kp.public, VerifyOptions{}, ErrNotVerified, "signature does not verify"},
		{"no signature", edit(t, rec, func(e *dsse.Envelope) { e.Signatures = []dsse.Signature{} }), kp.public, VerifyOptions{}, ErrMalformed, "0 signatures"},
		{"empty signature", edit(t, rec, func(e *dsse.Envelope) { e.Signatures[0].Sig = "" }), kp.public, VerifyOptions{}, ErrMalformed, "signature is not base64"},
		{"two signatures", edit(t, rec, func(e *dsse.Envelope) { e.Signatures = append(e.Signatures, e.Signatures[0]) }), kp.public, VerifyOptions{}, ErrMalformed, "2 signatures"},
		{"re-encoded", indent(t, rec), kp.public, VerifyOptions{}, ErrNotVerified, "not as secgate wrote it"},
		{"field added", bytes.Replace(rec, []byte(`{"payloadType"`), []byte(`{"x":1,"payloadType"`), 1), kp.public, VerifyOptions{}, ErrMalformed, "unknown field"},
		{"not JSON", []byte("hello"), kp.public, VerifyOptions{}, ErrMalformed, "not a DSSE envelope"},
		{"empty", nil, kp.public, VerifyOptions{}, ErrMalformed, "not a DSSE envelope"},
		{"private key as public", rec, kp.private, VerifyOptions{}, keys.ErrKey, "is a private key; give its public half"},
		{"HMAC algorithm", rec, kp.public, VerifyOptions{Algorithm: "HS256"}, keys.ErrKey, "shared-secret"},
		{"algorithm not of the key", rec, kp.public, VerifyOptions{Algorithm: "RS256"}, keys.ErrKey, "does not fit this key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Verify(context.Background(), tc.record, tc.key, tc.opts)
			if !errors.Is(err, tc.target) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want %v with %q", err, tc.target, tc.msg)
			}
			if v != nil {
				t.Error("a refused record returned a result")
			}
		})
	}
}

func indent(t *testing.T, rec []byte) []byte {
	var b bytes.Buffer
	if err := json.Indent(&b, rec, "", "  "); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func mustPublic(t *testing.T, pem []byte) any {
	t.Helper()
	k, err := keys.ParsePublic(pem, "key")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Whatever byte of a record changes, and to whatever, the record is
// refused.
func TestAnyByteChangedIsRefused(t *testing.T) {
	for _, key := range []string{"ES256", "RSA"} {
		kp := pair(t, key)
		rec := sign(t, failing(t), kp.private, SignOptions{})
		if _, err := Verify(context.Background(), rec, kp.public, VerifyOptions{}); err != nil {
			t.Fatal(err)
		}
		for i := range rec {
			for _, flip := range []byte{0x01, 0x20} {
				changed := bytes.Clone(rec)
				changed[i] ^= flip
				if _, err := Verify(context.Background(), changed, kp.public, VerifyOptions{}); err == nil {
					t.Fatalf("%s: byte %d (%q) changed to %q: the record still verifies", key, i, rec[i], changed[i])
				}
			}
		}
	}
}

func TestMatch(t *testing.T) {
	s := failing(t)
	digest := func(p string) string {
		d, err := DigestFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	given := []Given{{Path: "copy-of-sbom.json", SHA256: digest(sbom)}}
	notGiven, err := s.Match(given)
	if err != nil {
		t.Fatal(err)
	}
	if given[0].Subject != sbom || len(notGiven) != 1 || notGiven[0].Name != npm {
		t.Errorf("matched %+v, not given %+v", given, notGiven)
	}
	_, err = s.Match([]Given{{Path: npm, SHA256: digest(npm)}, {Path: clean, SHA256: digest(clean)}})
	if !errors.Is(err, ErrNotVerified) || !strings.Contains(err.Error(), "not a report this decision judged: "+clean+" (sha256:") {
		t.Errorf("err = %v, want %s refused", err, clean)
	}
}

// A record of a passing check says pass.
func TestPassingCheck(t *testing.T) {
	res, _ := check(t, clean)
	s, err := New(res, Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Predicate.Decision != gate.Pass || s.Predicate.FailOn != gate.Fail || s.Predicate.Config != (Config{}) {
		t.Errorf("predicate %+v", s.Predicate)
	}
}

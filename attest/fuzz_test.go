package attest

import (
	"bytes"
	"context"
	"testing"
)

// FuzzVerify: no panic on any record; what verifies is a statement that
// holds to what secgate writes.
func FuzzVerify(f *testing.F) {
	kp := pair(f, "ES256")
	s := failing(f)
	payload, err := s.Marshal()
	if err != nil {
		f.Fatal(err)
	}
	rec := sign(f, s, kp.private, SignOptions{})
	if _, err := Verify(context.Background(), rec, kp.public, VerifyOptions{}); err != nil {
		f.Fatal(err)
	}
	f.Add(rec)
	f.Add(rec[:len(rec)-1])
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"keyid":"","sig":"AA=="}]}` + "\n"))
	f.Add([]byte(`{"payloadType":"","payload":"","signatures":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Verify(context.Background(), data, kp.public, VerifyOptions{})
		if err != nil {
			if v != nil {
				t.Fatal("a refused record returned a result")
			}
			return
		}
		if !bytes.Equal(v.Payload, payload) || v.Statement == nil {
			t.Fatalf("a record verified with a payload the key never signed: %q", v.Payload)
		}
	})
}

// FuzzParseStatement: no panic on any statement; one read is read again
// the same from its own bytes.
func FuzzParseStatement(f *testing.F) {
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"https://secgate.dev/attestation/decision/v1","predicate":{}}`))
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}}],"predicateType":"https://secgate.dev/attestation/decision/v1","predicate":{"reports":[{"path":"a","sha256":"0000000000000000000000000000000000000000000000000000000000000000"}]}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseStatement(data)
		if err != nil {
			return
		}
		b, err := s.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseStatement(b)
		if err != nil {
			t.Fatalf("a statement read does not read again: %v", err)
		}
		b2, _ := again.Marshal()
		if !bytes.Equal(b, b2) {
			t.Fatal("a statement read twice is not the same")
		}
	})
}

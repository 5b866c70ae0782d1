package trivy

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/sniff"
	"github.com/secgate/secgate/internal/jsonscan"
)

// streamFast converts the report with the fast path (walk); on any
// failure it converts it again with encoding/json's streaming decoder,
// whose verdict and errors (with their line and column) are the ones
// reported. goccy/go-json is lenient about syntax, so the fast path only
// sees what encoding/json's validator accepts (sniff.File.ValidJSON;
// fastjson's validator lets control characters through in strings that
// also hold an escape). A file under sniff.LargeJSON goes to
// encoding/json straight away: goccy compiles its decoders on first use
// and the arena takes a megabyte, more than a small file costs to decode.
func (c *converter) streamFast(f *sniff.File, data []byte, rep *document.Report) error {
	start := len(c.findings)
	created, version := rep.Created, rep.Tool.Version
	if len(data) >= sniff.LargeJSON && f.ValidJSON() && c.tryStream(data, rep) == nil {
		return nil
	}
	c.findings = c.findings[:start]
	rep.Created, rep.Tool.Version = created, version
	return c.stream(data, rep)
}

// tryStream converts a report already known to be valid JSON with the
// fast path.
func (c *converter) tryStream(data []byte, rep *document.Report) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("fast decoder: %v", r)
		}
	}()
	// encoding/json replaces invalid UTF-8 in strings; goccy keeps it.
	if !utf8.Valid(data) {
		return errors.New("invalid UTF-8: left to encoding/json")
	}
	return c.walk(data, rep)
}

// stream converts a SchemaVersion 2 report or a legacy array of results
// while decoding it: each vulnerability is decoded into one reused struct
// and converted before the next is read, so the decoded form of a large
// report never exists whole.
func (c *converter) stream(data []byte, rep *document.Report) error {
	s := jsonscan.NewStream(data)
	if first := firstByte(data); first == '[' {
		return s.Array("(top level)", func() error { return c.streamResult(s) })
	}
	return s.Object("(top level)", func(key string) error {
		switch key {
		case "CreatedAt":
			return s.Value(key, &rep.Created)
		case "Trivy":
			var t *tool
			if err := s.Value(key, &t); err != nil || t == nil {
				return err
			}
			rep.Tool.Version = t.Version
			return nil
		case "Results":
			return s.Array(key, func() error { return c.streamResult(s) })
		}
		return s.Skip()
	})
}

// streamResult converts one result. Its small lists (misconfigurations,
// secrets, licences) are decoded whole and converted when the result
// ends; its vulnerabilities are converted one by one.
func (c *converter) streamResult(s *jsonscan.Stream) error {
	var r result
	start := len(c.findings)
	err := s.Object("Results[]", func(key string) error {
		switch key {
		case "Target":
			return s.Value(key, &r.Target)
		case "Class":
			return s.Value(key, &r.Class)
		case "Type":
			return s.Value(key, &r.Type)
		case "Misconfigurations":
			return s.Value(key, &r.Misconfigurations)
		case "Secrets":
			return s.Value(key, &r.Secrets)
		case "Licenses":
			return s.Value(key, &r.Licenses)
		case "Vulnerabilities":
			i := 0
			return s.Array(key, func() error {
				c.vuln.reset()
				if err := s.Value(key, &c.vuln); err != nil {
					return err
				}
				i++
				return c.vulnerability(&c.vuln, r.Target, i-1, start)
			})
		}
		return s.Skip()
	})
	if err != nil {
		return err
	}
	return c.finishResult(start, &r, nil)
}

func firstByte(data []byte) byte {
	data = bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(data) == 0 {
		return 0
	}
	return data[0]
}

package trivy

import (
	"bytes"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/internal/jsonscan"
)

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

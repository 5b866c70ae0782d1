package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/internal/textsafe"
)

// JUnit writes JUnit XML, which GitLab, Jenkins and Azure DevOps show as
// test results: one testsuite per policy, one testcase per violation or
// warning (a failure or a skipped case), and one passing testcase for a
// policy that said nothing.
type JUnit struct{}

// Name implements Format.
func (JUnit) Name() string { return "junit" }

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitMessage `xml:"failure"`
	Skipped   *junitMessage `xml:"skipped"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// Write implements Format.
func (JUnit) Write(w io.Writer, r *gate.Result) error {
	suites := map[string]*junitSuite{}
	var order []string
	suite := func(name string) *junitSuite {
		if s, ok := suites[name]; ok {
			return s
		}
		s := &junitSuite{Name: name}
		suites[name] = s
		order = append(order, name)
		return s
	}
	for _, p := range r.Decision.Policies {
		suite(cleanField(p))
	}
	for _, it := range items(r, false) {
		s := suite(cleanField(it.Msg.Policy))
		path, line := place(r, it)
		// Report text is cleaned (textsafe.Clean): XML 1.0 cannot carry
		// most control characters, and CI pages show these fields as text.
		text := textsafe.Clean(it.Msg.Msg, textsafe.MaxMessage)
		c := junitCase{Name: textsafe.Clean(title(it), textsafe.MaxField) + ": " + text, Classname: cleanField(it.Msg.Policy),
			File: cleanField(path), Line: line}
		body := text
		if it.Msg.Remediation != "" {
			body += "\nfix: " + textsafe.Clean(it.Msg.Remediation, textsafe.MaxMessage)
		}
		if len(it.Msg.FindingIDs) > 0 {
			body += "\nfindings: " + textsafe.Clean(strings.Join(it.Msg.FindingIDs, ", "), textsafe.MaxMessage)
		}
		if len(it.Msg.Components) > 0 {
			body += "\ncomponents: " + textsafe.Clean(strings.Join(it.Msg.Components, ", "), textsafe.MaxMessage)
		}
		msg := &junitMessage{Message: text, Type: cleanField(it.Msg.Severity), Text: body}
		if it.Level == "error" {
			c.Failure = msg
			s.Failures++
		} else {
			c.Skipped = msg
			s.Skipped++
		}
		s.Cases = append(s.Cases, c)
		s.Tests++
	}
	out := junitSuites{Name: "secgate " + r.Decision.Decision}
	for _, name := range order {
		s := suites[name]
		if s.Tests == 0 {
			s.Cases = append(s.Cases, junitCase{Name: "no violations", Classname: name, SystemOut: fmt.Sprintf("%s found nothing to report", name)})
			s.Tests = 1
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Skipped += s.Skipped
		out.Suites = append(out.Suites, *s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func cleanField(s string) string { return textsafe.Clean(s, textsafe.MaxField) }

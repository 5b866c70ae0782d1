package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/internal/textsafe"
)

// CodeQuality writes GitLab's Code Quality report (artifacts: reports:
// codequality), which merge requests show as findings introduced and
// resolved: a JSON array with one issue per violation or warning (per
// failing finding where the policy names several), each with a
// description, the policy as check_name, a fingerprint stable across
// runs, a severity and the file and line it is about.
//
// Severities map from the finding's (else the message's): critical to
// critical, high to major, medium to minor, low and info to info. A
// violation fails the gate, so it is never below major; a warning of no
// known severity is minor.
type CodeQuality struct{}

// Name implements Format.
func (CodeQuality) Name() string { return "codequality" }

type cqIssue struct {
	Description string     `json:"description"`
	CheckName   string     `json:"check_name"`
	Fingerprint string     `json:"fingerprint"`
	Severity    string     `json:"severity"`
	Location    cqLocation `json:"location"`
}

type cqLocation struct {
	Path  string  `json:"path"`
	Lines cqLines `json:"lines"`
}

type cqLines struct {
	Begin int `json:"begin"`
}

// cqSeverity ranks GitLab's severities.
var cqSeverity = map[string]int{"info": 0, "minor": 1, "major": 2, "critical": 3, "blocker": 4}

// Write implements Format.
func (CodeQuality) Write(w io.Writer, r *gate.Result) error {
	issues := []cqIssue{}
	seen := map[string]int{}
	for _, it := range items(r, true) {
		path, line := place(r, it)
		if path == "" {
			path = "."
		}
		desc := textsafe.Clean(it.Msg.Msg, textsafe.MaxMessage)
		// A message about one finding names it, as one split per
		// finding already does.
		if f := it.Finding; f != nil {
			if ev := evidence(f, f.ID); !strings.HasPrefix(desc, ev) {
				desc = ev + ": " + desc
			}
		}
		if it.Msg.Remediation != "" {
			desc += " (fix: " + textsafe.Clean(it.Msg.Remediation, textsafe.MaxMessage) + ")"
		}
		fp := cqFingerprint(it)
		// Two issues of one policy and rule about one finding (or with
		// one message) are told apart by their order.
		if n := seen[fp]; n > 0 {
			seen[fp]++
			fp = cqHash(fp, fmt.Sprint(n))
		} else {
			seen[fp] = 1
		}
		issues = append(issues, cqIssue{
			Description: desc,
			CheckName:   cleanField(it.Msg.Policy),
			Fingerprint: fp,
			Severity:    cqSeverityOf(it),
			Location:    cqLocation{Path: cqPath(cleanField(path)), Lines: cqLines{Begin: max(line, 1)}},
		})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(issues); err != nil {
		return err
	}
	// C1 and bidi controls as \u escapes, as in the SARIF.
	_, err := w.Write(textsafe.EscapeJSON(buf.Bytes()))
	return err
}

// cqFingerprint identifies an issue across runs: its policy, rule and
// level, and the finding it is about (else its message), hashed.
func cqFingerprint(it item) string {
	about := it.Msg.Msg
	if it.Finding != nil {
		about = "finding:" + it.Finding.ID
	}
	return cqHash(it.Msg.Policy, it.Msg.Rule, it.Level, about)
}

// cqPath is a path as GitLab matches it to the repository's files:
// slash-separated, relative, without a leading "./".
func cqPath(path string) string {
	return strings.TrimPrefix(strings.ReplaceAll(path, "\\", "/"), "./")
}

func cqHash(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func cqSeverityOf(it item) string {
	sev := it.Msg.Severity
	if it.Finding != nil && it.Finding.Severity != "" {
		sev = string(it.Finding.Severity)
	}
	out := map[string]string{"critical": "critical", "high": "major", "medium": "minor", "low": "info", "info": "info"}[sev]
	if it.Level == "error" && cqSeverity[out] < cqSeverity["major"] {
		return "major"
	}
	if out == "" {
		return "minor"
	}
	return out
}

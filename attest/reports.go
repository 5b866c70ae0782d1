package attest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
)

// MaxReportSize bounds a report a verifier hashes: a device or a pipe
// given as a report ends there.
const MaxReportSize = 16 << 30

// Given is a report given to a verifier: its path, its digest, and the
// subject of the record it is (set by Match).
type Given struct {
	Path    string `json:"path"`
	SHA256  string `json:"sha256"`
	Subject string `json:"subject"`
}

// DigestFile is the hex SHA-256 of the file at path.
func DigestFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(f, MaxReportSize+1))
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	if n > MaxReportSize {
		return "", fmt.Errorf("%s: larger than %d bytes", path, int64(MaxReportSize))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Match finds the subject each given report is, by digest (its path may
// differ from the one the check was given), and returns the subjects no
// report given is. A report that is no subject is refused, each one
// named: it is not a report the decision judged.
func (s *Statement) Match(given []Given) (notGiven []Subject, err error) {
	used := make([]bool, len(s.Subject))
	var strangers []string
	for i := range given {
		matched := false
		for j, sub := range s.Subject {
			if sub.Digest.SHA256 == given[i].SHA256 {
				if !matched {
					given[i].Subject = sub.Name
				}
				used[j], matched = true, true
			}
		}
		if !matched {
			strangers = append(strangers, fmt.Sprintf("%s (sha256:%s)", given[i].Path, given[i].SHA256))
		}
	}
	if len(strangers) > 0 {
		return nil, fmt.Errorf("%w: not a report this decision judged: %s", ErrNotVerified, strings.Join(strangers, ", "))
	}
	for j, sub := range s.Subject {
		if !used[j] {
			notGiven = append(notGiven, sub)
		}
	}
	return notGiven, nil
}

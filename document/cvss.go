package document

import (
	"strings"

	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"
)

// ScoreVector computes the base score of a CVSS v2, v3.0, v3.1 or v4.0
// vector. A v2 vector may come with or without its "(…)" wrapper or
// "CVSS:2.0/" prefix. ok is false for a vector that does not parse.
func ScoreVector(vector string) (version string, score float64, ok bool) {
	v := strings.TrimSpace(vector)
	v = strings.TrimSuffix(strings.TrimPrefix(v, "("), ")")
	switch {
	case strings.HasPrefix(v, "CVSS:4.0/"):
		c, err := gocvss40.ParseVector(v)
		if err != nil {
			return "", 0, false
		}
		return "4.0", c.Score(), true
	case strings.HasPrefix(v, "CVSS:3.1/"):
		c, err := gocvss31.ParseVector(v)
		if err != nil {
			return "", 0, false
		}
		return "3.1", c.BaseScore(), true
	case strings.HasPrefix(v, "CVSS:3.0/"):
		c, err := gocvss30.ParseVector(v)
		if err != nil {
			return "", 0, false
		}
		return "3.0", c.BaseScore(), true
	}
	v = strings.TrimPrefix(v, "CVSS:2.0/")
	c, err := gocvss20.ParseVector(v)
	if err != nil {
		return "", 0, false
	}
	return "2.0", c.BaseScore(), true
}

// NewCVSS builds a score from what a report states: a score, a vector, or
// both. A stated score in (0, 10] is kept as stated; one that is absent
// (0), negative, above 10 or not a number is ignored and the vector, if
// any, is scored instead. ok is false when neither gives a score.
func NewCVSS(source, version string, score float64, vector string) (CVSS, bool) {
	c := CVSS{Version: version, Vector: strings.TrimSpace(vector), Source: source}
	if inRange(score) {
		c.Score = score
	}
	if c.Vector != "" {
		if ver, s, ok := ScoreVector(c.Vector); ok {
			c.Version = ver
			if c.Score == 0 {
				c.Score = s
			}
		}
	}
	if !inRange(c.Score) {
		return CVSS{}, false
	}
	return c, true
}

// inRange reports whether score is a CVSS base score above 0 (NaN is not).
func inRange(score float64) bool { return score > 0 && score <= 10 }

// BestCVSS picks the score to show from several: the newest CVSS version
// first, then the order of the sources in prefer (earlier wins), then the
// highest score.
func BestCVSS(scores []CVSS, prefer ...string) *CVSS {
	if len(scores) == 0 {
		return nil
	}
	rank := func(src string) int {
		for i, p := range prefer {
			if strings.EqualFold(p, src) {
				return i
			}
		}
		return len(prefer)
	}
	best := scores[0]
	for _, c := range scores[1:] {
		rb, rc := rank(best.Source), rank(c.Source)
		switch {
		case rc < rb:
			best = c
		case rc == rb && c.Version > best.Version:
			best = c
		case rc == rb && c.Version == best.Version && c.Score > best.Score:
			best = c
		}
	}
	return &best
}

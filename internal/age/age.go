// Package age reads the periods secgate.yaml gives as ages: a number of
// days, weeks or hours (90d, 12w, 36h), or forever. The history's
// retention and the coverage section's max_age share it.
package age

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

const day = 24 * time.Hour

// Parse reads an age: "90d", "12w", "36h", or "forever" (0).
func Parse(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "forever" {
		return 0, nil
	}
	if len(s) < 2 {
		return 0, fmt.Errorf("want a number of days (90d), weeks (12w) or hours (36h), or forever; got %q", s)
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("want a positive number of days (90d), weeks (12w) or hours (36h), or forever; got %q", s)
	}
	switch s[len(s)-1] {
	case 'd':
		return time.Duration(n) * day, nil
	case 'w':
		return time.Duration(n) * 7 * day, nil
	case 'h':
		return time.Duration(n) * time.Hour, nil
	}
	return 0, fmt.Errorf("want a number of days (90d), weeks (12w) or hours (36h), or forever; got %q", s)
}

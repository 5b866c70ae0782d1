package document

import (
	"math"
	"testing"
)

// TestStatedScoreOutOfRangeScoresTheVector: a stated score above 10,
// negative or not a number is ignored and the vector scored instead, so a
// bad number never hides (or lowers) what the vector says.
func TestStatedScoreOutOfRangeScoresTheVector(t *testing.T) {
	const vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
	for _, score := range []float64{11, 98, -1, -9.8, math.NaN(), math.Inf(1)} {
		c, ok := NewCVSS("nvd", "3.1", score, vector)
		if !ok || c.Score != 9.8 {
			t.Errorf("NewCVSS(score %v, critical vector) = %+v, %v; want the vector's 9.8", score, c, ok)
		}
		if _, ok := NewCVSS("nvd", "3.1", score, ""); ok {
			t.Errorf("NewCVSS(score %v, no vector) gave a score", score)
		}
	}
	if c, ok := NewCVSS("nvd", "3.1", 5.3, vector); !ok || c.Score != 5.3 {
		t.Errorf("a stated score in range is kept as stated: %+v", c)
	}
}

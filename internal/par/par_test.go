package par

import (
	"sync/atomic"
	"testing"
)

// TestEachCallsEveryIndexOnce, below and above the size that spreads work.
func TestEachCallsEveryIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, Min - 1, Min, 3*Min + 7} {
		seen := make([]atomic.Int32, n)
		Each(n, func(i int) { seen[i].Add(1) })
		for i := range seen {
			if c := seen[i].Load(); c != 1 {
				t.Fatalf("n=%d: index %d called %d times", n, i, c)
			}
		}
	}
}

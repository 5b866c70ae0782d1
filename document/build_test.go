package document

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortedByInPlace: the in-place permutation gives what a stable sort
// gives, for every size up to 200 and many orders.
func TestSortedByInPlace(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	type item struct{ key, orig int }
	for n := 0; n <= 200; n++ {
		for range 5 {
			s := make([]item, n)
			for i := range s {
				s[i] = item{rnd.IntN(n/3 + 1), i}
			}
			want := slices.Clone(s)
			slices.SortStableFunc(want, func(a, b item) int { return a.key - b.key })
			got := sortedBy(s, func(a, b *item) int { return a.key - b.key })
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d: got %v, want %v", n, got, want)
			}
		}
	}
}

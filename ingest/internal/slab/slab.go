// Package slab hands out small slices cut from larger blocks: a report of
// 100,000 findings needs 100,000 origins, packages, locations and short
// lists, and one allocation per block costs less than one per finding.
package slab

// Slab cuts slices of T from blocks that start small, for small reports,
// and double up to 1024 elements. Each slice has its capacity capped, so
// an append elsewhere copies it instead of writing over its neighbour.
// The zero Slab is ready to use.
type Slab[T any] struct {
	block []T
	size  int
}

// Take returns a new slice of n zero elements.
func (s *Slab[T]) Take(n int) []T {
	if n > len(s.block) {
		s.size = min(max(2*s.size, 8), 1024)
		s.block = make([]T, max(n, s.size))
	}
	out := s.block[:n:n]
	s.block = s.block[n:]
	return out
}

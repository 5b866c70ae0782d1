package slab

import "testing"

// TestTake: slices are zeroed, of the length asked, never overlap, and an
// append to one does not write into the next.
func TestTake(t *testing.T) {
	var s Slab[int]
	var got [][]int
	for i := range 3000 {
		n := i%5 + 1
		if i%700 == 0 {
			n = 2000 // larger than a block
		}
		out := s.Take(n)
		if len(out) != n || cap(out) != n {
			t.Fatalf("Take(%d): len %d cap %d", n, len(out), cap(out))
		}
		for j := range out {
			if out[j] != 0 {
				t.Fatalf("Take(%d)[%d] = %d, want 0", n, j, out[j])
			}
			out[j] = i
		}
		got = append(got, out)
	}
	for i, out := range got {
		_ = append(out, -1)
		for _, v := range out {
			if v != i {
				t.Fatalf("slice %d holds %d", i, v)
			}
		}
	}
}

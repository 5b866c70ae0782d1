// Package hugepage asks the kernel to back large, fresh buffers with
// transparent huge pages. Reading a 50 MB report into 4 KiB pages takes
// 12,800 page faults, and walking it misses the TLB all along; in 2 MiB
// pages it is 25 faults. Where the kernel does not offer huge pages to
// those who ask (transparent_hugepage set to never, other systems), the
// call does nothing.
package hugepage

import "unsafe"

// Min is the size from which a buffer is worth asking for: below two huge
// pages, no whole one fits in it for sure.
const Min = 4 << 20

// size is the huge page size on the systems that have them.
const size = 2 << 20

// Advise asks for huge pages under the whole 2 MiB pages inside the
// memory of s (up to its capacity). It is for memory not yet written:
// pages already touched stay as they are until the kernel collapses them.
func Advise[T any](s []T) {
	n := uintptr(cap(s)) * unsafe.Sizeof(*new(T))
	if n < Min {
		return
	}
	base := unsafe.Pointer(unsafe.SliceData(s[:cap(s)]))
	start := uintptr(base)
	begin := (start + size - 1) &^ (size - 1)
	end := (start + n) &^ (size - 1)
	if begin >= end {
		return
	}
	advise(unsafe.Slice((*byte)(unsafe.Add(base, begin-start)), end-begin))
}

// Package par spreads the items of a large list over the CPUs.
package par

import (
	"runtime"
	"sync"
)

// Min is the number of items from which work is spread: below it, the
// cost of starting goroutines is more than what they save.
const Min = 4096

// Ranges splits 0..n-1 into one range per CPU when n is at least Min, and
// calls f for each, at the same time; else it calls f(0, n).
func Ranges(n int, f func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if n < Min || workers < 2 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Go(func() { f(lo, hi) })
	}
	wg.Wait()
}

// Each calls f for 0..n-1, on every CPU when n is at least Min.
func Each(n int, f func(i int)) {
	Ranges(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			f(i)
		}
	})
}

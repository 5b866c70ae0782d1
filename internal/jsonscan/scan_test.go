package jsonscan

import (
	"fmt"
	"testing"

	"github.com/secgate/secgate/internal/benchgen"
)

// TestSkipString: quotes after an even number of backslashes end strings.
func TestSkipString(t *testing.T) {
	for in, want := range map[string]int{`"a"`: 3, `"a\"b"`: 6, `"a\\"b`: 5, `"\\\"x"`: 7, `""`: 2} {
		if got, err := skipString([]byte(in), 0); err != nil || got != want {
			t.Errorf("skipString(%s) = %d, %v; want %d", in, got, err, want)
		}
	}
	if _, err := skipString([]byte(`"a\"`), 0); err == nil {
		t.Error(`"a\" : want an error`)
	}
}

// BenchmarkSkipValue skips Trivy reports of 10,000 vulnerabilities (5 MB,
// which the CPU's caches hold) and 100,000 (50 MB, which they do not), as
// sniffing a report's top-level object does.
func BenchmarkSkipValue(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		data, err := benchgen.Bytes("trivy", n)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if end, err := SkipValue(data, 0); err != nil || end != len(data) {
					b.Fatal(end, err)
				}
			}
		})
	}
}

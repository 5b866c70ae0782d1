package tickets

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

// TestInitReadsNoSchema: the package's init does not read config's schema
// (reading it costs thousands of allocations): every run of secgate links
// this package, most never make a ticket. The test binary is run again
// with Go's init trace and no tests, and the package's line read.
func TestInitReadsNoSchema(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// A package with no init work has no line. The test files' own
	// variables take a few hundred allocations; reading the schema takes
	// over two thousand.
	const maxAllocs = 1000
	m := regexp.MustCompile(`(?m)^init github\.com/secgate/secgate/tickets @.* ([0-9]+) allocs$`).FindSubmatch(out)
	if m == nil {
		return
	}
	if n, _ := strconv.Atoi(string(m[1])); n > maxAllocs {
		t.Errorf("the package's init allocates %d times, want at most %d (is the schema read at init?):\n%s", n, maxAllocs, m[0])
	}
}

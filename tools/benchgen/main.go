// Command benchgen writes a large report for benchmarks:
//
//	go run ./tools/benchgen trivy|sarif|cyclonedx N FILE
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/secgate/secgate/internal/benchgen"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: benchgen trivy|sarif|cyclonedx N FILE")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[2])
	if err != nil || n < 0 {
		fmt.Fprintf(os.Stderr, "benchgen: N must be a count, got %q\n", os.Args[2])
		os.Exit(2)
	}
	f, err := os.Create(os.Args[3])
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(2)
	}
	if err := benchgen.Write(f, os.Args[1], n); err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(2)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(2)
	}
}

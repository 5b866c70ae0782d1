package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"secgate": func() { os.Exit(run(context.Background(), os.Args, os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script: each runs the
// secgate command in-process and checks its stdout, stderr and exit code.
// The corpus is reachable as $CORPUS; generated bad inputs are in $WORK.
func TestScripts(t *testing.T) {
	corpus, err := filepath.Abs(filepath.Join("..", "..", "testdata", "corpus"))
	if err != nil {
		t.Fatal(err)
	}
	examples, err := filepath.Abs(filepath.Join("..", "..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("CORPUS", corpus)
			env.Setenv("EXAMPLES", examples)
			env.Setenv("SOURCE_DATE_EPOCH", "1767225600") // 2026-01-01T00:00:00Z
			return writeBadInputs(env.WorkDir)
		},
	})
}

// writeBadInputs makes the inputs too large or odd to keep as files.
func writeBadInputs(dir string) error {
	const depth = 200000
	files := map[string][]byte{
		"nested-array.json": []byte(strings.Repeat("[", depth) + strings.Repeat("]", depth)),
		"nested-sarif.json": []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":` +
			strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}]}`),
		"nested-unclosed.json": []byte(strings.Repeat(`{"a":`, depth)),
		"random.bin":           randomBytes(4096),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// randomBytes returns deterministic noise that is neither JSON nor XML nor text.
func randomBytes(n int) []byte {
	var b bytes.Buffer
	x := uint32(2463534242)
	b.WriteByte(0x89)
	for b.Len() < n {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b.WriteByte(byte(x))
	}
	return b.Bytes()
}

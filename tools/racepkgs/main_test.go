package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestRacePackages(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"go.mod":              "module example.com/m\n\ngo 1.26\n",
		"spawn/spawn.go":      "package spawn\n\nfunc Run(f func()) { go f() }\n",
		"group/group.go":      "package group\n\nimport \"sync\"\n\nfunc Run(f func()) { var wg sync.WaitGroup; wg.Go(f); wg.Wait() }\n",
		"served/served.go":    "package served\n",
		"served/x_test.go":    "package served\n\nimport (\n\t\"net/http/httptest\"\n\t\"testing\"\n)\n\nfunc TestX(t *testing.T) { httptest.NewServer(nil).Close() }\n",
		"plain/plain.go":      "package plain\n\nfunc Add(a, b int) int { return a + b }\n",
		"cmd/tool/main.go":    "package main\n\nfunc main() {}\n",
		"testdata/x/x.go":     "package x\n\nfunc F() { go F() }\n",
		"plain/doc/readme.md": "no Go here\n",
	}
	for name, text := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := racePackages(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"./cmd/tool", "./group", "./served", "./spawn"}
	if !slices.Equal(got, want) {
		t.Errorf("racePackages = %q, want %q", got, want)
	}
}

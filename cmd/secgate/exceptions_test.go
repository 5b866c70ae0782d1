package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// On a terminal, what a rule lacks is asked for: a bad date is asked
// again, an answer given once is not reused for the next rule.
func TestExceptionsImportAsks(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, ".trivyignore")
	if err := os.WriteFile(file, []byte("CVE-2023-1\nCVE-2023-2 exp:2099-01-02\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	answers := "\nnot reachable\n31/12/2099\n2099-12-31\nbuild only\n"
	var out, prompts bytes.Buffer
	err := runExceptionsImport(context.Background(), importOptions{Files: []string{file}, Interactive: true},
		strings.NewReader(answers), &out, &prompts)
	if err != nil {
		t.Fatalf("%v\n%s", err, prompts.String())
	}
	for _, want := range []string{
		"  - id: CVE-2023-1\n    reason: not reachable\n    expires: \"2099-12-31\"\n",
		"  - id: CVE-2023-2\n    reason: build only\n    expires: \"2099-01-01\"\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	for _, want := range []string{"secgate: a reason is needed", `secgate: "31/12/2099" is not a date YYYY-MM-DD`, "reason for " + file + ":2 CVE-2023-2: "} {
		if !strings.Contains(prompts.String(), want) {
			t.Errorf("prompts lack %q:\n%s", want, prompts.String())
		}
	}

	// Input that ends before every answer is given writes nothing.
	out.Reset()
	err = runExceptionsImport(context.Background(), importOptions{Files: []string{file}, Interactive: true, Output: filepath.Join(dir, "out.yaml")},
		strings.NewReader("not reachable\n"), &out, &prompts)
	if err == nil || !strings.Contains(err.Error(), "no answer") {
		t.Errorf("err = %v, want no answer", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "out.yaml")); !os.IsNotExist(err) {
		t.Error("a file was written without every answer")
	}

	// Three bad answers end it.
	err = runExceptionsImport(context.Background(), importOptions{Files: []string{file}, Interactive: true},
		strings.NewReader("\n \n\t\n"), &out, &prompts)
	if err == nil || !strings.Contains(err.Error(), "no valid answer after 3 tries") {
		t.Errorf("err = %v", err)
	}
}

// /dev/null is a character device, not a terminal: nothing is asked.
func TestExceptionsImportDevNullIsNoTerminal(t *testing.T) {
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	if isTerminalReader(f) {
		t.Error("/dev/null taken for a terminal")
	}
}

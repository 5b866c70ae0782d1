package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secgate/secgate/internal/testutil"
)

// TestCorpusVerdicts holds the verdict of `secgate check` with the
// built-in policies and default configuration on every corpus report,
// one at a time, to testdata/golden/verdicts.tsv: a change of any
// verdict shows in review (go test -update rewrites the table).
func TestCorpusVerdicts(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "corpus")
	files, err := filepath.Glob(filepath.Join(root, "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	out.WriteString("# report\texit\tverdict line\n")
	for _, f := range files {
		if info, err := os.Stat(f); err != nil || info.IsDir() {
			continue
		}
		rel, _ := filepath.Rel(root, f)
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"secgate", "check", "--config", os.DevNull, "--now", "2026-12-03T00:00:00Z", f}, strings.NewReader(""), &stdout, &stderr)
		line := firstLine(stdout.String())
		if code == 2 {
			line = strings.ReplaceAll(firstLine(stderr.String()), root+string(filepath.Separator), "")
		}
		fmt.Fprintf(&out, "%s\t%d\t%s\n", filepath.ToSlash(rel), code, line)
	}
	testutil.Golden(t, filepath.Join("..", "..", "testdata", "golden", "verdicts.tsv"), out.Bytes())
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}

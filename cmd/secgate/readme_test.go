package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// readmeBlock is the text between <!-- NAME… --> and <!-- /NAME -->, the
// fenced block inside it without its fences.
func readmeBlock(t *testing.T, readme, name string) string {
	t.Helper()
	start := strings.Index(readme, "<!-- "+name+":")
	if start < 0 {
		start = strings.Index(readme, "<!-- "+name+" -->")
	}
	end := strings.Index(readme, "<!-- /"+name+" -->")
	if start < 0 || end < start {
		t.Fatalf("README.md: no <!-- %s --> … <!-- /%s --> section", name, name)
	}
	lines := strings.Split(readme[start:end], "\n")
	var body []string
	in := false
	for _, l := range lines[1:] {
		if strings.HasPrefix(l, "```") {
			if in {
				return strings.Join(body, "\n")
			}
			in = true
			continue
		}
		if in {
			body = append(body, l)
		}
	}
	t.Fatalf("README.md: the %s section holds no fenced block", name)
	return ""
}

// quickStart is the README's quick start: the commands of its shell block
// but the last, which must be the test command (make test: the suite this
// test is part of), the exit code its comments promise ("It exits N") and
// the first lines of output it shows.
type quickStart struct {
	commands []string
	exit     int
	output   []string
}

var exitsRE = regexp.MustCompile(`\bexits (\d)\b`)

func parseQuickStart(t *testing.T, readme string) quickStart {
	t.Helper()
	var q quickStart
	block := readmeBlock(t, readme, "quickstart")
	m := exitsRE.FindStringSubmatch(block)
	if m == nil {
		t.Fatal("README.md: the quick start does not say what it exits with (\"It exits N\")")
	}
	q.exit, _ = strconv.Atoi(m[1])
	for _, l := range strings.Split(block, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			q.commands = append(q.commands, l)
		}
	}
	if len(q.commands) < 2 || q.commands[len(q.commands)-1] != "make test" {
		t.Fatalf("README.md: the quick start should be the gate's commands, then make test; it is %q", q.commands)
	}
	q.commands = q.commands[:len(q.commands)-1]
	q.output = strings.Split(readmeBlock(t, readme, "quickstart-output"), "\n")
	return q
}

// TestREADMEQuickStart runs the README's quick start as written, in a copy
// of the repository's files as a fresh clone has them (no bin/, no build
// output), and checks the exit code and the first lines it documents.
func TestREADMEQuickStart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds secgate with make: not in -short")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not on the PATH; the quick start needs it")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	q := parseQuickStart(t, string(readme))

	clone := t.TempDir()
	copyClone(t, root, clone)
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("sh", "-c", strings.Join(q.commands, "\n"))
	cmd.Dir, cmd.Stdout, cmd.Stderr = clone, &stdout, &stderr
	err = cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != q.exit {
		t.Fatalf("the quick start %q exited %d, the README says %d\nstdout:\n%s\nstderr:\n%s", q.commands, code, q.exit, stdout.String(), stderr.String())
	}
	// make prints its command lines first; the gate's output follows.
	out := stdout.String()
	if i := strings.Index(out, q.output[0]); i >= 0 {
		out = out[i:]
	}
	got := strings.SplitN(out, "\n", len(q.output)+1)
	if len(got) < len(q.output) || strings.Join(got[:len(q.output)], "\n") != strings.Join(q.output, "\n") {
		t.Errorf("the quick start's output begins\n%s\nthe README shows\n%s", out, strings.Join(q.output, "\n"))
	}
}

// TestREADMEInstall checks the README's go install command names the
// module's command package.
func TestREADMEInstall(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	module := strings.TrimSpace(strings.TrimPrefix(strings.SplitN(string(mod), "\n", 2)[0], "module"))
	want := "go install " + module + "/cmd/secgate@"
	if !bytes.Contains(readme, []byte(want)) {
		t.Errorf("README.md: no %q", want)
	}
}

// copyClone copies the files git tracks (what a fresh clone has) from
// root to dst; without git, every file but build output and .git.
func copyClone(t *testing.T, root, dst string) {
	t.Helper()
	var files []string
	ls := exec.Command("git", "ls-files", "-z")
	ls.Dir = root
	if out, err := ls.Output(); err == nil {
		for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
			files = append(files, filepath.FromSlash(f))
		}
	} else {
		t.Logf("git ls-files: %v; copying the work tree but .git, bin and dist", err)
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			if d.IsDir() && (rel == ".git" || rel == "bin" || rel == "dist" || rel == filepath.Join("bench", "out")) {
				return filepath.SkipDir
			}
			if !d.IsDir() {
				files = append(files, rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		src := filepath.Join(root, f)
		st, err := os.Lstat(src)
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the work tree, not yet committed
		}
		if err != nil {
			t.Fatal(err)
		}
		to := filepath.Join(dst, f)
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			t.Fatal(err)
		}
		if st.Mode()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(src)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, to); err != nil {
				t.Fatal(err)
			}
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, data, st.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
}

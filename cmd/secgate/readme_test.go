package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
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
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
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

// TestREADMEInstall runs the README's go install command as written,
// with the module served from a fresh clone's files by a proxy on disk
// (its dependencies from the module cache; nothing leaves the machine),
// then the quick start's gate with the installed binary: it must exit as
// the README says.
func TestREADMEInstall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds secgate with go install: not in -short")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	path := modfile.ModulePath(gomod)
	var installs []string
	for _, l := range strings.Split(readmeBlock(t, string(readme), "install"), "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "go install ") {
			installs = append(installs, l)
		}
	}
	if len(installs) == 0 || !strings.HasPrefix(installs[0], "go install "+path+"/cmd/secgate@") {
		t.Fatalf("README.md: the install block's first go install should be of %s/cmd/secgate; it holds %q", path, installs)
	}
	if len(installs) < 2 || !strings.HasPrefix(installs[1], "go install "+path+"/cmd/secgate-opa@") {
		t.Fatalf("README.md: the install block should install %s/cmd/secgate-opa second, for secgate opa run; it holds %q", path, installs)
	}
	query := installs[0][strings.LastIndex(installs[0], "@")+1:]

	// The module as a proxy serves it: VERSION.info/.mod/.zip, its list
	// of versions, and the README's query (a branch or a version)
	// answered with that version.
	clone := t.TempDir()
	copyClone(t, root, clone)
	now := time.Now().UTC()
	version := fmt.Sprintf("v0.0.0-%s-%012x", now.Format("20060102150405"), now.UnixNano()&0xffffffffffff)
	proxy := t.TempDir()
	dir := filepath.Join(proxy, filepath.FromSlash(path), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	info := fmt.Sprintf(`{"Version":%q,"Time":%q}`, version, now.Format(time.RFC3339))
	var zipped bytes.Buffer
	if err := modzip.CreateFromDir(&zipped, module.Version{Path: path, Version: version}, clone); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{version + ".info": []byte(info), query + ".info": []byte(info), version + ".mod": gomod, version + ".zip": zipped.Bytes(), "list": []byte(version + "\n")} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	modcache := strings.TrimSpace(goEnv(t, "GOMODCACHE"))
	// The module cache keeps what go install extracted: remove this
	// version of the module from it again.
	t.Cleanup(func() {
		for _, p := range []string{filepath.Join(modcache, filepath.FromSlash(path)+"@"+version), filepath.Join(modcache, "cache", "download", filepath.FromSlash(path), "@v")} {
			filepath.WalkDir(p, func(p string, d fs.DirEntry, err error) error {
				if err == nil && d.IsDir() {
					os.Chmod(p, 0o755)
				}
				return nil
			})
		}
		os.RemoveAll(filepath.Join(modcache, filepath.FromSlash(path)+"@"+version))
		matches, _ := filepath.Glob(filepath.Join(modcache, "cache", "download", filepath.FromSlash(path), "@v", version+".*"))
		for _, m := range matches {
			os.Remove(m)
		}
		list := filepath.Join(modcache, "cache", "download", filepath.FromSlash(path), "@v", "list")
		if b, err := os.ReadFile(list); err == nil && strings.TrimSpace(string(b)) == version {
			os.Remove(list)
		}
	})

	gobin := t.TempDir()
	for _, line := range installs {
		cmd := exec.Command("sh", "-c", line)
		cmd.Dir = t.TempDir()
		cmd.Env = append(os.Environ(), "GOPROXY=file://"+filepath.ToSlash(proxy)+",file://"+filepath.ToSlash(filepath.Join(modcache, "cache", "download")),
			"GOSUMDB=off", "GOFLAGS=", "GOWORK=off", "GOTOOLCHAIN=local", "GOBIN="+gobin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", line, err, out)
		}
	}
	q := parseQuickStart(t, string(readme))
	gate := strings.TrimPrefix(q.commands[len(q.commands)-1], "make build && ")
	if !strings.HasPrefix(gate, "bin/secgate ") {
		t.Fatalf("README.md: the quick start's gate %q does not run bin/secgate", gate)
	}
	cmd := exec.Command(filepath.Join(gobin, "secgate"), strings.Fields(strings.TrimPrefix(gate, "bin/secgate "))...)
	cmd.Dir = clone
	out, err := cmd.Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != q.exit {
		t.Fatalf("the installed secgate: %s: %v, the README says it exits %d\n%s", gate, err, q.exit, out)
	}
	if !strings.HasPrefix(string(out), q.output[0]) {
		t.Errorf("the installed secgate's output begins\n%s\nthe README shows\n%s", out, q.output[0])
	}
	// The README says secgate version names what it was built from.
	out, err = exec.Command(filepath.Join(gobin, "secgate"), "version").Output()
	if err != nil || !strings.Contains(string(out), version) {
		t.Errorf("the installed secgate version: %q, %v; want it to name %s", out, err, version)
	}
	// secgate opa run finds the secgate-opa installed beside it, with
	// nothing of the kind on the PATH.
	opa := exec.Command(filepath.Join(gobin, "secgate"), "opa", "run", "--help")
	opa.Env = append(os.Environ(), "PATH="+t.TempDir())
	out, err = opa.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Start an instance of OPA") {
		t.Errorf("the installed secgate opa run --help: %v\n%s", err, out)
	}
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return string(out)
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

// TestDocsNameTheBuiltinDigest: the examples in README.md and docs/ that
// show the built-in policies' digest ("builtin sha256:…", whole or cut
// short with …) show the digest they have now, so that a reader can
// compare a run's output with them.
func TestDocsNameTheBuiltinDigest(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"secgate", "check", "--shadow-policy", "builtin", "-o", "json", filepath.Join("..", "..", "examples", "reports")},
		strings.NewReader(""), &stdout, &stderr); code != 1 {
		t.Fatalf("check: exit %d, %s", code, stderr.String())
	}
	var d struct {
		Shadow struct {
			PolicySources []string `json:"policy_sources"`
		} `json:"shadow"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &d); err != nil || len(d.Shadow.PolicySources) != 1 {
		t.Fatalf("the decision's shadow: %v, %q", err, d.Shadow.PolicySources)
	}
	digest, ok := strings.CutPrefix(d.Shadow.PolicySources[0], "builtin sha256:")
	if !ok {
		t.Fatalf("the built-in policies' source: %q", d.Shadow.PolicySources[0])
	}
	files, err := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	shown := regexp.MustCompile(`builtin sha256:([0-9a-f]{8,64})`)
	n := 0
	for _, f := range append(files, filepath.Join("..", "..", "README.md")) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range shown.FindAllStringSubmatch(string(b), -1) {
			n++
			if !strings.HasPrefix(digest, m[1]) {
				t.Errorf("%s shows builtin sha256:%s; the built-in policies are sha256:%s now", filepath.Base(f), m[1], digest)
			}
		}
	}
	if n == 0 {
		t.Error("no example shows the built-in policies' digest: the test looks for nothing")
	}
}

package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestDockerfile reads the Dockerfile as a reviewer would: every base
// image pinned by version (the Go builder at go.mod's go version), the
// last stage distroless or scratch, a user without privileges, secgate
// as the entrypoint, secgate-opa built and copied beside secgate (secgate
// opa run finds it there), and no secret in an ENV, ARG or LABEL.
func TestDockerfile(t *testing.T) {
	root := filepath.Join("..", "..")
	df, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(mod)
	if goVersion == nil {
		t.Fatal("go.mod has no go line")
	}
	args := map[string]string{}
	var froms []string
	var user, entrypoint, workdir string
	var builds, copies []string
	sc := bufio.NewScanner(bytes.NewReader(joinContinued(df)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		instr, rest, _ := strings.Cut(line, " ")
		switch strings.ToUpper(instr) {
		case "ARG":
			if k, v, ok := strings.Cut(rest, "="); ok && len(froms) == 0 {
				args[k] = v
			}
		case "FROM":
			image := os.Expand(strings.Fields(rest)[0], func(k string) string { return args[k] })
			froms = append(froms, image)
			user = ""
		case "USER":
			user = rest
		case "ENTRYPOINT":
			entrypoint = rest
		case "WORKDIR":
			workdir = rest
		case "RUN":
			builds = append(builds, rest)
		case "COPY":
			copies = append(copies, rest)
		}
		if u := strings.ToUpper(line); regexp.MustCompile(`^(ENV|ARG|LABEL)\b.*(TOKEN|PASSWORD|SECRET|API_KEY|PRIVATE)`).MatchString(u) {
			t.Errorf("Dockerfile: a secret in the image's history: %q", line)
		}
	}
	if len(froms) < 2 {
		t.Fatalf("Dockerfile: %d stages, want a builder and the image", len(froms))
	}
	if want := "golang:" + string(goVersion[1]) + "-"; !strings.HasPrefix(froms[0], want) {
		t.Errorf("Dockerfile: the builder is %s, want %s… (go.mod's go version)", froms[0], want)
	}
	for _, f := range froms {
		name, tag, ok := strings.Cut(f[strings.LastIndex(f, "/")+1:], ":")
		if f != "scratch" && (!ok || tag == "" || tag == "latest") {
			t.Errorf("Dockerfile: base %s (%s) is not pinned by a tag", f, name)
		}
	}
	last := froms[len(froms)-1]
	if last != "scratch" && !strings.HasPrefix(last, "gcr.io/distroless/static") {
		t.Errorf("Dockerfile: the image is based on %s, want distroless static or scratch", last)
	}
	if user == "" || user == "root" || strings.HasPrefix(user, "0:") || user == "0" {
		t.Errorf("Dockerfile: the image runs as %q, want a user without privileges", user)
	}
	if entrypoint != `["secgate"]` {
		t.Errorf("Dockerfile: ENTRYPOINT %s, want [\"secgate\"]", entrypoint)
	}
	if workdir != "/src" {
		t.Errorf("Dockerfile: WORKDIR %s, want /src", workdir)
	}
	for _, cmd := range []string{"secgate", "secgate-opa"} {
		built := false
		for _, b := range builds {
			built = built || regexp.MustCompile(`go build [^&]*-o /out/`+cmd+` \./cmd/`+cmd+`\b`).MatchString(b)
		}
		copied := false
		for _, c := range copies {
			f := strings.Fields(c)
			copied = copied || len(f) >= 3 && f[0] == "--from=build" && slices.Contains(f[1:len(f)-1], "/out/"+cmd) && f[len(f)-1] == "/usr/local/bin/"
		}
		if !built || !copied {
			t.Errorf("Dockerfile: %s built %v, copied to /usr/local/bin/ %v", cmd, built, copied)
		}
	}
}

// joinContinued joins the lines a backslash continues.
func joinContinued(b []byte) []byte {
	return regexp.MustCompile(`\\\n[ \t]*`).ReplaceAll(b, []byte(" "))
}

// TestDockerImage builds the image and runs the README's command in it:
// check on the examples exits 1 with the verdict first, as the user
// 65532. It needs a Docker daemon that can pull the base images; without
// one it skips, saying why (SECGATE_REQUIRE_DOCKER=1 makes that a
// failure).
func TestDockerImage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a container image: not in -short")
	}
	skip := func(format string, a ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, a...)
		if os.Getenv("SECGATE_REQUIRE_DOCKER") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if _, err := exec.LookPath("docker"); err != nil {
		skip("docker is not installed: the image is not built")
	}
	if out, err := exec.Command("docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
		skip("docker info fails (no daemon to build with): %s", firstLine(strings.TrimSpace(string(out))))
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	tag := fmt.Sprintf("secgate-test:%d", time.Now().UnixNano())
	build := exec.Command("docker", "build", "-q", "-t", tag, root)
	if out, err := build.CombinedOutput(); err != nil {
		if bytes.Contains(out, []byte("pull")) || bytes.Contains(out, []byte("resolve")) {
			skip("docker build cannot fetch the base images: %s", firstLine(strings.TrimSpace(string(out))))
		}
		t.Fatalf("docker build: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("docker", "image", "rm", "-f", tag).Run() })

	user, err := exec.Command("docker", "image", "inspect", "--format", "{{.Config.User}}", tag).Output()
	if err != nil {
		t.Fatal(err)
	}
	if u := strings.TrimSpace(string(user)); u != "65532:65532" {
		t.Errorf("the image runs as %q, want 65532:65532", u)
	}

	var stdout, stderr bytes.Buffer
	run := exec.Command("docker", "run", "--rm", "--network", "none", "-v", root+":/src:ro", "-w", "/src", tag, "check", "examples/reports")
	run.Stdout, run.Stderr = &stdout, &stderr
	err = run.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("docker run … check examples/reports: %v, want exit 1\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "FAIL  ") {
		t.Errorf("the gate in the image printed\n%s", stdout.String())
	}

	// secgate opa run finds secgate-opa beside it in the image.
	stdout.Reset()
	stderr.Reset()
	help := exec.Command("docker", "run", "--rm", "--network", "none", tag, "opa", "run", "--help")
	help.Stdout, help.Stderr = &stdout, &stderr
	if err := help.Run(); err != nil || !strings.Contains(stdout.String(), "run [flags] [files]") {
		t.Errorf("docker run … opa run --help: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
}

package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/secgate/secgate/internal/benchgen"
	"github.com/secgate/secgate/internal/ghfake"
	"github.com/secgate/secgate/internal/testutil"
	"github.com/secgate/secgate/report"
)

// The Action at the repository's root, as the runner reads it.
type action struct {
	Inputs map[string]struct {
		Required bool   `yaml:"required"`
		Default  string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	ID    string            `yaml:"id"`
	Name  string            `yaml:"name"`
	If    string            `yaml:"if"`
	Uses  string            `yaml:"uses"`
	Shell string            `yaml:"shell"`
	Run   string            `yaml:"run"`
	Env   map[string]string `yaml:"env"`
}

const actionToken = "ghs_ACTION-SECRET-TOKEN-42"

func loadAction(t *testing.T) *action {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a action
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return &a
}

// TestActionInterface: the Action's inputs and outputs are the documented
// ones, it is composite, and no script has an expression pasted in (an
// input would be run as shell code): inputs reach scripts through env.
func TestActionInterface(t *testing.T) {
	a := loadAction(t)
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want composite", a.Runs.Using)
	}
	var inputs, outputs []string
	for k := range a.Inputs {
		inputs = append(inputs, k)
	}
	for k := range a.Outputs {
		outputs = append(outputs, k)
	}
	sort.Strings(inputs)
	sort.Strings(outputs)
	wantIn := []string{"args", "baseline", "comment", "config", "fail-on", "github-token", "policy", "reports", "sarif", "stage", "summary", "version"}
	if !slices.Equal(inputs, wantIn) {
		t.Errorf("inputs %q, want %q", inputs, wantIn)
	}
	if want := []string{"decision", "exit-code", "markdown", "sarif"}; !slices.Equal(outputs, want) {
		t.Errorf("outputs %q, want %q", outputs, want)
	}
	if !a.Inputs["reports"].Required {
		t.Error("reports is not required")
	}
	for k, want := range map[string]string{"fail-on": "fail", "sarif": "true", "comment": "true", "summary": "true", "github-token": "${{ github.token }}"} {
		if got := a.Inputs[k].Default; got != want {
			t.Errorf("input %s defaults to %q, want %q", k, got, want)
		}
	}
	for _, s := range a.Runs.Steps {
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q pastes an expression into its script", s.Name)
		}
		if s.Run != "" && (s.Shell != "bash" || s.If != "") {
			t.Errorf("step %q: shell %q, if %q: want bash and no condition", s.Name, s.Shell, s.If)
		}
	}
}

// actionRun is one run of the Action: its environment and what it left.
type actionRun struct {
	code    int
	stdout  string // the log: every step's stdout and stderr
	outputs map[string]string
}

// runAction runs the Action's steps in order as the runner does (bash
// --noprofile --norc -eo pipefail, GITHUB_OUTPUT per step, GITHUB_ENV
// carried to the next steps, expressions of inputs, steps and github
// substituted in env values), skipping the steps that use other actions:
// secgate is the test's binary, named by SECGATE_BIN. It stops at the
// first step that fails, whose exit code is the Action's.
func runAction(t *testing.T, a *action, inputs, env map[string]string) actionRun {
	t.Helper()
	github := map[string]string{"token": env["GITHUB_TOKEN"], "action_path": env["GITHUB_ACTION_PATH"]}
	in := map[string]string{}
	for k, v := range a.Inputs {
		in[k] = v.Default
	}
	for k, v := range inputs {
		if _, ok := a.Inputs[k]; !ok {
			t.Fatalf("no input %q", k)
		}
		in[k] = v
	}
	stepOut := map[string]map[string]string{}
	expr := regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)
	eval := func(s string) string {
		return expr.ReplaceAllStringFunc(s, func(m string) string {
			e := expr.FindStringSubmatch(m)[1]
			parts := strings.Split(e, ".")
			switch {
			case len(parts) == 2 && parts[0] == "inputs":
				return in[parts[1]]
			case len(parts) == 2 && parts[0] == "github":
				if v, ok := github[parts[1]]; ok {
					return v
				}
			case len(parts) == 4 && parts[0] == "steps" && parts[2] == "outputs":
				return stepOut[parts[1]][parts[3]]
			}
			t.Fatalf("expression %q unknown to the test", e)
			return ""
		})
	}
	for k, v := range in {
		in[k] = eval(v)
	}
	dir := t.TempDir()
	envFile := filepath.Join(dir, "env")
	if err := os.WriteFile(envFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	carried := map[string]string{}
	var log strings.Builder
	run := actionRun{outputs: map[string]string{}}
	for i, s := range a.Runs.Steps {
		if s.Uses != "" {
			continue
		}
		script := filepath.Join(dir, fmt.Sprintf("step%d.sh", i))
		outFile := filepath.Join(dir, fmt.Sprintf("output%d", i))
		if err := os.WriteFile(script, []byte(s.Run), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(outFile, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
		cmd.Dir = env["GITHUB_WORKSPACE"]
		vars := map[string]string{}
		for k, v := range env {
			vars[k] = v
		}
		for k, v := range carried {
			vars[k] = v
		}
		vars["GITHUB_OUTPUT"], vars["GITHUB_ENV"] = outFile, envFile
		for k, v := range s.Env {
			vars[k] = eval(v)
		}
		for k, v := range vars {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		cmd.Stdout, cmd.Stderr = &log, &log
		err := cmd.Run()
		if s.ID != "" {
			stepOut[s.ID] = readKeyValues(t, outFile)
		}
		carried = readKeyValues(t, envFile)
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			run.code = ee.ExitCode()
			break
		} else if err != nil {
			t.Fatalf("step %q: %v", s.Name, err)
		}
	}
	run.stdout = log.String()
	for k, o := range a.Outputs {
		run.outputs[k] = eval(o.Value)
	}
	return run
}

// readKeyValues reads NAME=VALUE lines of a GITHUB_OUTPUT or GITHUB_ENV
// file (the Action writes no multi-line values).
func readKeyValues(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			out[k] = v
		} else if sc.Text() != "" {
			t.Fatalf("%s: a line that is not NAME=VALUE: %q", path, sc.Text())
		}
	}
	return out
}

// actionEnv is the environment the runner gives the Action on a pull
// request event, with secgate at SECGATE_BIN and the API at api.
func actionEnv(t *testing.T, api string, reports ...string) map[string]string {
	t.Helper()
	bin, err := exec.LookPath("secgate")
	if err != nil {
		t.Skip("no secgate command on PATH (the test binary provides one)")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	ws, tmp := t.TempDir(), t.TempDir()
	event := filepath.Join(tmp, "event.json")
	if err := os.WriteFile(event, []byte(`{"action": "synchronize", "number": 7, "pull_request": {"number": 7, "head": {"sha": "`+strings.Repeat("c", 40)+`"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, r := range reports {
		copyTree(t, r, filepath.Join(ws, "reports", filepath.Base(r)))
	}
	summary := filepath.Join(tmp, "summary.md")
	return map[string]string{
		"PATH": os.Getenv("PATH"), "HOME": tmp, "SECGATE_BIN": bin, "GITHUB_ACTIONS": "true",
		"GITHUB_WORKSPACE": ws, "RUNNER_TEMP": tmp, "GITHUB_ACTION_PATH": root,
		"GITHUB_STEP_SUMMARY": summary, "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event,
		"GITHUB_REPOSITORY": "o/r", "GITHUB_SHA": strings.Repeat("ab", 20), "GITHUB_REF": "refs/pull/7/merge",
		"GITHUB_API_URL": api + "/api/v3", "GITHUB_TOKEN": actionToken,
		"GOCOVERDIR": os.Getenv("GOCOVERDIR"),
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestActionOnAPullRequest runs the Action twice on the example reports
// against a loopback fake of the GitHub API: the SARIF is uploaded each
// time, the summary has the verdict, the comment is created, then edited
// (never duplicated), a comment planted by another user with the marker is
// left alone, and the Action fails with the check's exit code 1.
func TestActionOnAPullRequest(t *testing.T) {
	a := loadAction(t)
	gh := &ghfake.Server{Token: actionToken}
	srv := httptest.NewServer(gh)
	defer srv.Close()
	planted := gh.Plant(7, "mallory", report.CommentMarker+"\n## ✅ secgate: PASS")
	env := actionEnv(t, srv.URL, filepath.Join("..", "..", "examples", "reports"))
	inputs := map[string]string{"reports": "reports/reports"}

	first := runAction(t, a, inputs, env)
	if first.code != 1 {
		t.Fatalf("exit code %d, want 1; log:\n%s", first.code, first.stdout)
	}
	if first.outputs["decision"] != "fail" || first.outputs["exit-code"] != "1" {
		t.Errorf("outputs %v, want decision=fail exit-code=1", first.outputs)
	}
	for _, k := range []string{"sarif", "markdown"} {
		if _, err := os.Stat(first.outputs[k]); err != nil {
			t.Errorf("output %s: %v", k, err)
		}
	}
	summary, err := os.ReadFile(env["GITHUB_STEP_SUMMARY"])
	if err != nil || !strings.Contains(string(summary), "## ❌ secgate: FAIL") || !strings.Contains(string(summary), "npm:1227") {
		t.Errorf("summary (%v):\n%s", err, summary)
	}
	ups := gh.Uploads()
	if len(ups) != 1 || ups[0].Err != nil || ups[0].CommitSHA != env["GITHUB_SHA"] || ups[0].Ref != "refs/pull/7/merge" {
		t.Fatalf("uploads %+v", ups)
	}
	var sarif struct {
		Version string            `json:"version"`
		Runs    []json.RawMessage `json:"runs"`
	}
	if err := json.Unmarshal(ups[0].SARIF, &sarif); err != nil || sarif.Version != "2.1.0" || len(sarif.Runs) != 1 {
		t.Errorf("uploaded SARIF: %v, version %q, %d runs", err, sarif.Version, len(sarif.Runs))
	}
	cs := gh.Comments()
	if len(cs) != 2 || cs[1].User != ghfake.ActionsBot || !strings.HasPrefix(cs[1].Body, report.CommentMarker+"\n## ❌ secgate: FAIL") {
		t.Fatalf("comments after the first run: %+v", cs)
	}
	if !strings.Contains(first.stdout, "::stop-commands::") || !strings.Contains(first.stdout, "FAIL  ") {
		t.Errorf("log:\n%s", first.stdout)
	}

	second := runAction(t, a, inputs, env)
	if second.code != 1 || second.outputs["decision"] != "fail" {
		t.Fatalf("second run: exit code %d, outputs %v; log:\n%s", second.code, second.outputs, second.stdout)
	}
	cs = gh.Comments()
	if len(cs) != 2 || cs[1].Edits != 1 || cs[0].ID != planted || cs[0].Edits != 0 {
		t.Errorf("comments after the second run: %+v, want secgate's edited once and mallory's untouched", cs)
	}
	if len(gh.Uploads()) != 2 {
		t.Errorf("%d uploads, want 2", len(gh.Uploads()))
	}
	for _, log := range []string{first.stdout, second.stdout} {
		if strings.Contains(log, actionToken) {
			t.Error("the log shows the token")
		}
	}
}

// TestActionExitCodes: a pass is 0 and publishes; an error of the check
// is 2 with decision=error, and nothing is published.
func TestActionExitCodes(t *testing.T) {
	a := loadAction(t)
	gh := &ghfake.Server{Token: actionToken}
	srv := httptest.NewServer(gh)
	defer srv.Close()
	env := actionEnv(t, srv.URL, filepath.Join("..", "..", "examples", "reports"))
	cfg, _ := filepath.Abs(filepath.Join("..", "..", "examples", "secgate-with-exceptions.yaml"))
	policy, _ := filepath.Abs(filepath.Join("..", "..", "examples", "policy"))

	warn := runAction(t, a, map[string]string{"reports": "reports/reports", "config": cfg, "policy": "builtin\n" + policy + "\n"}, env)
	if warn.code != 0 || warn.outputs["decision"] != "warn" || warn.outputs["exit-code"] != "0" {
		t.Errorf("with exceptions: exit code %d, outputs %v; log:\n%s", warn.code, warn.outputs, warn.stdout)
	}
	strict := runAction(t, a, map[string]string{"reports": "reports/reports", "config": cfg, "fail-on": "warn", "comment": "false", "sarif": "false"}, env)
	if strict.code != 1 || strict.outputs["decision"] != "warn" {
		t.Errorf("fail-on warn: exit code %d, outputs %v", strict.code, strict.outputs)
	}
	bad := runAction(t, a, map[string]string{"reports": "reports/missing"}, env)
	if bad.code != 2 || bad.outputs["decision"] != "error" || bad.outputs["exit-code"] != "2" {
		t.Errorf("missing reports: exit code %d, outputs %v; log:\n%s", bad.code, bad.outputs, bad.stdout)
	}
	if n, u := len(gh.Comments()), len(gh.Uploads()); n != 1 || u != 1 {
		t.Errorf("%d comments, %d uploads; want the one of the first run each", n, u)
	}

	// A refused upload fails a passing check with 2.
	gh.Fail = map[string]int{"POST /repos/o/r/code-scanning/sarifs": 403}
	refused := runAction(t, a, map[string]string{"reports": "reports/reports", "config": cfg}, env)
	if refused.code != 2 || refused.outputs["exit-code"] != "0" || !strings.Contains(refused.stdout, "security-events: write") {
		t.Errorf("refused upload: exit code %d, outputs %v; log:\n%s", refused.code, refused.outputs, refused.stdout)
	}
	if strings.Contains(refused.stdout, actionToken) {
		t.Error("the log shows the token")
	}
}

// TestActionHostileReports: report text carrying workflow commands
// (::add-mask::, ::set-output, ::error::) runs none: the check's output
// is inside a stop-commands pause, and no line of the log is a command
// the Action did not write.
func TestActionHostileReports(t *testing.T) {
	a := loadAction(t)
	gh := &ghfake.Server{Token: actionToken}
	srv := httptest.NewServer(gh)
	defer srv.Close()
	env := actionEnv(t, srv.URL, filepath.Join("..", "..", "testdata", "hostile", "output"))
	run := runAction(t, a, map[string]string{"reports": "reports/output"}, env)
	if run.code != 1 {
		t.Fatalf("exit code %d, want 1; log:\n%s", run.code, run.stdout)
	}
	pause := regexp.MustCompile(`^::stop-commands::([0-9a-f]{32})$`)
	resume := ""
	for _, line := range strings.Split(run.stdout, "\n") {
		trimmed := strings.TrimSpace(line)
		if m := pause.FindStringSubmatch(trimmed); m != nil {
			resume = "::" + m[1] + "::"
			continue
		}
		if trimmed == resume {
			resume = ""
			continue
		}
		if strings.HasPrefix(trimmed, "::") {
			t.Errorf("a workflow command in the log: %q", line)
		}
		if resume == "" && strings.Contains(line, "add-mask") {
			t.Errorf("report text outside the pause: %q", line)
		}
	}
	cs := gh.Comments()
	if len(cs) != 1 {
		t.Fatalf("comments %+v", cs)
	}
	for i, line := range strings.Split(cs[0].Body, "\n") {
		if i > 0 && strings.TrimSpace(line) == report.CommentMarker {
			t.Errorf("a report wrote the marker as a line of the comment")
		}
	}
	for _, line := range strings.Split(cs[0].Body, "\n") {
		if what := testutil.MarkdownInjection(ownHTML.Replace(line)); what != "" {
			t.Errorf("comment: %s in %q", what, line)
		}
	}
}

// ownHTML is the HTML the comment writes itself.
var ownHTML = strings.NewReplacer(report.CommentMarker, "", "<details>", "", "</details>", "", "<summary>", "", "</summary>", "", "<sub>", "", "</sub>", "")

// TestActionOf100000Findings: through the Action, the comment on 100,000
// findings stays within GitHub's limit.
func TestActionOf100000Findings(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 findings")
	}
	a := loadAction(t)
	gh := &ghfake.Server{Token: actionToken}
	srv := httptest.NewServer(gh)
	defer srv.Close()
	dir := t.TempDir()
	data, err := benchgen.Bytes("trivy", 100000)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "trivy.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	env := actionEnv(t, srv.URL, dir)
	// Without the SARIF, which code scanning would not take at this size.
	run := runAction(t, a, map[string]string{"reports": "reports/" + filepath.Base(dir), "sarif": "false"}, env)
	if run.code != 1 || run.outputs["decision"] != "fail" {
		t.Fatalf("exit code %d, outputs %v; log tail:\n%s", run.code, run.outputs, run.stdout[max(0, len(run.stdout)-3000):])
	}
	cs := gh.Comments()
	if len(cs) != 1 {
		t.Fatalf("%d comments", len(cs))
	}
	if n := report.Units(cs[0].Body); n > 65536 || n > report.DefaultCommentLimit {
		t.Errorf("comment of %d UTF-16 units", n)
	}
	if !strings.Contains(cs[0].Body, "more violation(s) not shown") {
		t.Error("the comment does not count what it left out")
	}
	summary, _ := os.ReadFile(env["GITHUB_STEP_SUMMARY"])
	if len(summary) > 1<<20 {
		t.Errorf("job summary of %d bytes, over GitHub's 1 MiB", len(summary))
	}
}

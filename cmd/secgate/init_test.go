package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/report"
)

// secgateRun runs one command line in-process.
func secgateRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"secgate"}, args...), strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// initProject runs secgate init in a new folder and returns it.
func initProject(t *testing.T, args ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "proj")
	code, stdout, stderr := secgateRun(t, append(append([]string{"init"}, args...), dir)...)
	if code != exitPass {
		t.Fatalf("init %v: exit %d, %s", args, code, stderr)
	}
	if stderr != "" {
		t.Errorf("init: stderr %q", stderr)
	}
	for _, f := range listFiles(t, dir) {
		if !strings.Contains(stdout, "wrote "+filepath.Join(dir, f)+"\n") {
			t.Errorf("init wrote %s without saying so:\n%s", f, stdout)
		}
	}
	return dir
}

// listFiles lists the files under dir, relative, slash-separated, sorted.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}

// TestInitPassesCheckAndTest: what init writes works as written: its
// policy's tests pass, and with the example reports copied in, the gate
// gives the README's verdict (a high finding fails; 13 open findings
// warn); a report without findings passes. secgate.yaml and the policy
// are the same whatever --ci says; only the CI files differ.
func TestInitPassesCheckAndTest(t *testing.T) {
	common := []string{"policy/blocked.rego", "policy/blocked_test.rego", "secgate.yaml"}
	dirs := map[string]string{}
	for _, tc := range []struct {
		ci    string
		files []string
	}{
		{"github", []string{".github/workflows/secgate-release.yml", ".github/workflows/secgate-weekly.yml", ".github/workflows/secgate.yml"}},
		{"gitlab", []string{".gitlab-ci.yml"}},
		{"none", nil},
	} {
		dir := initProject(t, "--ci", tc.ci)
		dirs[tc.ci] = dir
		if got, want := listFiles(t, dir), append(tc.files, common...); !slices.Equal(got, want) {
			t.Errorf("--ci %s: files %v, want %v", tc.ci, got, want)
		}
		for _, f := range common {
			a, _ := os.ReadFile(filepath.Join(dirs["github"], f))
			b, _ := os.ReadFile(filepath.Join(dir, f))
			if !bytes.Equal(a, b) {
				t.Errorf("--ci %s: %s differs from --ci github's", tc.ci, f)
			}
		}
	}
	dir := dirs["gitlab"]
	code, stdout, stderr := secgateRun(t, "test", filepath.Join(dir, "policy"))
	if code != exitPass || !regexp.MustCompile(`^[1-9][0-9]* passed, 0 failed\n$`).MatchString(stdout) {
		t.Errorf("secgate test policy/: exit %d, %s%s", code, stdout, stderr)
	}
	reports := filepath.Join(dir, "reports")
	copyDir(t, filepath.Join("..", "..", "examples", "reports"), reports)
	// A generous timeout: the machine running the tests may be busy.
	gate := []string{"check", "--timeout", "10m", "-c", filepath.Join(dir, "secgate.yaml"), "-p", filepath.Join(dir, "policy"), "-p", "builtin"}
	code, stdout, stderr = secgateRun(t, append(gate, reports)...)
	if code != exitPolicy {
		t.Fatalf("check: exit %d, want 1: %s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"FAIL  1 violation(s)",
		"secgate.thresholds: 1 open high finding(s) (the gate fails at high and above)",
		"secgate.thresholds: 13 open findings (1 high, 7 medium, 5 low) counted at any severity; 10 or more warn, more than 20 fail",
		"policies: main, secgate.coverage",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("check output lacks %q:\n%s", want, stdout)
		}
	}
	clean := filepath.Join("..", "..", "testdata", "corpus", "trivy-json", "trivy-image-alpine-no-vulns.json")
	if code, stdout, stderr := secgateRun(t, append(gate, clean)...); code != exitPass {
		t.Errorf("check of a clean report: exit %d: %s%s", code, stdout, stderr)
	}
}

// TestInitPolicyDenies: the example rule is live in the gate, not only in
// its tests: a report with a blocked CVE fails through it.
func TestInitPolicyDenies(t *testing.T) {
	dir := initProject(t, "--ci", "none")
	report := filepath.Join(dir, "osv.json")
	// An OSV-Scanner report of log4j-core 2.14.1 with Log4Shell.
	osv := `{"results":[{"source":{"path":"pom.xml","type":"lockfile"},"packages":[{"package":{"name":"org.apache.logging.log4j:log4j-core","version":"2.14.1","ecosystem":"Maven"},
"vulnerabilities":[{"id":"GHSA-jfh8-c2jp-5v3q","aliases":["CVE-2021-44228"],"summary":"Remote code injection in Log4j","database_specific":{"severity":"CRITICAL"}}],
"groups":[{"ids":["GHSA-jfh8-c2jp-5v3q","CVE-2021-44228"]}]}]}]}`
	if err := os.WriteFile(report, []byte(osv), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := secgateRun(t, "check", "--timeout", "10m", "-c", filepath.Join(dir, "secgate.yaml"), "-p", filepath.Join(dir, "policy"), report)
	if code != exitPolicy || !strings.Contains(stdout, "main: blocked vulnerability CVE-2021-44228 in org.apache.logging.log4j:log4j-core 2.14.1") {
		t.Errorf("exit %d, want 1 with the example rule's violation:\n%s%s", code, stdout, stderr)
	}
}

// TestInitConfigHasEveryKey: every key of secgate.yaml's schema is in the
// file init writes, where it belongs: the keys of sections and the gate
// keys as YAML keys once their "#" is removed, the keys of list entries
// and of free-form mappings in their holder's description. A key added to
// the schema is written without any change to init.
func TestInitConfigHasEveryKey(t *testing.T) {
	dir := initProject(t, "--ci", "none")
	data, err := os.ReadFile(filepath.Join(dir, "secgate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	uncommented := regexp.MustCompile(`(?m)^(\s*)#([^\s#])`).ReplaceAll(data, []byte("$1$2"))
	var tree map[string]any
	if err := yaml.Unmarshal(uncommented, &tree); err != nil {
		t.Fatalf("secgate.yaml with every key uncommented: %v", err)
	}
	if _, err := config.Parse(uncommented); err != nil {
		t.Errorf("secgate.yaml with every key uncommented: %v", err)
	}
	var schema map[string]any
	if err := json.Unmarshal(config.Schema, &schema); err != nil {
		t.Fatal(err)
	}
	defs, _ := schema["$defs"].(map[string]any)
	n := 0
	var walk func(s map[string]any, at []string, entry bool, tree map[string]any)
	walk = func(s map[string]any, at []string, entry bool, tree map[string]any) {
		if ref, ok := s["$ref"].(string); ok {
			if d, ok := defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any); ok {
				walk(d, at, entry, tree)
			}
		}
		props, _ := s["properties"].(map[string]any)
		for name, sub := range props {
			n++
			path := strings.Join(append(slices.Clone(at), name), ".")
			var below map[string]any
			if entry {
				// An entry's key: described as "#  name: …".
				if !regexp.MustCompile(`(?m)^\s*#\s+` + regexp.QuoteMeta(name) + `: `).Match(data) {
					t.Errorf("%s: not described in secgate.yaml", path)
				}
			} else if v, ok := tree[name]; !ok {
				t.Errorf("%s: not a key of secgate.yaml", path)
			} else {
				below, _ = v.(map[string]any)
			}
			walk(sub.(map[string]any), append(slices.Clone(at), name), entry, below)
		}
		for _, k := range []string{"items", "additionalProperties"} {
			if sub, ok := s[k].(map[string]any); ok {
				walk(sub, append(slices.Clone(at), "[]"), true, nil)
			}
		}
	}
	walk(schema, nil, false, tree)
	if n < 40 {
		t.Errorf("walked %d keys of the schema; it has more", n)
	}
	cfg, err := config.Load(filepath.Join(dir, "secgate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	th := cfg.Sections["thresholds"].(map[string]any)
	if th["fail_severity"] != "high" || th["max_findings"] != 20 || th["warn_findings"] != 10 {
		t.Errorf("thresholds %v", th)
	}
	for _, line := range []string{"\n  fail_severity: high\n", "\n  max_findings: 20\n", "\n  warn_findings: 10\n"} {
		if !strings.Contains(string(data), line) {
			t.Errorf("the threshold %q is not set explicitly", strings.TrimSpace(line))
		}
	}
}

func readYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: not YAML: %v", path, err)
	}
	if v == nil {
		t.Fatalf("%s: empty", path)
	}
	return v
}

func get(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

// steps are the steps of every job of a workflow.
func steps(t *testing.T, wf map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	jobs, _ := wf["jobs"].(map[string]any)
	if len(jobs) == 0 {
		t.Fatal("no jobs")
	}
	for _, j := range jobs {
		list, _ := get(j, "steps").([]any)
		for _, s := range list {
			out = append(out, s.(map[string]any))
		}
	}
	return out
}

// cronPattern is a five-field cron line.
var cronPattern = regexp.MustCompile(`^\S+ \S+ \S+ \S+ \S+$`)

// TestInitGitHubWorkflows: the workflows are YAML with the documented
// triggers, run secgate's Action with inputs it has, pass no expression
// into a shell script (a tag or branch name could inject commands), and
// name the version asked for.
func TestInitGitHubWorkflows(t *testing.T) {
	dir := initProject(t, "--ci", "github", "--ref", "v1.2.3")
	wfDir := filepath.Join(dir, ".github", "workflows")
	for _, tc := range []struct {
		file    string
		trigger func(on any) bool
		stage   string
	}{
		{"secgate.yml", func(on any) bool { _, ok := on.(map[string]any)["pull_request"]; return ok }, "pre-merge"},
		{"secgate-weekly.yml", func(on any) bool {
			crons, _ := get(on, "schedule").([]any)
			_, manual := on.(map[string]any)["workflow_dispatch"]
			return len(crons) == 1 && cronPattern.MatchString(get(crons[0], "cron").(string)) && manual
		}, "weekly"},
		{"secgate-release.yml", func(on any) bool {
			types, _ := get(on, "release", "types").([]any)
			return slices.Contains(types, any("published"))
		}, "release"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			wf := readYAML(t, filepath.Join(wfDir, tc.file))
			if !tc.trigger(wf["on"]) {
				t.Errorf("triggers %v", wf["on"])
			}
			var gate map[string]any
			for _, s := range steps(t, wf) {
				uses, _ := s["uses"].(string)
				if strings.HasPrefix(uses, "secgate/secgate") {
					if gate != nil {
						t.Error("two secgate steps")
					}
					gate = s
				}
				if uses != "" && !regexp.MustCompile(`^[\w.-]+/[\w./-]+@[\w.-]+$`).MatchString(uses) {
					t.Errorf("uses %q: not pinned to a version", uses)
				}
				if script, _ := s["run"].(string); strings.Contains(script, "${{") {
					t.Errorf("a script with an expression in it: %q", script)
				}
			}
			if gate == nil {
				t.Fatal("no secgate/secgate step")
			}
			if gate["uses"] != "secgate/secgate@v1.2.3" {
				t.Errorf("uses %v", gate["uses"])
			}
			with, _ := gate["with"].(map[string]any)
			for k := range with {
				if _, ok := loadAction(t).Inputs[k]; !ok {
					t.Errorf("input %q: the Action has no such input", k)
				}
			}
			if with["reports"] == nil || with["config"] != "secgate.yaml" || with["stage"] != tc.stage {
				t.Errorf("inputs %v", with)
			}
			if p := strings.Fields(with["policy"].(string)); !slices.Equal(p, []string{"builtin", "policy/"}) {
				t.Errorf("policy %v", p)
			}
		})
	}
	release, err := os.ReadFile(filepath.Join(wfDir, "secgate-release.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`secgate diff --changelog SECURITY-CHANGELOG.md --version "$TAG" previous/secgate-decision.json secgate-decision.json`,
		"args: -o json=secgate-decision.json",
		"go install github.com/secgate/secgate/cmd/secgate@v1.2.3",
	} {
		if !strings.Contains(string(release), want) {
			t.Errorf("secgate-release.yml lacks %q", want)
		}
	}
}

// rules are the if: conditions of a GitLab job's rules.
func rules(job any) []string {
	var out []string
	list, _ := get(job, "rules").([]any)
	for _, r := range list {
		if cond, ok := get(r, "if").(string); ok {
			out = append(out, cond)
		}
	}
	return out
}

// TestInitGitLab: .gitlab-ci.yml is YAML that includes secgate's template
// at the version asked for, with a job for merge requests, one for the
// schedule and one for tags; the template runs check with the JUnit and
// Code Quality reports it declares, in formats secgate has, and leaves
// the exit code alone (no allow_failure of its own).
func TestInitGitLab(t *testing.T) {
	dir := initProject(t, "--ci", "gitlab", "--ref", "v1.2.3")
	ci := readYAML(t, filepath.Join(dir, ".gitlab-ci.yml"))
	tmpl := readYAML(t, filepath.Join("..", "..", "ci", "gitlab", "secgate.yml"))

	include, _ := ci["include"].([]any)
	if len(include) != 1 || get(include[0], "remote") != "https://raw.githubusercontent.com/secgate/secgate/v1.2.3/ci/gitlab/secgate.yml" {
		t.Errorf("include %v", include)
	}
	if v := get(ci, "variables", "SECGATE_VERSION"); v != "v1.2.3" {
		t.Errorf("SECGATE_VERSION %v", v)
	}
	if wf := rules(ci["workflow"]); !slices.Contains(wf, `$CI_PIPELINE_SOURCE == "merge_request_event"`) || !slices.Contains(wf, "$CI_COMMIT_TAG") {
		t.Errorf("workflow rules %v", wf)
	}
	// The job secgate is the template's, its rules included.
	if r := rules(tmpl["secgate"]); !slices.Contains(r, `$CI_PIPELINE_SOURCE == "merge_request_event"`) {
		t.Errorf("template job secgate: rules %v", r)
	}
	if r := rules(ci["secgate-weekly"]); !slices.Equal(r, []string{`$CI_PIPELINE_SOURCE == "schedule"`}) {
		t.Errorf("secgate-weekly: rules %v", r)
	}
	if r := rules(ci["secgate-release"]); !slices.Equal(r, []string{"$CI_COMMIT_TAG"}) {
		t.Errorf("secgate-release: rules %v", r)
	}
	for job, stage := range map[string]string{"secgate": "pre-merge", "secgate-weekly": "weekly", "secgate-release": "release"} {
		if get(ci, job, "variables", "SECGATE_STAGE") != stage {
			t.Errorf("%s: stage %v, want %s", job, get(ci, job, "variables", "SECGATE_STAGE"), stage)
		}
		if job != "secgate" && get(ci, job, "extends") != ".secgate" {
			t.Errorf("%s: does not extend .secgate", job)
		}
		if job != "secgate" {
			for kind, file := range map[string]string{"junit": "secgate-junit.xml", "codequality": "secgate-codequality.json"} {
				if get(ci, job, "artifacts", "reports", kind) != file {
					t.Errorf("%s: artifacts reports %s is not %s", job, kind, file)
				}
			}
		}
	}
	raw, _ := os.ReadFile(filepath.Join(dir, ".gitlab-ci.yml"))
	if !strings.Contains(string(raw), `secgate" diff --changelog SECURITY-CHANGELOG.md --version "$CI_COMMIT_TAG"`) {
		t.Error("no security changelog in the release job")
	}

	job := tmpl[".secgate"]
	script := ""
	for _, l := range get(job, "script").([]any) {
		script += l.(string) + "\n"
	}
	outputs := map[string]string{}
	for _, m := range regexp.MustCompile(`-o ([a-z]+)(?:=(\S+))?`).FindAllStringSubmatch(script, -1) {
		if !slices.Contains(report.Names(), m[1]) {
			t.Errorf("template: -o %s is no output format of secgate", m[1])
		}
		outputs[m[1]] = m[2]
	}
	for kind, file := range map[string]string{"junit": "secgate-junit.xml", "codequality": "secgate-codequality.json"} {
		if outputs[kind] != file || get(job, "artifacts", "reports", kind) != file {
			t.Errorf("template: %s report %q written, %v declared; want %s", kind, outputs[kind], get(job, "artifacts", "reports", kind), file)
		}
	}
	if get(job, "artifacts", "when") != "always" {
		t.Error("template: reports are kept only when the gate passes")
	}
	for name, j := range tmpl {
		if v, ok := j.(map[string]any)["allow_failure"]; ok {
			t.Errorf("template job %s: allow_failure %v; a failing gate must fail unless the user says otherwise", name, v)
		}
	}
	if !strings.Contains(script, `"$GOPATH/bin/secgate" check`) || strings.Contains(script, "|| true") {
		t.Errorf("template: check's exit code is not the job's:\n%s", script)
	}
}

// TestInitRefusesExistingFiles: a file that exists is never overwritten
// without --force: init names it in one line, exit 2, and writes nothing
// at all, not even the files that do not exist. With --force it writes.
func TestInitRefusesExistingFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "proj")
	mine := filepath.Join(dir, ".github", "workflows", "secgate-weekly.yml")
	if err := os.MkdirAll(filepath.Dir(mine), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mine, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := secgateRun(t, "init", dir)
	if code != exitError || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, mine+" exists; init overwrites nothing without --force") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if got := listFiles(t, dir); !slices.Equal(got, []string{".github/workflows/secgate-weekly.yml"}) {
		t.Errorf("refused, yet wrote: %v", got)
	}
	if b, _ := os.ReadFile(mine); string(b) != "mine\n" {
		t.Errorf("overwritten: %q", b)
	}
	if code, _, stderr := secgateRun(t, "init", "--force", dir); code != exitPass {
		t.Fatalf("--force: exit %d, %s", code, stderr)
	}
	if b, _ := os.ReadFile(mine); !strings.Contains(string(b), "cron:") {
		t.Errorf("--force did not overwrite: %q", b)
	}
	if got := listFiles(t, dir); len(got) != 6 {
		t.Errorf("--force wrote %v", got)
	}
}

// TestInitRefusesSymlinks: a symlink planted at a target, or at a folder
// on the way to one, is refused even with --force: nothing is written
// through it, nor anywhere else.
func TestInitRefusesSymlinks(t *testing.T) {
	for _, tc := range []struct {
		name, link string
		dir        bool
	}{
		{"file", "secgate.yaml", false},
		{"policy folder", "policy", true},
		{".github", ".github", true},
		{"workflows", ".github/workflows", true},
		{"dangling", ".gitlab-ci.yml", false},
	} {
		for _, force := range []bool{false, true} {
			t.Run(tc.name, func(t *testing.T) {
				root := t.TempDir()
				dir := filepath.Join(root, "proj")
				outside := filepath.Join(root, "outside")
				if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, tc.link)), 0o755); err != nil {
					t.Fatal(err)
				}
				target := outside
				if tc.dir {
					if err := os.Mkdir(outside, 0o755); err != nil {
						t.Fatal(err)
					}
				} else if tc.name != "dangling" {
					if err := os.WriteFile(outside, []byte("outside\n"), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				if err := os.Symlink(target, filepath.Join(dir, tc.link)); err != nil {
					t.Fatal(err)
				}
				args := []string{"init", "--ci", "github"}
				if tc.name == "dangling" {
					args[2] = "gitlab"
				}
				if force {
					args = append(args, "--force")
				}
				code, stdout, stderr := secgateRun(t, append(args, dir)...)
				if code != exitError || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "is a symlink") {
					t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
				}
				if got := listFiles(t, dir); !slices.Equal(got, []string{tc.link}) {
					t.Errorf("wrote %v", got)
				}
				if tc.dir {
					if got := listFiles(t, outside); len(got) != 0 {
						t.Errorf("wrote through the link: %v", got)
					}
				} else if b, err := os.ReadFile(outside); tc.name != "dangling" && string(b) != "outside\n" || tc.name == "dangling" && err == nil {
					t.Errorf("wrote through the link: %q", b)
				}
			})
		}
	}
}

// TestInitBadArguments: a --ci, --ref or folder init cannot use is one
// line, exit 2, and nothing written; a --ref that could break out of the
// YAML or the URL it goes in is one of them.
func TestInitBadArguments(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "proj")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--ci", "jenkins", dir}, `--ci: want github, gitlab or none, got "jenkins"`},
		{[]string{"--ref", "v1\n    run: curl evil", dir}, "--ref: want a tag, branch or commit"},
		{[]string{"--ref", "main # x", dir}, "--ref: want a tag, branch or commit"},
		{[]string{"--ref", "../../evil", dir}, "--ref: want a tag, branch or commit"},
		{[]string{"--ref", "${{ secrets.X }}", dir}, "--ref: want a tag, branch or commit"},
		{[]string{file}, "not a folder"},
		{[]string{dir, "other"}, "init takes one folder"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			code, stdout, stderr := secgateRun(t, append([]string{"init"}, tc.args...)...)
			if code != exitError || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %q", code, stdout, stderr, tc.want)
			}
			if _, err := os.Stat(dir); err == nil {
				t.Error("the folder was made")
			}
		})
	}
}

// TestInitDefaultRef: a build that is not a release names the main
// branch, a release itself.
func TestInitDefaultRef(t *testing.T) {
	defer func(v string) { version = v }(version)
	for v, want := range map[string]string{"": "main", "devel": "main", "v1.4.0": "v1.4.0", "v1.4.0-rc.1": "v1.4.0-rc.1",
		"v1.4.0-3-gabcdef": "main", "v1.4.0-dirty": "main"} {
		version = v
		if got := ciRef(); got != want {
			t.Errorf("version %q: ref %q, want %q", v, got, want)
		}
	}
}

// TestInitRefusesOtherKinds: a folder where init writes a file, or a file
// where it needs a folder, is refused before anything is written, even
// with --force.
func TestInitRefusesOtherKinds(t *testing.T) {
	for _, tc := range []struct {
		name, make, want string
		dir              bool
	}{
		{"folder at secgate.yaml", "secgate.yaml", "secgate.yaml: exists and is not a file", true},
		{"file at policy", "policy", "policy: not a folder, and init writes blocked.rego in it", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "proj")
			p := filepath.Join(dir, tc.make)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			var err error
			if tc.dir {
				err = os.Mkdir(p, 0o755)
			} else {
				err = os.WriteFile(p, []byte("x"), 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := secgateRun(t, "init", "--force", dir)
			if code != exitError || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %q", code, stdout, stderr, tc.want)
			}
			if got := listFiles(t, dir); len(got) > 1 {
				t.Errorf("wrote %v", got)
			}
		})
	}
}

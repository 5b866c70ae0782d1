package eval

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// TestPrefixedRules: deny_*, violation_* and warn_* decide as conftest
// reads them, beside a plain rule of the same kind or without one, in
// every package evaluated; helpers whose names only start alike do not.
func TestPrefixedRules(t *testing.T) {
	files := map[string]string{
		"main.rego": `package main

deny contains "plain deny" if true

deny_critical contains "prefixed deny" if true

violation_old_image contains {"msg": "prefixed violation", "severity": "high"} if true

warn_stale contains "prefixed warn" if true

denylist := ["not a rule"]

deny_(x) := x

warning contains "not a rule either" if true
`,
		"team.rego": `package team

warn_x contains "warn without a plain rule" if true
`,
	}
	res, err := evaluate(t, files, Options{}, sampleDoc(0))
	if err != nil {
		t.Fatal(err)
	}
	var denies, warns []string
	for _, m := range res.Denies {
		denies = append(denies, m.Policy+"."+m.Rule+": "+m.Msg)
	}
	for _, m := range res.Warnings {
		warns = append(warns, m.Policy+"."+m.Rule+": "+m.Msg)
	}
	if got, want := strings.Join(denies, "|"), "main.violation_old_image: prefixed violation|main.deny: plain deny|main.deny_critical: prefixed deny"; got != want {
		t.Errorf("denies = %s\nwant     %s", got, want)
	}
	if got, want := strings.Join(warns, "|"), "main.warn_stale: prefixed warn|team.warn_x: warn without a plain rule"; got != want {
		t.Errorf("warnings = %s\nwant       %s", got, want)
	}
	if got := strings.Join(res.Namespaces, ","); got != "main,team" {
		t.Errorf("namespaces = %s", got)
	}
}

// TestBooleanRulesRefused: `deny_x if {…}` is refused when the policies
// load, naming the file and line, as conftest refuses it, whether or not
// it would fire.
func TestBooleanRulesRefused(t *testing.T) {
	for _, body := range []string{"true", "false"} {
		files := map[string]string{"b.rego": "package main\n\ndeny contains \"x\" if false\n\ndeny_root if " + body + "\n"}
		_, err := evaluate(t, files, Options{}, sampleDoc(0))
		if err == nil || !strings.Contains(err.Error(), "b.rego:5: deny_root is a boolean rule") || !strings.Contains(err.Error(), "deny_root contains msg") {
			t.Fatalf("body %s: err = %v", body, err)
		}
	}
}

// TestExceptionRules: an exception rule sets aside the rules of its own
// package that it names (without prefix; "" for deny, violation and warn
// themselves), as conftest's exceptions do; the results are reported as
// excepted, not as violations or warnings.
func TestExceptionRules(t *testing.T) {
	files := map[string]string{
		"main.rego": `package main

deny contains "plain" if true

deny_run_as_root contains "root" if true

violation_run_as_root contains "root again" if true

warn_run_as_root contains "root warned" if true

deny_latest contains "latest tag" if true

exception contains rules if {
	input.context.stage == "pre-merge"
	rules := ["run_as_root", ""]
}
`,
		"other.rego": `package other

deny_run_as_root contains "another package's rule" if true
`,
	}
	res, err := evaluate(t, files, Options{}, sampleDoc(0))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range res.Excepted {
		got = append(got, x.Policy+"."+x.Rule+"="+x.Exception+": "+x.Msg)
	}
	want := "main.deny=: plain|main.deny_run_as_root=run_as_root: root|main.violation_run_as_root=run_as_root: root again|main.warn_run_as_root=run_as_root: root warned"
	if strings.Join(got, "|") != want {
		t.Errorf("excepted = %s\nwant       %s", strings.Join(got, "|"), want)
	}
	if len(res.Denies) != 2 || res.Denies[0].Msg != "latest tag" || res.Denies[1].Msg != "another package's rule" || len(res.Warnings) != 0 {
		t.Errorf("denies = %+v, warnings = %+v", res.Denies, res.Warnings)
	}

	// Undefined (another stage): nothing is set aside.
	doc := sampleDoc(0)
	doc.Context.Stage = "release"
	res, err = evaluate(t, files, Options{}, doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Excepted) != 0 || len(res.Denies) != 5 || len(res.Warnings) != 1 {
		t.Errorf("release: excepted %d, denies %d, warnings %d", len(res.Excepted), len(res.Denies), len(res.Warnings))
	}
}

// TestExceptionFunction: a function named exception is no exception
// rule; the package's rules decide as without it.
func TestExceptionFunction(t *testing.T) {
	files := map[string]string{"main.rego": "package main\n\ndeny_root contains \"root\" if true\n\nexception(x) := [x]\n"}
	res, err := evaluate(t, files, Options{}, sampleDoc(0))
	if err != nil || len(res.Denies) != 1 || len(res.Excepted) != 0 {
		t.Fatalf("res %+v err %v", res, err)
	}
}

// TestExceptionRuleMistyped: an exception rule that holds anything but
// lists of names is an error, not an exception that sets nothing aside.
func TestExceptionRuleMistyped(t *testing.T) {
	for _, rule := range []string{`exception contains "run_as_root" if true`, `exception contains [1] if true`, `exception := "x"`} {
		files := map[string]string{"main.rego": "package main\n\ndeny_run_as_root contains \"root\" if true\n\n" + rule + "\n"}
		_, err := evaluate(t, files, Options{}, sampleDoc(0))
		if err == nil || !strings.Contains(err.Error(), "want lists of rule names") {
			t.Errorf("%s: err = %v", rule, err)
		}
	}
}

// TestPrintAndExplainBounded: print() output is shown with its location
// and bounded to MaxPrintLines; an explanation keeps at most
// MaxTraceEvents steps and says how many it left out, so that tracing a
// large report cannot exhaust memory or flood the log.
func TestPrintAndExplainBounded(t *testing.T) {
	files := map[string]string{"p.rego": `package main

deny contains msg if {
	some f in input.findings
	print("finding", f.id)
	f.severity == "critical"
	msg := f.id
}
`}
	var log strings.Builder
	res, err := evaluate(t, files, Options{Log: &log, Explain: ExplainFull}, sampleDoc(3000))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Denies) != 0 {
		t.Fatalf("denies = %d", len(res.Denies))
	}
	out := log.String()
	if got := strings.Count(out, "p.rego:5: finding "); got != MaxPrintLines {
		t.Errorf("%d print lines, want %d", got, MaxPrintLines)
	}
	if !strings.Contains(out, "secgate: print: 2000 more line(s) not shown (at most 1000)\n") {
		t.Errorf("no note of the print lines left out")
	}
	if !strings.Contains(out, "secgate: explain: stopped after 20000 steps, ") {
		t.Errorf("no note of the trace cut")
	}
	if n := strings.Count(out, "\n"); n > MaxPrintLines+MaxTraceEvents+2 {
		t.Errorf("%d lines written", n)
	}

	// Without Log, nothing is traced nor printed, and the results are the same.
	res, err = evaluate(t, files, Options{Explain: ExplainFull}, sampleDoc(10))
	if err != nil || len(res.Denies) != 0 {
		t.Fatalf("res %v err %v", res, err)
	}
	if _, err := evaluate(t, files, Options{Explain: "all"}, sampleDoc(0)); err == nil || !strings.Contains(err.Error(), "want full, fails, notes") {
		t.Errorf("bad mode: err = %v", err)
	}
}

// TestVersionHint: a folder of Rego v0 read as v1 (the default) is an
// error that says to pass --rego-version v0, and reads with RegoV0; a v1
// file read as v0 says the opposite; a plain syntax error gets no hint.
func TestVersionHint(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return filepath.Dir(p)
	}
	v0 := write("v0/p.rego", "package main\n\ndeny[msg] {\n\tmsg := \"x\"\n}\n")
	v1 := write("v1/p.rego", "package main\n\ndeny contains \"x\" if true\n")
	bad := write("bad/p.rego", "package main\n\ndeny contains msg if {\n")

	_, err := LoadPaths([]string{v0}, Filter{})
	var ve *VersionError
	if !errors.As(err, &ve) || ve.Version != ast.RegoV0 || !strings.HasSuffix(err.Error(), ": pass --rego-version v0") {
		t.Errorf("v0 as v1: %v", err)
	}
	if p, err := LoadPaths([]string{v0}, Filter{RegoV0: true}); err != nil || len(p.Modules) != 1 {
		t.Errorf("v0 as v0: %v", err)
	}
	if _, err := LoadPaths([]string{v1}, Filter{RegoV0: true}); !errors.As(err, &ve) || !strings.HasSuffix(err.Error(), ": drop --rego-version v0") {
		t.Errorf("v1 as v0: %v", err)
	}
	if _, err := LoadPaths([]string{bad}, Filter{}); err == nil || errors.As(err, &ve) {
		t.Errorf("syntax error: %v", err)
	}
}

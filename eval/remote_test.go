package eval

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval/builtins"
)

// remoteFiles are policies with exceptions, approvals, and a deny whose
// verdict depends on the waived findings' status and on the time.
var remoteFiles = map[string]string{
	"exceptions.rego": `package secgate.exceptions
applied contains {"finding_id": f.id, "exception": e} if {
	some f in input.findings
	some e in data.secgate.config.exceptions
	e.id == f.id
	time.now_ns() < time.parse_rfc3339_ns(e.expires)
}
warn contains "an exception" if count(data.secgate.config.exceptions) > 0`,
	"dependencies.rego": `package secgate.dependencies
applied contains {"match": "x", "components": ["c"]} if true`,
	"main.rego": `package main
deny contains {"msg": sprintf("open %s", [f.id]), "severity": "high", "finding_ids": [f.id]} if {
	some f in input.findings
	f.status == "open"
}
warn contains "waived" if input.summary.by_status.accepted > 0
deny_old_base contains "old base image" if true
warn_note contains "a note" if true
exception contains rules if rules := ["old_base"]`,
}

// TestRemoteDecidesAsEvaluate: the decision entry point, evaluated as a
// server would (one query with the input Remote sends), gives Remote the
// Result that Evaluate gives; a waived finding is sent again accepted;
// the time sent is the time policies see.
func TestRemoteDecidesAsEvaluate(t *testing.T) {
	fsys := fstest.MapFS{}
	for name, src := range remoteFiles {
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
	pols, err := LoadFS("test", fsys, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	entry, err := DecisionModule(pols.Modules)
	if err != nil {
		t.Fatal(err)
	}
	cfg := map[string]any{"exceptions": []any{map[string]any{"id": "F1", "expires": "2026-06-01T00:00:00Z"}}}
	ctx := context.Background()
	doc := func() *document.Document {
		d := sampleDoc(3)
		for i := range d.Findings {
			d.Findings[i].Status = document.StatusOpen
		}
		d.Findings[0].ID = "F1"
		d.Summary = document.Summarize(d)
		return d
	}
	for _, now := range []time.Time{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)} {
		e, err := New(ctx, Options{Policies: pols, Data: map[string]any{"secgate": map[string]any{"config": cfg}}})
		if err != nil {
			t.Fatal(err)
		}
		want, err := e.Evaluate(ctx, doc(), now)
		if err != nil {
			t.Fatal(err)
		}
		modules := map[string]*ast.Module{"decision.rego": entry}
		for n, m := range pols.Modules {
			modules[n] = m
		}
		opts := []func(*rego.Rego){rego.Query("data." + DecisionPackage), rego.StrictBuiltinErrors(true)}
		for _, m := range modules {
			opts = append(opts, rego.ParsedModule(m))
		}
		opts = append(opts, builtins.RegoOptions()...)
		pq, err := rego.New(opts...).PrepareForEval(ctx)
		if err != nil {
			t.Fatal(err)
		}
		queries := 0
		server := func(ctx context.Context, input []byte) ([]byte, error) {
			queries++
			var in any
			if err := json.Unmarshal(input, &in); err != nil {
				return nil, err
			}
			// The server's own clock is another time: the input's decides.
			rs, err := pq.Eval(ctx, rego.EvalInput(in), rego.EvalTime(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)))
			if err != nil {
				return nil, err
			}
			return json.Marshal(rs[0].Expressions[0].Value)
		}
		got, err := NewRemote(server, cfg, "opa").Evaluate(ctx, doc(), now)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: remote differs (-local +remote):\n%s", now.Format("2006"), diff)
		}
		if wantQ := 1 + min(len(want.Waivers), 1); queries != wantQ {
			t.Errorf("%s: %d queries, want %d", now.Format("2006"), queries, wantQ)
		}
		if len(got.Excepted) != 1 || got.Excepted[0].Exception != "old_base" {
			t.Errorf("excepted %v, want deny_old_base's", got.Excepted)
		}
		if now.Year() == 2026 && len(got.Waivers) != 1 {
			t.Errorf("2026: waivers %v, want F1's", got.Waivers)
		}
	}
}

// TestRemoteRefusesWhatIsNotADecision: an answer that says pass without
// the entry point's keys, or with them of the wrong type, is an error,
// never an empty (passing) result.
func TestRemoteRefusesWhatIsNotADecision(t *testing.T) {
	complete := `"namespaces":["main"],"rules":{"r0":["main","deny"]},"exceptions":[]`
	cases := map[string]string{
		"pass without keys":       `{"decision":"pass"}`,
		"no collect":              `{` + complete + `}`,
		"collect without done":    `{` + complete + `,"collect":{}}`,
		"collect not an object":   `{` + complete + `,"collect":[]}`,
		"no namespaces":           `{"rules":{},"exceptions":[],"collect":{"done":true},"namespaces":[]}`,
		"rule of another kind":    `{"namespaces":["main"],"rules":{"r0":["main","allow"]},"exceptions":[],"collect":{"done":true}}`,
		"exceptions not a list":   `{` + strings.Replace(complete, `"exceptions":[]`, `"exceptions":{}`, 1) + `,"collect":{"done":true}}`,
		"not an object":           `[]`,
		"two values":              `{} {}`,
		"a deny that is a number": `{` + complete + `,"collect":{"done":true,"r0":3}}`,
	}
	for name, answer := range cases {
		t.Run(name, func(t *testing.T) {
			q := func(context.Context, []byte) ([]byte, error) { return []byte(answer), nil }
			res, err := NewRemote(q, nil, "opa").Evaluate(context.Background(), sampleDoc(2), time.Now())
			if err == nil {
				t.Fatalf("result %+v, want an error", res)
			}
		})
	}
	q := func(context.Context, []byte) ([]byte, error) { return nil, errors.New("down") }
	if _, err := NewRemote(q, nil, "opa").Evaluate(context.Background(), sampleDoc(1), time.Now()); err == nil {
		t.Error("a failed query passed")
	}
}

// TestDecisionModule: no entry point without deciding rules; a policy set
// that defines the entry point's package itself is refused.
func TestDecisionModule(t *testing.T) {
	parse := func(src string) map[string]*ast.Module {
		m := ast.MustParseModuleWithOpts(src, ast.ParserOptions{RegoVersion: ast.RegoV1})
		return map[string]*ast.Module{"p.rego": m}
	}
	if m, err := DecisionModule(parse("package lib\nx := 1")); m != nil || err != nil {
		t.Errorf("no deciding rules: %v, %v; want nothing", m, err)
	}
	if _, err := DecisionModule(parse("package secgate.decision\ndeny contains 1 if true")); err == nil {
		t.Error("a policy of package secgate.decision was accepted")
	}
}

// TestRemoteOrigins: the server, and its decision ids when it gave any.
func TestRemoteOrigins(t *testing.T) {
	r := NewRemote(nil, nil, "opa http://127.0.0.1:8181/v1/data/secgate/decision")
	var ids []string
	r.WithDecisionIDs(func() []string { return ids })
	if got := r.Origins(); !cmp.Equal(got, []string{"opa http://127.0.0.1:8181/v1/data/secgate/decision"}) {
		t.Errorf("without ids: %q", got)
	}
	ids = []string{"d-1", "d-2"}
	if got := r.Origins(); !cmp.Equal(got, []string{"opa http://127.0.0.1:8181/v1/data/secgate/decision decision_id d-1 d-2"}) {
		t.Errorf("with ids: %q", got)
	}
}

// FuzzParseAnswer: whatever a server answers, reading it neither panics
// nor accepts an answer without the entry point's keys.
func FuzzParseAnswer(f *testing.F) {
	f.Add(`{"namespaces":["main"],"rules":{"r0":["main","deny"]},"exceptions":[],"collect":{"done":true,"r0":[{"msg":"x","finding_ids":["F1"]}],"approvals":[{"match":"m"}]}}`)
	f.Add(`{"namespaces":["main"],"rules":{"r0":["main","warn"]},"exceptions":[{"finding_id":"F1","exception":{}}],"collect":{"done":true,"r0":"one"}}`)
	f.Add(`{"decision":"pass"}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, raw string) {
		ans, err := parseAnswer([]byte(raw))
		if err != nil {
			return
		}
		if len(ans.namespaces) == 0 || ans.rules == nil || ans.collect == nil {
			t.Fatalf("accepted %q without the entry point's keys", raw)
		}
		res := &Result{}
		_ = addCollected(res, ans.collect, ans.rules, ans.excepts)
		_, _ = waiversOf(ans.exceptions)
	})
}

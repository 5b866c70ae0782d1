// Package eval evaluates Rego policies over the unified document. It knows
// OPA and the document, nothing about report formats. Policies are
// compiled and prepared once; each document is then evaluated with the
// prepared queries, as a parsed value, with time pinned and without
// network or non-deterministic builtins unless widened.
package eval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval/builtins"
)

// Rule names that decide, as conftest reads them: deny and violation
// fail, warn warns, each alone or followed by _-separated words
// (deny_critical, warn_old_base_image), in every package evaluated.
var (
	denyRule = regexp.MustCompile(`^(deny|violation)(_[a-zA-Z0-9]+)*$`)
	warnRule = regexp.MustCompile(`^warn(_[a-zA-Z0-9]+)*$`)
)

// ruleKind says what a rule named name decides: "deny", "warn", or ""
// when it decides nothing.
func ruleKind(name string) string {
	switch {
	case denyRule.MatchString(name):
		return "deny"
	case warnRule.MatchString(name):
		return "warn"
	}
	return ""
}

// exceptionRule is the rule by which a package sets aside its own deny,
// violation and warn rules, as conftest's exceptions do.
const exceptionRule = "exception"

// exceptionName is the name an exception gives to set rule aside: the
// rule's name without deny_, violation_ or warn_, and "" for deny,
// violation and warn themselves.
func exceptionName(rule string) string {
	_, rest, _ := strings.Cut(rule, "_")
	return rest
}

// ExceptionsPackage is the package whose `applied` rule names the findings
// that waivers accept before the other policies run.
const ExceptionsPackage = "secgate.exceptions"

// ApprovalsPackage is the package whose `applied` rule lists the
// dependency approvals that let a component through, each with the
// components it approved, for the decision.
const ApprovalsPackage = "secgate.dependencies"

// collectPackage is the generated package that gathers every deciding rule.
const collectPackage = "secgate_internal_collect"

// approvalsKey is the collector's name for ApprovalsPackage's applied
// rule: no deciding rule's (those are r0, r1, …).
const approvalsKey = "approvals"

// DefaultTimeout bounds one evaluation.
const DefaultTimeout = 60 * time.Second

// Options configure an Engine.
type Options struct {
	Policies *Policies
	// Data is visible to policies under data (merged over the policies' own data).
	Data map[string]any
	// Namespaces restricts evaluation to these packages (e.g. "main"); empty: all.
	Namespaces []string
	// Capabilities replaces the default, restricted capabilities.
	Capabilities *ast.Capabilities
	// Timeout bounds each evaluation; 0 means DefaultTimeout.
	Timeout time.Duration
	// Log receives the policies' print() output, one line per call
	// prefixed with its file and line, and the explanation Explain asks
	// for; nil discards both. Report text reaching it is shown with
	// control characters escaped.
	Log io.Writer
	// Explain, when set, writes to Log why the deny, violation and warn
	// rules said what they said: ExplainFull, ExplainFails or
	// ExplainNotes, as `opa eval --explain` does. At most MaxTraceEvents
	// steps are kept.
	Explain string
	// Values are references into data (data.secgate.thresholds.…) that
	// each evaluation reads beside the deciding rules, in the same query
	// and so over the same input: Result.Values holds those defined.
	Values []string
}

// Engine holds prepared queries.
type Engine struct {
	// origins say where the policies came from (Policies.Origins).
	origins   []string
	decide    rego.PreparedEvalQuery
	collected map[string]ruleRef
	// excepts maps the collector's name of each exception rule to its
	// namespace.
	excepts    map[string]string
	exceptions *rego.PreparedEvalQuery
	// base are the options every query of the engine is prepared with.
	base []func(*rego.Rego)
	// values are Options.Values: the collector's v0, v1, ….
	values     []string
	namespaces []string
	timeout    time.Duration
	// fields, when set, are the only keys findings and components keep
	// in the input: the policies name no other (Policies.NamedFieldsOnly)
	// and read findings and components by no other (projectionSafe).
	fields fieldSet
	// log and explain are Options.Log and Options.Explain.
	log     io.Writer
	explain string
	// unprojected says why the input is whole although
	// Policies.NamedFieldsOnly asked for the projection.
	unprojected error
}

// Origins say where the engine's policies came from, each with its
// revision or digest (Policies.Origins).
func (e *Engine) Origins() []string { return append([]string{}, e.origins...) }

// Message is one deny or warn result of one policy.
type Message struct {
	Policy      string         `json:"policy"`
	Rule        string         `json:"rule"`
	Msg         string         `json:"msg"`
	Severity    string         `json:"severity,omitempty"`
	FindingIDs  []string       `json:"finding_ids"`
	Components  []string       `json:"components"`
	Remediation string         `json:"remediation,omitempty"`
	Extra       map[string]any `json:"details,omitempty"`
}

// Excepted is a deny, violation or warn result that its package's own
// exception rule set aside, as conftest's exceptions do: it neither
// fails nor warns, and is reported apart.
type Excepted struct {
	Message
	// Exception is the name the exception rule gave: the rule's name
	// without its deny_, violation_ or warn_ prefix, "" for the rules
	// named deny, violation and warn.
	Exception string `json:"exception"`
}

// Waiver is an exception that accepted a finding.
type Waiver struct {
	FindingID string         `json:"finding_id"`
	Exception map[string]any `json:"exception"`
}

// Approval is a dependency approval that let components through: the
// configuration entry, as written, and the components it approved.
type Approval struct {
	Match      string `json:"match"`
	ApprovedBy string `json:"approved_by"`
	Expires    string `json:"expires"`
	Reason     string `json:"reason"`
	// Owner and Ticket say who answers for the approval and what tracks
	// it, when the approval says.
	Owner      string   `json:"owner,omitempty"`
	Ticket     string   `json:"ticket,omitempty"`
	Components []string `json:"components"`
}

// Result is what the policies said about one document.
type Result struct {
	Denies   []Message `json:"violations"`
	Warnings []Message `json:"warnings"`
	Waivers  []Waiver  `json:"exceptions"`
	// Excepted are the results their packages' exception rules set
	// aside, by policy and rule.
	Excepted []Excepted `json:"excepted"`
	// Approvals are those the dependencies policy applied, when it was
	// evaluated.
	Approvals []Approval `json:"approvals"`
	// Namespaces lists the packages that were evaluated.
	Namespaces []string `json:"namespaces"`
	// Values are Options.Values that were defined, by reference, as JSON
	// decodes them.
	Values map[string]any `json:"-"`
}

// DefaultCapabilities are OPA's capabilities without network access and
// without non-deterministic builtins (time.now_ns stays: it is pinned to
// the document's context.now), plus secgate's builtins.
func DefaultCapabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	kept := caps.Builtins[:0]
	for _, b := range caps.Builtins {
		if b.Nondeterministic && b.Name != "time.now_ns" {
			continue
		}
		if b.Name == "opa.runtime" || strings.HasPrefix(b.Name, "net.") || b.Name == "http.send" {
			continue
		}
		kept = append(kept, b)
	}
	caps.Builtins = kept
	caps.AllowNet = []string{}
	return caps
}

// checkOnlyStages are the compiler stages that only look for errors in
// the modules themselves: they change nothing that evaluation reads (the
// type environment they build serves `with` on functions, which the
// built-ins do not use outside their tests). The stages that depend on
// the capabilities (undefined, unsafe and deprecated builtins, imports)
// are not among them.
var checkOnlyStages = []ast.StageID{
	ast.StageCheckKeywordOverrides,
	ast.StageCheckVoidCalls,
	ast.StageCheckRuleConflicts,
	ast.StageCheckSafetyRuleHeads,
	ast.StageCheckRecursion,
	ast.StageCheckTypes,
}

// New compiles the policies and prepares the queries.
func New(ctx context.Context, opts Options) (*Engine, error) {
	if opts.Policies == nil || len(opts.Policies.Modules) == 0 {
		return nil, errors.New("no policies to evaluate")
	}
	if opts.Explain != "" && !slices.Contains(ExplainModes, opts.Explain) {
		return nil, fmt.Errorf("explain: want %s, got %q", strings.Join(ExplainModes, ", "), opts.Explain)
	}
	caps := opts.Capabilities
	if caps == nil {
		caps = DefaultCapabilities()
	}
	caps.Builtins = append(caps.Builtins, builtins.Decls()...)

	namespaces, hasExceptions := decidingNamespaces(opts.Policies.Modules, opts.Namespaces)
	if len(namespaces) == 0 {
		if len(opts.Namespaces) > 0 {
			return nil, fmt.Errorf("policy: no deny, violation or warn rules in namespace %s", strings.Join(opts.Namespaces, ", "))
		}
		return nil, errors.New("policy: no package defines deny, violation or warn rules")
	}
	if err := booleanRules(opts.Policies.Modules); err != nil {
		return nil, err
	}
	collector, collected, excepts, err := collectModule(namespaces, opts.Policies.Modules, opts.Values)
	if err != nil {
		return nil, err
	}

	data := map[string]any{}
	if err := mergeData(data, opts.Policies.Data, "", mustAgree); err != nil {
		return nil, fmt.Errorf("policy data: %w", err)
	}
	MergeOver(data, opts.Data)
	store := inmem.NewFromObjectWithOpts(data, inmem.OptRoundTripOnWrite(false))

	compiler := ast.NewCompiler().
		WithCapabilities(caps).
		WithDefaultRegoVersion(ast.RegoV1).
		WithStrict(false).
		WithEnablePrintStatements(true)
	if opts.Policies.Checked && opts.Capabilities == nil {
		compiler = compiler.WithSkipStages(checkOnlyStages...)
	}
	modules := make(map[string]*ast.Module, len(opts.Policies.Modules)+1)
	for name, m := range opts.Policies.Modules {
		modules[name] = m
	}
	modules["secgate:collect.rego"] = collector
	compiler.Compile(modules)
	if compiler.Failed() {
		return nil, fmt.Errorf("policy: %s", astErrors(compiler.Errors))
	}

	base := []func(*rego.Rego){
		rego.Compiler(compiler),
		rego.Store(store),
		rego.StrictBuiltinErrors(true),
		rego.SetRegoVersion(ast.RegoV1),
	}
	base = append(base, builtins.RegoOptions()...)

	e := &Engine{namespaces: namespaces, timeout: opts.Timeout, collected: collected, excepts: excepts, origins: opts.Policies.Origins,
		log: opts.Log, explain: opts.Explain, base: base, values: opts.Values}
	if opts.Policies.NamedFieldsOnly {
		if err := projectionSafe(compiler); err != nil {
			e.unprojected = err
		} else {
			e.fields = namedFields(compiler.Modules)
			for _, f := range opts.Policies.Unread {
				delete(e.fields, f)
			}
		}
	}
	if e.timeout <= 0 {
		e.timeout = DefaultTimeout
	}
	pq, err := rego.New(append(base, rego.Query("data."+collectPackage))...).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	e.decide = pq
	if hasExceptions {
		xq, err := rego.New(append(base, rego.Query("data."+ExceptionsPackage+".applied"))...).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("policy: %w", err)
		}
		e.exceptions = &xq
	}
	return e, nil
}

// namedFields collects every string the modules spell out, and each
// dot-separated part of it ("package.purl" names package and purl): a
// policy set that reads the document only through such names sees the
// same results when findings and components keep only these keys, and
// building the input for 100,000 findings then costs a fraction. The
// keys that secgate's builtins read themselves are kept too.
func namedFields(modules map[string]*ast.Module) fieldSet {
	fields := fieldSet{}
	for _, m := range modules {
		ast.WalkTerms(m, func(t *ast.Term) bool {
			if s, ok := t.Value.(ast.String); ok {
				fields[string(s)] = true
				for part := range strings.SplitSeq(string(s), ".") {
					fields[part] = true
				}
			}
			return false
		})
	}
	for _, f := range builtins.FindingFields() {
		fields[f] = true
	}
	return fields
}

// decidingNamespaces lists the packages that define deny, violation or
// warn rules (deny_*, violation_*, warn_* included), restricted to want
// when given, and says whether the exceptions package is loaded.
func decidingNamespaces(modules map[string]*ast.Module, want []string) ([]string, bool) {
	seen := map[string]bool{}
	hasExceptions := false
	for _, m := range modules {
		ns := strings.TrimPrefix(m.Package.Path.String(), "data.")
		if ns == ExceptionsPackage {
			for _, r := range m.Rules {
				if r.Head.Name.String() == "applied" || r.Head.Ref().String() == "applied" {
					hasExceptions = true
				}
			}
		}
		for _, r := range m.Rules {
			if name, ok := ruleName(r); ok && ruleKind(name) != "" {
				seen[ns] = true
			}
		}
	}
	var out []string
	for ns := range seen {
		if len(want) == 0 || slices.Contains(want, ns) {
			out = append(out, ns)
		}
	}
	sort.Strings(out)
	return out, hasExceptions
}

// ruleName is the name of a rule that a package's data holds under one
// name: not a function, nor a rule whose head is a longer reference.
func ruleName(r *ast.Rule) (string, bool) {
	ref := r.Head.Ref()
	if len(ref) != 1 || len(r.Head.Args) > 0 {
		return "", false
	}
	return ref.String(), true
}

// booleanRules refuses deny, violation and warn rules written as
// booleans (`deny_x if {…}`), as conftest does: such a rule says that
// the gate fails, not why, and reads as if it were a set.
func booleanRules(modules map[string]*ast.Module) error {
	var found []string
	for _, m := range modules {
		for _, r := range m.Rules {
			name, ok := ruleName(r)
			if !ok || ruleKind(name) == "" || r.Default || r.Head.Key != nil || r.Head.Value == nil {
				continue
			}
			if b, ok := r.Head.Value.Value.(ast.Boolean); ok && bool(b) {
				loc := ""
				if r.Location != nil {
					loc = fmt.Sprintf("%s:%d: ", cleanFile(r.Location.File), r.Location.Row)
				}
				found = append(found, fmt.Sprintf("%s%s is a boolean rule (%s if {…}); write %s contains msg if {…} so that it says why", loc, name, name, name))
			}
		}
	}
	if len(found) == 0 {
		return nil
	}
	sort.Strings(found)
	return fmt.Errorf("policy: %s", strings.Join(found, "; "))
}

// ruleRef names one deciding rule of one package.
type ruleRef struct{ Namespace, Rule string }

// collectModule generates the package that gathers every deciding rule of
// every namespace under one name each (r0, r1, …), and each namespace's
// exception rule (x0, x1, …, mapped to their namespace), so that one
// prepared query evaluates all policies. Each is a reference, not a copy: results are
// not rebuilt, and a rule that is undefined in one package does not hide
// the others.
func collectModule(namespaces []string, modules map[string]*ast.Module, values []string) (*ast.Module, map[string]ruleRef, map[string]string, error) {
	var b strings.Builder
	refs := map[string]ruleRef{}
	excepts := map[string]string{}
	fmt.Fprintf(&b, "package %s\n\n", collectPackage)
	for i, v := range values {
		r, err := dataRef(v)
		if err != nil {
			return nil, nil, nil, err
		}
		fmt.Fprintf(&b, "%s := %s\n\n", valueKey(i), r)
	}
	for _, ns := range namespaces {
		pkg := packageRef(ns, modules)
		for _, rule := range ruleNames(ns, modules) {
			name := fmt.Sprintf("r%d", len(refs))
			refs[name] = ruleRef{ns, rule}
			fmt.Fprintf(&b, "%s := %s.%s\n\n", name, pkg, rule)
		}
		if definesRule(ns, exceptionRule, modules) {
			name := fmt.Sprintf("x%d", len(excepts))
			excepts[name] = ns
			fmt.Fprintf(&b, "%s := %s.%s\n\n", name, pkg, exceptionRule)
		}
		if ns == ApprovalsPackage && definesRule(ns, "applied", modules) {
			fmt.Fprintf(&b, "%s := %s.applied\n\n", approvalsKey, pkg)
		}
	}
	m, err := ast.ParseModuleWithOpts("secgate:collect.rego", b.String(), ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("policy: internal collector: %w", err)
	}
	return m, refs, excepts, nil
}

func packageRef(ns string, modules map[string]*ast.Module) string {
	for _, m := range modules {
		if strings.TrimPrefix(m.Package.Path.String(), "data.") == ns {
			return m.Package.Path.String()
		}
	}
	return "data." + ns
}

// definesRule says whether package ns defines rule (not a function of
// that name).
func definesRule(ns, rule string, modules map[string]*ast.Module) bool {
	for _, m := range modules {
		if strings.TrimPrefix(m.Package.Path.String(), "data.") != ns {
			continue
		}
		for _, r := range m.Rules {
			if name, ok := ruleName(r); ok && name == rule {
				return true
			}
		}
	}
	return false
}

// ruleNames are the deny, violation and warn rules of package ns, sorted.
func ruleNames(ns string, modules map[string]*ast.Module) []string {
	set := map[string]bool{}
	for _, m := range modules {
		if strings.TrimPrefix(m.Package.Path.String(), "data.") != ns {
			continue
		}
		for _, r := range m.Rules {
			if name, ok := ruleName(r); ok && ruleKind(name) != "" {
				set[name] = true
			}
		}
	}
	var out []string
	for r := range set {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// Evaluate runs the policies over doc. Waivers from the exceptions policy
// are applied to doc first (the findings they accept get status accepted),
// so every policy sees the same statuses. now pins time.now_ns.
func (e *Engine) Evaluate(ctx context.Context, doc *document.Document, now time.Time) (*Result, error) {
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	res := &Result{Denies: []Message{}, Warnings: []Message{}, Waivers: []Waiver{}, Excepted: []Excepted{}, Approvals: []Approval{}, Namespaces: e.namespaces}

	findings := findingTerms(doc, e.fields)
	input := assemble(doc, findings, e.fields)
	var hook *printHook
	var printing []rego.EvalOption
	if e.log != nil {
		hook = &printHook{w: e.log}
		defer hook.close()
		printing = append(printing, rego.EvalPrintHook(hook))
	}
	input, waivers, err := e.waive(ctx, doc, findings, input, now, printing)
	if err != nil {
		return nil, err
	}
	res.Waivers = waivers

	// The results stay Rego values: converting 100,000 finding ids to Go
	// values and back would cost more than reading them once.
	evalOpts := append([]rego.EvalOption{rego.EvalParsedInput(input), rego.EvalTime(now),
		rego.EvalGenerateJSON(func(t *ast.Term, _ *rego.EvalContext) (any, error) { return t, nil })}, printing...)
	var tracer *boundedTracer
	if e.explain != "" && e.log != nil {
		tracer = &boundedTracer{mode: e.explain}
		evalOpts = append(evalOpts, rego.EvalQueryTracer(tracer))
	}
	rs, err := e.decide.Eval(ctx, evalOpts...)
	if tracer != nil {
		// Written even when evaluation failed: that is when it helps.
		if werr := tracer.write(e.log); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		return nil, evalError(err, e.timeout)
	}
	if len(rs) == 1 && len(rs[0].Expressions) == 1 {
		var all ast.Object
		t, ok := rs[0].Expressions[0].Value.(*ast.Term)
		if ok && t != nil {
			all, ok = t.Value.(ast.Object)
		}
		if !ok {
			return nil, fmt.Errorf("policy: internal collector returned %v", rs[0].Expressions[0].Value)
		}
		if err := addCollected(res, all, e.collected, e.excepts); err != nil {
			return nil, err
		}
		for i, ref := range e.values {
			t := all.Get(ast.StringTerm(valueKey(i)))
			if t == nil {
				continue
			}
			v, err := ast.JSON(t.Value)
			if err != nil {
				return nil, fmt.Errorf("policy: %s: %w", ref, err)
			}
			if res.Values == nil {
				res.Values = map[string]any{}
			}
			res.Values[ref] = v
		}
	}
	sortMessages(res.Denies)
	sortMessages(res.Warnings)
	return res, nil
}

// waive applies the exceptions policy's waivers to doc, when that
// policy is loaded: the findings they accept get status accepted. It
// returns the input with the waived findings changed, and the waivers.
func (e *Engine) waive(ctx context.Context, doc *document.Document, findings []*ast.Term, input ast.Value, now time.Time, printing []rego.EvalOption) (ast.Value, []Waiver, error) {
	if e.exceptions == nil {
		return input, []Waiver{}, nil
	}
	rs, err := e.exceptions.Eval(ctx, append([]rego.EvalOption{rego.EvalParsedInput(input), rego.EvalTime(now)}, printing...)...)
	if err != nil {
		return nil, nil, evalError(err, e.timeout)
	}
	waivers, err := parseWaivers(rs)
	if err != nil {
		return nil, nil, err
	}
	if len(waivers) > 0 {
		// Only the waived findings (and the summary) change.
		shared := newSharedTerms()
		for _, i := range applyWaivers(doc, waivers) {
			findings[i] = ast.NewTerm(findingValue(&doc.Findings[i], e.fields, shared))
		}
		input = assemble(doc, findings, e.fields)
	}
	return input, waivers, nil
}

// Value evaluates ref, a reference into the policies' data
// (data.secgate.thresholds.ratchet_counts), over doc at now, with the
// exceptions policy's waivers applied to doc first, as Evaluate applies
// them. It returns the value as JSON decodes it, and false when ref is
// undefined.
func (e *Engine) Value(ctx context.Context, doc *document.Document, now time.Time, ref string) (any, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	r, err := dataRef(ref)
	if err != nil {
		return nil, false, err
	}
	pq, err := rego.New(append(e.base, rego.Query(r.String()))...).PrepareForEval(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("policy: %w", err)
	}
	findings := findingTerms(doc, e.fields)
	input, _, err := e.waive(ctx, doc, findings, assemble(doc, findings, e.fields), now, nil)
	if err != nil {
		return nil, false, err
	}
	rs, err := pq.Eval(ctx, rego.EvalParsedInput(input), rego.EvalTime(now))
	if err != nil {
		return nil, false, evalError(err, e.timeout)
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, false, nil
	}
	return rs[0].Expressions[0].Value, true, nil
}

// dataRef parses ref, which must be a reference into data.
func dataRef(ref string) (ast.Ref, error) {
	r, err := ast.ParseRef(ref)
	if err != nil || !r.HasPrefix(ast.DefaultRootRef) {
		return nil, fmt.Errorf("policy query %q: want a reference into data", ref)
	}
	return r, nil
}

// valueKey is the collector's name of Options.Values[i].
func valueKey(i int) string { return fmt.Sprintf("v%d", i) }

// exceptionNames reads each namespace's exception rule from the
// collector's results: the names of the rules it sets aside, by
// namespace. As in conftest, an exception rule holds lists of names (a
// set of arrays, from `exception contains rules if { rules := [...] }`);
// anything else in it is an error, as a mistyped exception would
// otherwise set nothing aside without a word.
func exceptionNames(all ast.Object, excepts map[string]string) (map[string]map[string]bool, error) {
	out := map[string]map[string]bool{}
	for key, ns := range excepts {
		t := all.Get(ast.StringTerm(key))
		if t == nil {
			continue
		}
		names := out[ns]
		if names == nil {
			names = map[string]bool{}
			out[ns] = names
		}
		bad := func(v ast.Value) error {
			return fmt.Errorf("policy %s: %s holds %s; want lists of rule names (exception contains rules if { rules := [\"name\"] })", ns, exceptionRule, typeName(v))
		}
		var outer []*ast.Term
		switch v := t.Value.(type) {
		case ast.Set:
			outer = v.Slice()
		case *ast.Array:
			outer = elems(v)
		default:
			return nil, bad(v)
		}
		for _, list := range outer {
			var inner []*ast.Term
			switch v := list.Value.(type) {
			case ast.Set:
				inner = v.Slice()
			case *ast.Array:
				inner = elems(v)
			default:
				return nil, bad(v)
			}
			for _, n := range inner {
				s, ok := n.Value.(ast.String)
				if !ok {
					return nil, bad(n.Value)
				}
				names[string(s)] = true
			}
		}
	}
	return out, nil
}

// addCollected adds to res what the collector gathered: the messages of
// each deciding rule (collected names them), set aside when their
// package's exception rule (excepts names them) says so, and the
// approvals applied. Local evaluation and an OPA server's answer
// (Remote) are read by it.
func addCollected(res *Result, all ast.Object, collected map[string]ruleRef, excepts map[string]string) error {
	excepted, err := exceptionNames(all, excepts)
	if err != nil {
		return err
	}
	for _, key := range all.Keys() {
		name, _ := key.Value.(ast.String)
		if name == approvalsKey {
			if res.Approvals, err = parseApprovals(all.Get(key).Value); err != nil {
				return err
			}
			continue
		}
		ref, ok := collected[string(name)]
		if !ok {
			continue
		}
		values, err := ruleValues(ref, all.Get(key).Value)
		if err != nil {
			return err
		}
		for _, v := range values {
			m, err := parseMessage(ref, v.Value)
			if err != nil {
				return err
			}
			switch {
			case excepted[ref.Namespace][exceptionName(m.Rule)]:
				res.Excepted = append(res.Excepted, Excepted{Message: m, Exception: exceptionName(m.Rule)})
			case ruleKind(m.Rule) == "deny":
				res.Denies = append(res.Denies, m)
			default:
				res.Warnings = append(res.Warnings, m)
			}
		}
	}
	sort.SliceStable(res.Excepted, func(i, j int) bool {
		a, b := res.Excepted[i], res.Excepted[j]
		if a.Policy != b.Policy {
			return a.Policy < b.Policy
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Msg < b.Msg
	})
	return nil
}

func evalError(err error, timeout time.Duration) error {
	if errors.Is(err, context.DeadlineExceeded) || topdown.IsCancel(err) {
		return fmt.Errorf("policy evaluation timed out after %s (raise it with --timeout)", timeout)
	}
	var te *topdown.Error
	if errors.As(err, &te) {
		loc := ""
		if te.Location != nil {
			loc = fmt.Sprintf("%s:%d: ", cleanFile(te.Location.File), te.Location.Row)
		}
		return fmt.Errorf("policy evaluation: %s%s: %s", loc, te.Code, te.Message)
	}
	return fmt.Errorf("policy evaluation: %w", err)
}

// ruleValues are the messages of a deny, violation or warn rule: the
// members of a set (in sorted order) or array, or a single string or object.
func ruleValues(ref ruleRef, v ast.Value) ([]*ast.Term, error) {
	switch x := v.(type) {
	case ast.Set:
		return elems(x.Sorted()), nil
	case *ast.Array:
		return elems(x), nil
	case ast.String, ast.Object:
		return []*ast.Term{ast.NewTerm(x)}, nil
	case ast.Boolean:
		if !x {
			return nil, nil
		}
	}
	return nil, fmt.Errorf("policy %s: %s is %s; want a set of strings or of objects with msg", ref.Namespace, ref.Rule, typeName(v))
}

func parseMessage(ref ruleRef, it ast.Value) (Message, error) {
	m := Message{Policy: ref.Namespace, Rule: ref.Rule, FindingIDs: []string{}, Components: []string{}}
	switch v := it.(type) {
	case ast.String:
		m.Msg = string(v)
	case ast.Object:
		msg, ok := stringAt(v, "msg")
		if !ok {
			return Message{}, fmt.Errorf("policy %s: a %s result is an object without a string msg", m.Policy, m.Rule)
		}
		m.Msg = msg
		m.Severity, _ = stringAt(v, "severity")
		m.Remediation, _ = stringAt(v, "remediation")
		m.FindingIDs = stringList(v.Get(ast.InternedTerm("finding_ids")))
		m.Components = stringList(v.Get(ast.InternedTerm("components")))
		var err error
		v.Foreach(func(k, x *ast.Term) {
			key, ok := k.Value.(ast.String)
			if !ok {
				key = ast.String(k.Value.String())
			}
			switch key {
			case "msg", "severity", "remediation", "finding_ids", "components":
				return
			}
			j, jerr := ast.JSON(x.Value)
			if jerr != nil {
				err = jerr
				return
			}
			if m.Extra == nil {
				m.Extra = map[string]any{}
			}
			m.Extra[string(key)] = j
		})
		if err != nil {
			return Message{}, fmt.Errorf("policy %s: a %s result: %w", m.Policy, m.Rule, err)
		}
	default:
		return Message{}, fmt.Errorf("policy %s: a %s result is %s; want a string or an object with msg", m.Policy, m.Rule, typeName(it))
	}
	return m, nil
}

func elems(a *ast.Array) []*ast.Term {
	out := make([]*ast.Term, 0, a.Len())
	a.Foreach(func(t *ast.Term) { out = append(out, t) })
	return out
}

// stringAt is the string under key k of o.
func stringAt(o ast.Object, k string) (string, bool) {
	t := o.Get(ast.InternedTerm(k))
	if t == nil {
		return "", false
	}
	s, ok := t.Value.(ast.String)
	return string(s), ok
}

// stringList is the strings of a list, a set or a single string, sorted.
func stringList(t *ast.Term) []string {
	if t == nil {
		return []string{}
	}
	var out []string
	add := func(e *ast.Term) {
		if s, ok := e.Value.(ast.String); ok {
			out = append(out, string(s))
		}
	}
	switch x := t.Value.(type) {
	case *ast.Array:
		out = make([]string, 0, x.Len())
		x.Foreach(add)
	case ast.Set:
		out = make([]string, 0, x.Len())
		x.Foreach(add)
	case ast.String:
		out = []string{string(x)}
	default:
		out = []string{}
	}
	sort.Strings(out)
	return out
}

// typeName names a value's type for a message.
func typeName(v ast.Value) string {
	switch v.(type) {
	case ast.Null:
		return "null"
	case ast.Boolean:
		return "a boolean"
	case ast.Number:
		return "a number"
	case ast.String:
		return "a string"
	case *ast.Array:
		return "an array"
	case ast.Set:
		return "a set"
	}
	return "an object"
}

// sortMessages orders messages worst first, then by policy and text.
func sortMessages(ms []Message) {
	sort.SliceStable(ms, func(i, j int) bool {
		ri, rj := document.Severity(ms[i].Severity).Rank(), document.Severity(ms[j].Severity).Rank()
		if ri != rj {
			return ri > rj
		}
		if ms[i].Policy != ms[j].Policy {
			return ms[i].Policy < ms[j].Policy
		}
		return ms[i].Msg < ms[j].Msg
	})
}

func parseWaivers(rs rego.ResultSet) ([]Waiver, error) {
	out := []Waiver{}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return out, nil
	}
	return waiversOf(rs[0].Expressions[0].Value)
}

// waiversOf reads the exceptions policy's applied rule, as JSON values:
// each an object with the finding_id it waives and the exception.
func waiversOf(v any) ([]Waiver, error) {
	out := []Waiver{}
	items, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("policy %s: applied must be a set of objects", ExceptionsPackage)
	}
	for _, it := range items {
		obj, ok := it.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("policy %s: applied holds %T, want objects", ExceptionsPackage, it)
		}
		id, _ := obj["finding_id"].(string)
		exc, _ := obj["exception"].(map[string]any)
		if id == "" {
			return nil, fmt.Errorf("policy %s: applied entry without finding_id", ExceptionsPackage)
		}
		out = append(out, Waiver{FindingID: id, Exception: exc})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FindingID < out[j].FindingID })
	return out, nil
}

// parseApprovals reads ApprovalsPackage's applied rule: a set of
// objects, each an approval (match, approved_by, expires, reason, owner,
// ticket) and the
// components it approved. Sorted by match, then by who approved.
func parseApprovals(v ast.Value) ([]Approval, error) {
	out := []Approval{}
	set, ok := v.(ast.Set)
	if !ok {
		return nil, fmt.Errorf("policy %s: applied is %s; want a set of objects", ApprovalsPackage, typeName(v))
	}
	var err error
	set.Foreach(func(t *ast.Term) {
		o, ok := t.Value.(ast.Object)
		if !ok {
			err = fmt.Errorf("policy %s: applied holds %s; want objects", ApprovalsPackage, typeName(t.Value))
			return
		}
		a := Approval{Components: stringList(o.Get(ast.InternedTerm("components")))}
		a.Match, ok = stringAt(o, "match")
		if !ok || a.Match == "" {
			err = fmt.Errorf("policy %s: applied entry without match", ApprovalsPackage)
			return
		}
		a.ApprovedBy, _ = stringAt(o, "approved_by")
		a.Expires, _ = stringAt(o, "expires")
		a.Reason, _ = stringAt(o, "reason")
		a.Owner, _ = stringAt(o, "owner")
		a.Ticket, _ = stringAt(o, "ticket")
		out = append(out, a)
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Match != out[j].Match {
			return out[i].Match < out[j].Match
		}
		return out[i].ApprovedBy < out[j].ApprovedBy
	})
	return out, nil
}

// applyWaivers marks the waived open findings accepted, recounts, and
// returns the indexes of the findings it changed.
func applyWaivers(doc *document.Document, waivers []Waiver) []int {
	byID := make(map[string]Waiver, len(waivers))
	for _, w := range waivers {
		byID[w.FindingID] = w
	}
	var changed []int
	for i := range doc.Findings {
		f := &doc.Findings[i]
		w, ok := byID[f.ID]
		if !ok || f.Status != document.StatusOpen {
			continue
		}
		reason, _ := w.Exception["reason"].(string)
		f.Status = document.StatusAccepted
		f.StatusReason = &document.StatusNote{By: "exception", Justification: reason, Statement: describeException(w.Exception)}
		changed = append(changed, i)
	}
	doc.Summary = document.Summarize(doc)
	return changed
}

func describeException(e map[string]any) string {
	what := ""
	for _, k := range []string{"id", "rule", "purl"} {
		if v, ok := e[k].(string); ok && v != "" {
			what = k + " " + v
			break
		}
	}
	if exp, ok := e["expires"].(string); ok && exp != "" {
		what += " (expires " + exp + ")"
	}
	return strings.TrimSpace(what)
}

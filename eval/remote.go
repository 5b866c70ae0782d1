package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/secgate/secgate/document"
)

// Query sends an input to an OPA server's decision entry point and
// returns the result of its answer (the value under "result"), as JSON.
type Query func(ctx context.Context, input []byte) ([]byte, error)

// Remote evaluates on an OPA server that runs a bundle with the decision
// entry point (DecisionModule), instead of compiling policies here: it
// sends the document, the configuration and the time, and reads back the
// same Result that Evaluate gives for the same policies. Exceptions are
// applied as Evaluate applies them: when the server's first answer waives
// findings, they are marked accepted here and the document is sent again,
// so the deciding rules see the statuses Evaluate gives them.
type Remote struct {
	query  Query
	config any
	origin string
	ids    func() []string
}

// NewRemote returns the evaluator that asks query. config is what the
// policies see as data.secgate.config (config.Config.Sections); origin
// names the server in Origins and in errors about its answers.
func NewRemote(query Query, config any, origin string) *Remote {
	if config == nil {
		config = map[string]any{}
	}
	return &Remote{query: query, config: config, origin: origin}
}

// WithDecisionIDs has Origins name the decision ids ids returns (the
// server's, with decision logging on), so that a decision points at the
// server's log entries. It returns r.
func (r *Remote) WithDecisionIDs(ids func() []string) *Remote {
	r.ids = ids
	return r
}

// Origins names the server the policies run on, and the ids of its
// decisions when it gave them.
func (r *Remote) Origins() []string {
	if r.ids != nil {
		if ids := r.ids(); len(ids) > 0 {
			return []string{r.origin + " decision_id " + strings.Join(ids, " ")}
		}
	}
	return []string{r.origin}
}

// ErrAnswer is wrapped by the refusal of an answer that is not the
// decision entry point's.
var ErrAnswer = errors.New("not a secgate decision")

// Evaluate asks the server for the decision on doc at now (the clock when
// zero). Waived findings of doc are marked accepted, as Evaluate does.
func (r *Remote) Evaluate(ctx context.Context, doc *document.Document, now time.Time) (*Result, error) {
	if now.IsZero() {
		now = time.Now()
	}
	ans, err := r.ask(ctx, doc, now)
	if err != nil {
		return nil, err
	}
	waivers, err := waiversOf(ans.exceptions)
	if err != nil {
		return nil, err
	}
	if len(waivers) > 0 {
		applyWaivers(doc, waivers)
		if ans, err = r.ask(ctx, doc, now); err != nil {
			return nil, err
		}
	}
	res := &Result{Denies: []Message{}, Warnings: []Message{}, Waivers: waivers, Excepted: []Excepted{}, Approvals: []Approval{}, Namespaces: ans.namespaces}
	if err := addCollected(res, ans.collect, ans.rules, ans.excepts); err != nil {
		return nil, err
	}
	sortMessages(res.Denies)
	sortMessages(res.Warnings)
	return res, nil
}

// answer is the decision entry point's answer, checked.
type answer struct {
	namespaces []string
	rules      map[string]ruleRef
	excepts    map[string]string
	exceptions any
	collect    ast.Object
}

func (r *Remote) ask(ctx context.Context, doc *document.Document, now time.Time) (*answer, error) {
	input, err := json.Marshal(map[string]any{inputDocument: doc, inputConfig: r.config, inputNow: now.UnixNano()})
	if err != nil {
		return nil, fmt.Errorf("encode the document: %w", err)
	}
	raw, err := r.query(ctx, input)
	if err != nil {
		return nil, err
	}
	ans, err := parseAnswer(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.origin, err)
	}
	return ans, nil
}

// parseAnswer reads and checks an answer: every key present, each of
// the type the entry point gives it.
func parseAnswer(raw []byte) (*answer, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: the result is not JSON: %v", ErrAnswer, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the result", ErrAnswer)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: the result is not an object", ErrAnswer)
	}
	for _, k := range []string{answerNamespaces, answerRules, answerExceptions, answerCollect} {
		if _, ok := obj[k]; !ok {
			return nil, fmt.Errorf("%w: the result has no %q", ErrAnswer, k)
		}
	}
	ans := &answer{exceptions: obj[answerExceptions]}
	nss, ok := obj[answerNamespaces].([]any)
	if !ok || len(nss) == 0 {
		return nil, fmt.Errorf("%w: %q is not a list of packages", ErrAnswer, answerNamespaces)
	}
	for _, ns := range nss {
		s, ok := ns.(string)
		if !ok || s == "" {
			return nil, fmt.Errorf("%w: %q is not a list of packages", ErrAnswer, answerNamespaces)
		}
		ans.namespaces = append(ans.namespaces, s)
	}
	sort.Strings(ans.namespaces)
	rules, ok := obj[answerRules].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: %q is not an object", ErrAnswer, answerRules)
	}
	ans.rules = make(map[string]ruleRef, len(rules))
	ans.excepts = map[string]string{}
	for name, v := range rules {
		pair, ok := v.([]any)
		var ns, rule string
		if ok && len(pair) == 2 {
			ns, _ = pair[0].(string)
			rule, _ = pair[1].(string)
		}
		if ns != "" && rule == exceptionRule && name != approvalsKey {
			ans.excepts[name] = ns
			continue
		}
		if ns == "" || ruleKind(rule) == "" || name == approvalsKey {
			return nil, fmt.Errorf("%w: %q holds %s: want [package, deny|violation|warn…|exception]", ErrAnswer, answerRules, name)
		}
		ans.rules[name] = ruleRef{Namespace: ns, Rule: rule}
	}
	collect, ok := obj[answerCollect].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: %q is not an object", ErrAnswer, answerCollect)
	}
	if done, _ := collect[answerDone].(bool); !done {
		return nil, fmt.Errorf("%w: %q is incomplete", ErrAnswer, answerCollect)
	}
	cv, err := ast.InterfaceToValue(collect)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrAnswer, err)
	}
	ans.collect, ok = cv.(ast.Object)
	if !ok {
		return nil, fmt.Errorf("%w: %q is not an object", ErrAnswer, answerCollect)
	}
	// JSON has no sets: the approvals policy's set is an array in the
	// answer, in the set's order.
	key := ast.StringTerm(approvalsKey)
	if t := ans.collect.Get(key); t != nil {
		if a, ok := t.Value.(*ast.Array); ok {
			ans.collect.Insert(key, ast.SetTerm(elems(a)...))
		}
	}
	return ans, nil
}

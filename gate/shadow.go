package gate

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
)

// Shadow is what candidate policies, evaluated beside the policies in
// force on the same document, would have decided (`check
// --shadow-policy`): reported, never enforced. Decision.Decision and the
// exit code stay those of the policies in force.
type Shadow struct {
	// Decision is the candidate's verdict: pass, warn or fail.
	Decision string `json:"decision"`
	// Changed says whether it differs from the verdict in force.
	Changed bool `json:"changed"`
	// Policies and PolicySources are the candidate's packages and where
	// they came from, as Decision's fields of the same names.
	Policies      []string `json:"policies"`
	PolicySources []string `json:"policy_sources"`
	// Violations and Warnings are the candidate's messages that the
	// policies in force did not say (appeared) and those in force that
	// the candidate does not say (vanished).
	Violations ShadowChanges `json:"violations"`
	Warnings   ShadowChanges `json:"warnings"`
}

// ShadowChanges compare the candidate's violations (or warnings) with
// those in force. Two messages are the same when they come from the same
// package and rule and are about the same findings and components; a
// message about none of either is the same by its text (SameMessage).
type ShadowChanges struct {
	// Total is how many the candidate says.
	Total    int            `json:"total"`
	Appeared []eval.Message `json:"appeared"`
	Vanished []eval.Message `json:"vanished"`
}

// Verdict is the decision on violations and warnings: fail on any
// violation, else warn on any warning, else pass.
func Verdict(violations, warnings []eval.Message) string {
	switch {
	case len(violations) > 0:
		return Fail
	case len(warnings) > 0:
		return Warn
	}
	return Pass
}

// messageKey is a message's identity for SameMessage.
func messageKey(m *eval.Message) string {
	var b strings.Builder
	b.WriteString(m.Policy + "\x00" + m.Rule + "\x00")
	if len(m.FindingIDs) == 0 && len(m.Components) == 0 {
		b.WriteString("msg\x00" + m.Msg)
		return b.String()
	}
	ids := slices.Clone(m.FindingIDs)
	slices.Sort(ids)
	comps := slices.Clone(m.Components)
	slices.Sort(comps)
	b.WriteString(strings.Join(ids, "\x01") + "\x00" + strings.Join(comps, "\x01"))
	return b.String()
}

// SameMessage says whether two messages are the same violation or
// warning: of the same package and rule, about the same findings and
// components, whatever their text; or, about neither, of the same text.
func SameMessage(a, b *eval.Message) bool { return messageKey(a) == messageKey(b) }

// CompareMessages returns the candidate's messages that current does not
// have, and current's that the candidate does not, each in its list's
// order. A message said twice counts twice.
func CompareMessages(current, candidate []eval.Message) ShadowChanges {
	count := make(map[string]int, len(current))
	for i := range current {
		count[messageKey(&current[i])]++
	}
	ch := ShadowChanges{Total: len(candidate), Appeared: []eval.Message{}, Vanished: []eval.Message{}}
	for i := range candidate {
		k := messageKey(&candidate[i])
		if count[k] > 0 {
			count[k]--
			continue
		}
		ch.Appeared = append(ch.Appeared, candidate[i])
	}
	// What is left in count is what the candidate did not say.
	for i := range current {
		k := messageKey(&current[i])
		if count[k] > 0 {
			count[k]--
			ch.Vanished = append(ch.Vanished, current[i])
		}
	}
	return ch
}

// newShadow compares the candidate's result with the decision in force.
func newShadow(d *Decision, res *eval.Result, origins []string) *Shadow {
	s := &Shadow{
		Decision:      Verdict(res.Denies, res.Warnings),
		Policies:      res.Namespaces,
		PolicySources: origins,
		Violations:    CompareMessages(d.Violations, res.Denies),
		Warnings:      CompareMessages(d.Warnings, res.Warnings),
	}
	if s.Policies == nil {
		s.Policies = []string{}
	}
	if s.PolicySources == nil {
		s.PolicySources = []string{}
	}
	s.Changed = s.Decision != d.Decision
	return s
}

// Detached is a copy of doc that evaluating may change without changing
// doc: evaluation sets the status (and its reason) of the findings an
// exception accepts, and recounts the summary. The rest, which no
// evaluation writes, is shared.
func Detached(doc *document.Document) *document.Document {
	c := *doc
	c.Findings = slices.Clone(doc.Findings)
	return &c
}

// shadowRun evaluates candidate policies on a detached copy of a document
// on another goroutine, beside the evaluation in force.
type shadowRun struct {
	done    chan struct{}
	res     *eval.Result
	origins []string
	err     error
}

// startShadow evaluates e over a detached copy of doc, now pinned.
func startShadow(ctx context.Context, e *eval.Engine, doc *document.Document, now time.Time) *shadowRun {
	s := &shadowRun{done: make(chan struct{}), origins: e.Origins()}
	own := Detached(doc)
	go func() {
		defer close(s.done)
		// Nothing recovers a panic on this goroutine but this.
		defer func() {
			if r := recover(); r != nil {
				s.err = fmt.Errorf("internal error: %v", r)
			}
		}()
		s.res, s.err = e.Evaluate(ctx, own, now)
		if s.err == nil {
			worstFirst(own, s.res)
		}
	}()
	return s
}

// wait returns the candidate's result; its error names the shadow.
func (s *shadowRun) wait() (*eval.Result, error) {
	<-s.done
	if s.err != nil {
		return nil, fmt.Errorf("shadow policy: %w", s.err)
	}
	return s.res, nil
}

// shadowEngine builds the candidate policies' engine, its errors naming
// the shadow.
func shadowEngine(ctx context.Context, p Policy) (*eval.Engine, error) {
	e, err := NewEngine(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("shadow policy: %w", err)
	}
	return e, nil
}

// lockedWriter serializes the writes of the policies in force and of the
// shadow, which evaluate at once, to the one log they share.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// sameWriter says whether a and b are the same writer; writers of a type
// that cannot be compared are taken as different.
func sameWriter(a, b io.Writer) bool {
	ta := reflect.TypeOf(a)
	return ta != nil && ta == reflect.TypeOf(b) && ta.Comparable() && a == b
}

package eval

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/topdown/lineage"
	"github.com/open-policy-agent/opa/v1/topdown/print"

	"github.com/secgate/secgate/internal/textsafe"
)

// The modes of Options.Explain, as `opa eval --explain` names them.
const (
	// ExplainFull traces every step of the deny, violation and warn
	// rules (conftest's --trace).
	ExplainFull = "full"
	// ExplainFails traces the expressions that failed, with the steps
	// that led to each.
	ExplainFails = "fails"
	// ExplainNotes traces the policies' trace() calls, with the steps
	// that led to each.
	ExplainNotes = "notes"
)

// ExplainModes are the values Options.Explain takes.
var ExplainModes = []string{ExplainFull, ExplainFails, ExplainNotes}

// MaxTraceEvents bounds the steps an explanation keeps: a trace is for
// small inputs (a policy over 100,000 findings takes millions of steps),
// and beyond it the explanation stops with a line saying how many steps
// it left out.
const MaxTraceEvents = 20000

// MaxPrintLines bounds the print() lines one evaluation shows; beyond it
// one line says how many were left out.
const MaxPrintLines = 1000

// printHook writes the policies' print() output, one line per call,
// prefixed with the file and line of the call as OPA writes locations.
// The text may hold report text (input is hostile), so it is shown with
// control characters escaped and cut at textsafe.MaxMessage.
type printHook struct {
	mu      sync.Mutex
	w       io.Writer
	lines   int
	dropped int
}

// Print implements print.Hook.
func (h *printHook) Print(ctx print.Context, msg string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lines >= MaxPrintLines {
		h.dropped++
		return nil
	}
	h.lines++
	loc := "print"
	if ctx.Location != nil {
		loc = fmt.Sprintf("%s:%d", cleanFile(ctx.Location.File), ctx.Location.Row)
	}
	_, err := fmt.Fprintf(h.w, "%s: %s\n", textsafe.Clean(loc, textsafe.MaxField), textsafe.Clean(msg, textsafe.MaxMessage))
	return err
}

// close says how many lines were left out, if any.
func (h *printHook) close() {
	if h.dropped > 0 {
		fmt.Fprintf(h.w, "secgate: print: %d more line(s) not shown (at most %d)\n", h.dropped, MaxPrintLines)
	}
}

// boundedTracer keeps the events an explanation mode needs, at most
// MaxTraceEvents of them, and counts the rest.
type boundedTracer struct {
	mode    string
	events  []*topdown.Event
	dropped int
}

// Enabled implements topdown.QueryTracer.
func (t *boundedTracer) Enabled() bool { return true }

// Config implements topdown.QueryTracer: local variables are plugged, as
// OPA's buffer tracer does, so that the trace shows values.
func (t *boundedTracer) Config() topdown.TraceConfig {
	return topdown.TraceConfig{PlugLocalVars: true}
}

// TraceEvent implements topdown.QueryTracer. Unification steps never
// show; fails and notes need only the steps that enter or redo a query
// (the lineage of what they show) besides their own events.
func (t *boundedTracer) TraceEvent(e topdown.Event) {
	switch {
	case e.Op == topdown.UnifyOp:
		return
	case t.mode == ExplainFails && e.Op != topdown.FailOp && e.Op != topdown.EnterOp && e.Op != topdown.RedoOp:
		return
	case t.mode == ExplainNotes && e.Op != topdown.NoteOp && e.Op != topdown.EnterOp && e.Op != topdown.RedoOp:
		return
	}
	if len(t.events) >= MaxTraceEvents {
		t.dropped++
		return
	}
	t.events = append(t.events, &e)
}

// write prints the explanation (WriteExplanation), then how many steps
// were left out, if any.
func (t *boundedTracer) write(w io.Writer) error {
	if err := WriteExplanation(w, t.events, t.mode, ""); err != nil {
		return err
	}
	if t.dropped > 0 {
		_, err := fmt.Fprintf(w, "secgate: explain: stopped after %d steps, %d more not shown: explain a smaller report\n", MaxTraceEvents, t.dropped)
		return err
	}
	return nil
}

// WriteExplanation prints the trace events that mode shows (ExplainFull,
// ExplainFails, ExplainNotes) as OPA's pretty trace with locations, each
// line after prefix, at most MaxTraceEvents of them. Values and trace()
// notes in it may come from reports: each line is shown with control
// characters escaped, and a note cannot start a line of its own.
func WriteExplanation(w io.Writer, events []*topdown.Event, mode, prefix string) error {
	switch mode {
	case ExplainFails:
		events = lineage.Fails(events)
	case ExplainNotes:
		events = lineage.Notes(events)
	default:
		events = lineage.Full(events)
	}
	cut := 0
	if len(events) > MaxTraceEvents {
		cut = len(events) - MaxTraceEvents
		events = events[:MaxTraceEvents]
	}
	clean := make([]*topdown.Event, len(events))
	for i, e := range events {
		c := *e
		c.Message = textsafe.Clean(c.Message, textsafe.MaxMessage)
		clean[i] = &c
	}
	var buf bytes.Buffer
	topdown.PrettyTraceWithLocation(&buf, clean)
	bw := bufio.NewWriter(w)
	for line := range strings.SplitSeq(strings.TrimRight(buf.String(), "\n"), "\n") {
		if line != "" {
			fmt.Fprintf(bw, "%s%s\n", prefix, textsafe.Clean(line, textsafe.MaxMessage))
		}
	}
	if cut > 0 {
		fmt.Fprintf(bw, "%ssecgate: explain: %d more steps not shown\n", prefix, cut)
	}
	return bw.Flush()
}

package ticketsync

import (
	"fmt"
	"io"

	"github.com/secgate/secgate/internal/textsafe"
)

// The kinds of Action.
const (
	ActionCreate    = "create"
	ActionUpdate    = "update"
	ActionReopen    = "reopen"
	ActionClose     = "close"
	ActionDuplicate = "duplicate"
)

// Plan is what a sync did, or would do in a dry run.
type Plan struct {
	Created, Updated, Reopened, Closed, Unchanged int
	// Posted is the number of tickets sent whole to Endpoint, by a sink
	// that keeps no state to compare (a webhook).
	Posted int
	// Endpoint names where Posted tickets went, as a phrase ("the
	// webhook"); "" for a sink that matches issues to tickets.
	Endpoint string
	// Actions lists each change (create, update, reopen, close), and each
	// duplicate issue left alone, in order: tickets first, then closes.
	Actions []Action
	DryRun  bool
}

// Action is one change to one issue.
type Action struct {
	// Kind is one of the Action constants.
	Kind        string
	Fingerprint string
	// Number is the number; 0 for an issue a dry run would create.
	Number int
	Title  string
}

// Print writes the plan for a person: "posted 2 tickets to the webhook",
// or "created 2, updated 1, reopened 0, closed 1, unchanged 5" and one
// line per action; a dry run says what it would do. Titles and
// fingerprints may come from the tracker: they are shown cleaned, never
// obeyed (textsafe.Clean).
func (p *Plan) Print(w io.Writer) {
	if p.Endpoint != "" {
		if p.DryRun {
			fmt.Fprintf(w, "dry run: would post %d tickets to %s\n", p.Posted, p.Endpoint)
		} else {
			fmt.Fprintf(w, "posted %d tickets to %s\n", p.Posted, p.Endpoint)
		}
		return
	}
	prefix := ""
	if p.DryRun {
		prefix = "dry run, would have "
	}
	fmt.Fprintf(w, "%screated %d, updated %d, reopened %d, closed %d, unchanged %d\n",
		prefix, p.Created, p.Updated, p.Reopened, p.Closed, p.Unchanged)
	verbs := map[string]string{
		ActionCreate: "created", ActionUpdate: "updated",
		ActionReopen: "reopened", ActionClose: "closed",
	}
	for _, a := range p.Actions {
		num := ""
		if a.Number > 0 {
			num = fmt.Sprintf(" #%d", a.Number)
		}
		if a.Kind == ActionDuplicate {
			fmt.Fprintf(w, "duplicate%s: %s (same fingerprint %.12s as a lower-numbered issue; left alone)\n", num,
				textsafe.Clean(a.Title, textsafe.MaxField), textsafe.Clean(a.Fingerprint, textsafe.MaxField))
			continue
		}
		verb := verbs[a.Kind]
		if p.DryRun {
			verb = "would be " + verb
		}
		fmt.Fprintf(w, "%s%s: %s\n", verb, num, textsafe.Clean(a.Title, textsafe.MaxField))
	}
}

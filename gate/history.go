package gate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/history"
)

// HistoryPrefix starts a baseline taken from the history: "history:" is
// the project's latest run, "history:stage=release" its latest release
// run; ref=, project= and stage= combine, comma-separated.
const HistoryPrefix = "history:"

// HistoryOptions say which history a "history:" baseline is read from.
type HistoryOptions struct {
	// DSN names the history (history.Open).
	DSN string
	// Project is the project whose runs are chosen, unless the baseline
	// names one.
	Project string
}

// IsHistorySide reports whether a side's arguments name a history run.
func IsHistorySide(paths []string) bool {
	return len(paths) == 1 && strings.HasPrefix(paths[0], HistoryPrefix)
}

// LoadHistorySide reads the run spec chooses, as a document: its findings
// (unless retention pruned them) and its SBOM.
func LoadHistorySide(ctx context.Context, spec string, opts HistoryOptions) (*document.Document, error) {
	f := history.Filter{Project: opts.Project}
	if rest := strings.TrimPrefix(spec, HistoryPrefix); rest != "" {
		for _, kv := range strings.Split(rest, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || v == "" {
				return nil, fmt.Errorf("%s: want key=value pairs (stage=release, ref=main, project=shop), got %q", spec, kv)
			}
			switch strings.TrimSpace(k) {
			case "stage":
				f.Stage = v
			case "ref":
				f.Ref = v
			case "project":
				f.Project = v
			default:
				return nil, fmt.Errorf("%s: unknown key %q (stage, ref, project)", spec, k)
			}
		}
	}
	if f.Project == "" {
		return nil, fmt.Errorf("%s: no project to take the run of (--project)", spec)
	}
	if opts.DSN == "" {
		return nil, fmt.Errorf("%s: no history named (--history, SECGATE_HISTORY or history: in secgate.yaml)", spec)
	}
	s, err := history.Open(ctx, opts.DSN)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	run, err := s.Latest(ctx, f)
	if errors.Is(err, history.ErrNoRun) {
		return nil, fmt.Errorf("%s: no run of project %q recorded%s", spec, f.Project, filterText(f))
	}
	if err != nil {
		return nil, err
	}
	doc := run.Document()
	// The history keeps the findings an exception accepted in the run
	// apart from the statuses: say which they were, as a document does.
	waived := make(map[string]bool, len(run.Exceptions))
	for _, x := range run.Exceptions {
		waived[x.FindingID] = true
	}
	for i := range doc.Findings {
		if f := &doc.Findings[i]; f.Status == document.StatusAccepted && waived[f.ID] {
			f.StatusReason = &document.StatusNote{By: "exception"}
		}
	}
	return doc, nil
}

func filterText(f history.Filter) string {
	var parts []string
	if f.Stage != "" {
		parts = append(parts, "stage "+f.Stage)
	}
	if f.Ref != "" {
		parts = append(parts, "ref "+f.Ref)
	}
	if len(parts) == 0 {
		return ""
	}
	return " with " + strings.Join(parts, " and ")
}

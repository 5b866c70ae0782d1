package gate

import (
	"context"
	"fmt"
	"time"

	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/history"
)

// ReplayOptions say which recorded runs to replay, and with which
// policies (`secgate history replay`).
type ReplayOptions struct {
	// Filter chooses the runs.
	Filter history.Filter
	// Candidate are the policies replayed over each run.
	Candidate Policy
	// Current are the policies in force now, replayed beside them: the
	// violations and warnings the candidate's are compared with, and a
	// check of each run's rebuilt document (Reproduced).
	Current Policy
}

// Replay is what candidate policies would have decided on recorded runs.
type Replay struct {
	// Runs is how many runs were replayed, of Projects projects.
	Runs     int `json:"runs"`
	Projects int `json:"projects"`
	// Failed is how many the candidate fails, of FailedProjects projects;
	// RecordedFailed how many failed as recorded.
	Failed         int `json:"failed"`
	FailedProjects int `json:"failed_projects"`
	RecordedFailed int `json:"recorded_failed"`
	// Changed is how many runs the candidate decides otherwise than
	// recorded: the runs of Flips.
	Changed int `json:"changed"`
	// NotReproduced is how many runs the policies in force, replayed on
	// the rebuilt document, decide otherwise than recorded: the history
	// does not keep all that they read, or they (or the configuration)
	// changed since. A flip of such a run is to be read with care.
	NotReproduced int `json:"not_reproduced"`
	// PolicySources are the candidate's, CurrentPolicySources those in
	// force, each with its revision or digest.
	PolicySources        []string `json:"policy_sources"`
	CurrentPolicySources []string `json:"current_policy_sources"`
	// Flips are the runs the candidate decides otherwise than recorded,
	// latest first.
	Flips []ReplayRun `json:"flips"`
	// Skipped are the runs not replayed: retention pruned what their
	// policies read.
	Skipped []ReplaySkipped `json:"skipped"`
}

// ReplayRun is one run replayed.
type ReplayRun struct {
	ID      int64     `json:"id"`
	Project string    `json:"project"`
	Stage   string    `json:"stage"`
	Ref     string    `json:"ref"`
	Time    time.Time `json:"time"`
	// Recorded is the decision the history holds; Current the policies
	// in force replayed; Candidate the candidate's.
	Recorded  string `json:"recorded"`
	Current   string `json:"current"`
	Candidate string `json:"candidate"`
	// Reproduced says whether Current is Recorded.
	Reproduced bool `json:"reproduced"`
	// Violations and Warnings compare the candidate's with those of the
	// policies in force, replayed on the same document.
	Violations ShadowChanges `json:"violations"`
	Warnings   ShadowChanges `json:"warnings"`
}

// ReplaySkipped is a run not replayed, and why.
type ReplaySkipped struct {
	ID      int64     `json:"id"`
	Project string    `json:"project"`
	Time    time.Time `json:"time"`
	Reason  string    `json:"reason"`
}

// RunReplay replays the runs opts.Filter chooses, latest first: each
// run's document, rebuilt from what the history keeps
// (history.Run.ReplayDocument), is evaluated by the candidate and by the
// policies in force, with time pinned to the run's, and the candidate's
// decision is compared with the one recorded. An error loading or
// evaluating either is an error: nothing is reported from part of it.
func RunReplay(ctx context.Context, s *history.Store, opts ReplayOptions) (*Replay, error) {
	// A recorded run keeps no baseline: the ratchet would have nothing to
	// count against, and every run would fail for it.
	if ratchetOn(opts.Current.Config) {
		return nil, fmt.Errorf("%s: thresholds.ratchet: a replayed run has no baseline to hold its counts to; replay with a configuration without the ratchet (-c)", ConfigName(opts.Current.Config))
	}
	candidate := Background(func() (*eval.Engine, error) { return NewEngine(ctx, opts.Candidate) })
	current, err := NewEngine(ctx, opts.Current)
	if err != nil {
		return nil, fmt.Errorf("policies in force: %w", err)
	}
	cand, err := candidate()
	if err != nil {
		return nil, fmt.Errorf("candidate policy: %w", err)
	}
	runs, err := s.Runs(ctx, opts.Filter)
	if err != nil {
		return nil, err
	}
	rp := &Replay{PolicySources: cand.Origins(), CurrentPolicySources: current.Origins(), Flips: []ReplayRun{}, Skipped: []ReplaySkipped{}}
	projects, failedProjects := map[string]bool{}, map[string]bool{}
	for _, listed := range runs {
		r, err := s.Run(ctx, listed.ID)
		if err != nil {
			return nil, err
		}
		if what := r.Pruned(); what != "" {
			rp.Skipped = append(rp.Skipped, ReplaySkipped{ID: r.ID, Project: r.Project, Time: r.Time,
				Reason: "retention pruned its " + what})
			continue
		}
		doc := r.ReplayDocument()
		// The candidate's copy first: evaluating the current policies
		// changes the statuses of the findings exceptions accept.
		own := Detached(doc)
		cres, err := cand.Evaluate(ctx, own, r.Time)
		if err != nil {
			return nil, fmt.Errorf("run %d: candidate policy: %w", r.ID, err)
		}
		worstFirst(own, cres)
		kres, err := current.Evaluate(ctx, doc, r.Time)
		if err != nil {
			return nil, fmt.Errorf("run %d: policies in force: %w", r.ID, err)
		}
		worstFirst(doc, kres)
		rr := ReplayRun{ID: r.ID, Project: r.Project, Stage: r.Stage, Ref: r.Ref, Time: r.Time, Recorded: r.Decision,
			Current: Verdict(kres.Denies, kres.Warnings), Candidate: Verdict(cres.Denies, cres.Warnings),
			Violations: CompareMessages(kres.Denies, cres.Denies), Warnings: CompareMessages(kres.Warnings, cres.Warnings)}
		rr.Reproduced = rr.Current == rr.Recorded
		rp.Runs++
		projects[r.Project] = true
		if rr.Candidate == Fail {
			rp.Failed++
			failedProjects[r.Project] = true
		}
		if rr.Recorded == Fail {
			rp.RecordedFailed++
		}
		if !rr.Reproduced {
			rp.NotReproduced++
		}
		if rr.Candidate != rr.Recorded {
			rp.Changed++
			rp.Flips = append(rp.Flips, rr)
		}
	}
	rp.Projects, rp.FailedProjects = len(projects), len(failedProjects)
	return rp, nil
}

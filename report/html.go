package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/history"
	"github.com/secgate/secgate/internal/textsafe"
)

// HTML is one self-contained page people look at: the verdict, open
// findings by severity, the violations (sortable, filterable), new and
// pre-existing findings, tickets and, when a history is kept, the trend
// charts. Nothing on it loads anything: styles, script and charts (SVG)
// are inline, and its Content-Security-Policy forbids any request.
type HTML struct {
	// Trend, when set, adds the project's charts.
	Trend *history.Trend
}

// Name implements Format.
func (HTML) Name() string { return "html" }

// Write implements Format.
func (h HTML) Write(w io.Writer, r *gate.Result) error {
	return WritePage(w, Page{Title: "secgate: " + r.Decision.Decision, Result: r, Trend: h.Trend})
}

// Page is what an HTML page shows: a check's result, a history's trend,
// or both.
type Page struct {
	Title  string
	Result *gate.Result
	Trend  *history.Trend
}

//go:embed page.html.tmpl
var pageTemplate string

var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"clean": func(s string) string { return textsafe.Clean(s, textsafe.MaxMessage) },
	"sub":   func(a, b int) int { return a - b },
}).Parse(pageTemplate))

// WritePage renders p. Report text goes through html/template, which
// escapes it for where it lands: it cannot add markup, a script or a link.
func WritePage(w io.Writer, p Page) error {
	v := pageView{Title: p.Title, Generated: time.Now().UTC().Format(time.RFC3339)}
	if r := p.Result; r != nil {
		v.fromResult(r)
	}
	if t := p.Trend; t != nil && len(t.Points) > 0 {
		v.fromTrend(t)
	}
	return page.Execute(w, v)
}

type pageView struct {
	Title, Generated string
	HasResult        bool
	Decision         string
	Now              string
	Bars             []bar
	Open, Total      int
	Baseline         bool
	New, Old         int
	Violations       []messageRow
	Warnings         []messageRow
	Exceptions       []exceptionRow
	Ratchet          []ratchetRow
	Shadow           *shadowView
	Tickets          []ticketRow
	Sources          []string
	Charts           []chart
	Fixes            []fixRow
}

type bar struct {
	Severity string
	Count    int
	Percent  float64
}

type messageRow struct {
	Severity, Policy, Message, Remediation string
	Rank                                   int
	Findings                               int
	New                                    string
}

type exceptionRow struct{ Finding, Reason, Expires, Owner string }

// ratchetRow is a severity's counts under thresholds.ratchet.
type ratchetRow struct {
	Severity          string
	Baseline, Current int
	Change            string
	Rose              bool
}

// shadowView is what the candidate policies (check --shadow-policy)
// would decide and change.
type shadowView struct {
	Verdict, Sources string
	Changes          []shadowRow
}

type shadowRow struct {
	Change, Severity, Policy, Message string
	Rank                              int
}

type ticketRow struct{ Priority, Title, Due, Kind string }

type fixRow struct {
	Severity string
	Fixed    int
	Days     string
}

func (v *pageView) fromResult(r *gate.Result) {
	d, doc := r.Decision, r.Document
	v.HasResult = true
	v.Decision = d.Decision
	v.Now = d.Context.Now
	v.Open, v.Total = d.Summary.OpenFindings, d.Summary.Findings
	most := 1
	for _, s := range document.Severities {
		most = max(most, d.Summary.OpenBySeverity[string(s)])
	}
	for _, s := range document.Severities {
		n := d.Summary.OpenBySeverity[string(s)]
		v.Bars = append(v.Bars, bar{Severity: string(s), Count: n, Percent: 100 * float64(n) / float64(most)})
	}
	byID := make(map[string]*document.Finding, len(doc.Findings))
	for i := range doc.Findings {
		byID[doc.Findings[i].ID] = &doc.Findings[i]
	}
	v.Baseline = d.Context.Baseline
	if v.Baseline {
		v.New = d.Summary.NewFindings
		v.Old = d.Summary.Findings - d.Summary.NewFindings
	}
	rows := func(ms []eval.Message) []messageRow {
		out := make([]messageRow, 0, len(ms))
		for _, m := range ms {
			row := messageRow{Severity: m.Severity, Policy: m.Policy, Message: m.Msg, Remediation: m.Remediation,
				Rank: document.Severity(m.Severity).Rank(), Findings: len(m.FindingIDs)}
			if v.Baseline && len(m.FindingIDs) > 0 {
				row.New = "pre-existing"
				for _, id := range m.FindingIDs {
					if f := byID[id]; f != nil && f.New != nil && *f.New {
						row.New = "new"
						break
					}
				}
			}
			out = append(out, row)
		}
		return out
	}
	v.Violations = rows(d.Violations)
	v.Warnings = rows(d.Warnings)
	for _, x := range d.Exceptions {
		reason, _ := x.Exception["reason"].(string)
		expires, _ := x.Exception["expires"].(string)
		label := x.FindingID
		if f := byID[x.FindingID]; f != nil {
			label = evidence(f, x.FindingID)
		}
		owner, _ := x.Exception["owner"].(string)
		ticket, _ := x.Exception["ticket"].(string)
		v.Exceptions = append(v.Exceptions, exceptionRow{Finding: label, Reason: reason, Expires: expires, Owner: ownership(owner, ticket)})
	}
	if rt := d.Ratchet; rt != nil {
		for _, c := range rt.Counts {
			change := strconv.Itoa(c.Delta)
			if c.Delta > 0 {
				change = "+" + change
			}
			v.Ratchet = append(v.Ratchet, ratchetRow{Severity: c.Severity, Baseline: c.Baseline, Current: c.Current, Change: change, Rose: c.Delta > 0})
		}
	}
	if sh := d.Shadow; sh != nil {
		v.Shadow = &shadowView{Verdict: shadowVerdict(d), Sources: strings.Join(sh.PolicySources, ", ")}
		for _, c := range shadowChanges(sh) {
			v.Shadow.Changes = append(v.Shadow.Changes, shadowRow{Change: c.Mark() + " " + c.What + " " + c.Verb(),
				Severity: c.Msg.Severity, Policy: c.Msg.Policy, Message: c.Msg.Msg, Rank: document.Severity(c.Msg.Severity).Rank()})
		}
	}
	for _, t := range d.Tickets {
		v.Tickets = append(v.Tickets, ticketRow{Priority: t.Priority, Title: t.Title, Due: t.Due, Kind: t.Kind})
	}
	for _, s := range d.Sources {
		v.Sources = append(v.Sources, fmt.Sprintf("%s (%s)", s.Path, s.Format))
	}
}

// chart is an inline SVG line or bar chart.
type chart struct {
	Title  string
	Width  int
	Height int
	Lines  []line
	Bars   []chartBar
	Labels []axisLabel
	Max    int
	Legend []legend
}

type line struct {
	Color, Points string
}

type chartBar struct {
	X, Y, W, H float64
	Color      string
	Title      string
}

type axisLabel struct {
	X    float64
	Text string
}

type legend struct{ Color, Text string }

var severityColors = map[string]string{
	"critical": "#8b0000", "high": "#e05d44", "medium": "#dfb317", "low": "#4c8cc4", "info": "#9e9e9e", "unknown": "#6a3d9a",
}

const chartW, chartH, pad = 720, 200, 30

func (v *pageView) fromTrend(t *history.Trend) {
	n := len(t.Points)
	x := func(i int) float64 {
		if n == 1 {
			return pad + (chartW-2*pad)/2
		}
		return pad + float64(i)*(chartW-2*pad)/float64(n-1)
	}
	// Open findings by severity over time.
	most := 1
	for _, p := range t.Points {
		for _, c := range p.Open {
			most = max(most, c)
		}
	}
	y := func(c int) float64 { return chartH - pad - float64(c)*(chartH-2*pad)/float64(most) }
	open := chart{Title: "Open findings by severity", Width: chartW, Height: chartH, Max: most}
	for _, sev := range []string{"critical", "high", "medium", "low"} {
		var pts []string
		for i, p := range t.Points {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(p.Open[sev])))
		}
		open.Lines = append(open.Lines, line{Color: severityColors[sev], Points: strings.Join(pts, " ")})
		open.Legend = append(open.Legend, legend{Color: severityColors[sev], Text: sev})
	}
	open.Labels = timeLabels(t.Points, x)
	// Introduced and fixed per run.
	most = 1
	for _, p := range t.Points {
		most = max(most, p.Introduced, p.Fixed)
	}
	flow := chart{Title: "Introduced and fixed per run", Width: chartW, Height: chartH, Max: most,
		Legend: []legend{{"#e05d44", "introduced"}, {"#4c1", "fixed"}}}
	bw := math.Max(1, math.Min(12, (chartW-2*pad)/float64(2*n+1)))
	mid := float64(chartH) / 2
	scale := (mid - 10) / float64(most)
	for i, p := range t.Points {
		up := float64(p.Introduced) * scale
		down := float64(p.Fixed) * scale
		when := p.Time.Format("2006-01-02")
		flow.Bars = append(flow.Bars,
			chartBar{X: x(i) - bw/2, Y: mid - up, W: bw, H: up, Color: "#e05d44", Title: fmt.Sprintf("%s: %d introduced", when, p.Introduced)},
			chartBar{X: x(i) - bw/2, Y: mid, W: bw, H: down, Color: "#4c1", Title: fmt.Sprintf("%s: %d fixed", when, p.Fixed)})
	}
	flow.Labels = timeLabels(t.Points, x)
	v.Charts = append(v.Charts, open, flow)
	for _, sev := range document.Severities {
		if f, ok := t.MeanTimeToFix[string(sev)]; ok {
			v.Fixes = append(v.Fixes, fixRow{Severity: string(sev), Fixed: f.Fixed, Days: fmt.Sprintf("%.1f", f.Days)})
		}
	}
}

// timeLabels are up to six dates along the x axis.
func timeLabels(points []history.Point, x func(int) float64) []axisLabel {
	n := len(points)
	step := max(1, (n+5)/6)
	var out []axisLabel
	for i := 0; i < n; i += step {
		out = append(out, axisLabel{X: x(i), Text: points[i].Time.Format("2006-01-02")})
	}
	return out
}

package tickets

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/ingest"
	"github.com/secgate/secgate/internal/ecosystem"
	"github.com/secgate/secgate/policies"
)

func corpus(parts ...string) string {
	return filepath.Join(append([]string{"..", "testdata", "corpus"}, parts...)...)
}

// checkReal ingests real reports and evaluates the built-in policies with
// the default configuration over them. It skips while the ingester of
// the first report cannot read it, since the ingesters are written
// alongside this package. failSeverity overrides thresholds.fail_severity
// when not "".
func checkReal(t *testing.T, failSeverity string, reports ...string) *result {
	t.Helper()
	doc, err := ingest.Load(reports[:1], ingest.Options{})
	if err != nil || len(doc.Findings) == 0 {
		n := 0
		if doc != nil {
			n = len(doc.Findings)
		}
		t.Skipf("the ingester of %s is not ready (error: %v; %d findings): this test runs once it is", reports[0], err, n)
	}
	ctx := context.Background()
	pols, err := eval.LoadFS("builtin", policies.FS, eval.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	if failSeverity != "" {
		cfg.Sections["thresholds"].(map[string]any)["fail_severity"] = failSeverity
	}
	engine, err := eval.New(ctx, eval.Options{Policies: pols, Data: cfg.Data()})
	if err != nil {
		t.Fatal(err)
	}
	doc, err = ingest.Load(reports, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	doc.Context = document.Context{Stage: "test", Now: testNow.UTC().Format(time.RFC3339)}
	res, err := engine.Evaluate(ctx, doc, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return &result{Document: doc, Violations: res.Denies}
}

// checkInvariants asserts what must hold of any tickets: one ticket per
// package to upgrade, every violating finding in exactly one ticket,
// unique fingerprints, a target version that fixes every vulnerability,
// and the same tickets whatever the input order.
func checkInvariants(t *testing.T, res *result, ts []Ticket) {
	t.Helper()
	violating := map[string]bool{}
	for _, v := range res.Violations {
		for _, id := range v.FindingIDs {
			violating[id] = true
		}
	}
	inTickets := map[string]int{}
	fps := map[string]bool{}
	upgrades := map[pkgID]int{}
	byID := map[string]*document.Finding{}
	for i := range res.Document.Findings {
		byID[res.Document.Findings[i].ID] = &res.Document.Findings[i]
	}
	for _, tk := range ts {
		if fps[tk.Fingerprint] {
			t.Errorf("fingerprint %s twice", tk.Fingerprint)
		}
		fps[tk.Fingerprint] = true
		for _, id := range tk.FindingIDs {
			inTickets[id]++
		}
		if fp, ok := FingerprintOf(tk.Body); !ok || fp != tk.Fingerprint {
			t.Errorf("%q: body marker %q", tk.Title, fp)
		}
		if tk.Package == nil {
			continue
		}
		id := pkgID{tk.Package.Ecosystem, tk.Package.Name, tk.Package.Version}
		upgrades[id]++
		// The target fixes every vulnerability with a known fix above the
		// installed version.
		eco, target := tk.Package.Ecosystem, tk.Package.FixedVersion
		if _, err := ecosystem.Compare(eco, target, target); err != nil {
			continue
		}
		for _, fid := range tk.FindingIDs {
			f := byID[fid]
			lowest := ""
			for _, fv := range f.FixedVersions {
				v := cleanVersion(fv)
				if _, err := ecosystem.Compare(eco, v, v); err != nil {
					continue
				}
				// Above the installed version, or that does not parse.
				if c, err := ecosystem.Compare(eco, v, f.Package.Version); err == nil && c <= 0 {
					continue
				}
				if c, _ := ecosystem.Compare(eco, v, lowest); lowest == "" || c < 0 {
					lowest = v
				}
			}
			if below, _ := ecosystem.Compare(eco, target, lowest); lowest != "" && below < 0 {
				t.Errorf("%q: target %s is below %s, the lowest fix of %s", tk.Title, target, lowest, f.RuleID)
			}
		}
	}
	for id := range violating {
		if _, known := byID[id]; known && inTickets[id] != 1 {
			t.Errorf("violating finding %s is in %d tickets", id, inTickets[id])
		}
	}
	for id, n := range inTickets {
		if !violating[id] {
			t.Errorf("finding %s is in %d tickets but no violation names it", id, n)
		}
	}
	for id, n := range upgrades {
		if n > 1 {
			t.Errorf("%v has %d upgrade tickets", id, n)
		}
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for range 5 {
		if diff := cmp.Diff(ts, shuffled(t, res, rng).build(Options{Now: testNow})); diff != "" {
			t.Fatalf("shuffled input changed the tickets (-want +got):\n%s", diff)
		}
	}
}

func TestCorpusGrype(t *testing.T) {
	res := checkReal(t, "", corpus("grype-json", "grype-0.64-image-62-matches.json"))
	ts := res.build(Options{Now: testNow})
	if len(res.Violations) == 0 || len(ts) == 0 {
		t.Fatalf("%d violations, %d tickets from 62 matches", len(res.Violations), len(ts))
	}
	checkInvariants(t, res, ts)
	vulns := 0
	for _, f := range res.Document.Findings {
		if f.Kind == document.KindVulnerability {
			vulns++
		}
	}
	upgrades := 0
	for _, tk := range ts {
		if tk.Package != nil {
			upgrades++
		}
	}
	if upgrades == 0 || upgrades >= vulns {
		t.Errorf("%d upgrade tickets for %d vulnerabilities: several vulnerabilities of one package should share a ticket", upgrades, vulns)
	}
	dir := t.TempDir()
	if err := WriteDir(dir, ts); err != nil {
		t.Fatal(err)
	}
	back, err := Load(filepath.Join(dir, JSONFile))
	if err != nil || !cmp.Equal(ts, back) {
		t.Errorf("Load(WriteDir) differs: %v", err)
	}
}

func TestCorpusCycloneDXGraph(t *testing.T) {
	// Its 14 vulnerabilities are below the default threshold: fail on low.
	res := checkReal(t, "low", corpus("cyclonedx-json", "trivy-1.5-with-vulns-and-deps.cdx.json"))
	ts := res.build(Options{Now: testNow})
	checkInvariants(t, res, ts)
	direct := map[string]bool{}
	for _, c := range res.Document.Components {
		if c.Direct {
			direct[componentLabel(&c)] = true
		}
	}
	placed := 0
	for _, tk := range ts {
		if tk.Package == nil || tk.Package.Direct == nil {
			continue
		}
		placed++
		for _, v := range tk.Package.Via {
			if !direct[v] {
				t.Errorf("%q: via %s, which is not a direct component", tk.Title, v)
			}
		}
		// The SBOM's one direct component is the operating system, which
		// depends on every package: each is transitive, through it.
		if *tk.Package.Direct || len(tk.Package.Via) != 1 {
			t.Errorf("%q: direct %v via %v; want transitive via the operating system", tk.Title, *tk.Package.Direct, tk.Package.Via)
		}
	}
	if placed == 0 {
		t.Errorf("no upgrade ticket found its package among the %d SBOM components", len(res.Document.Components))
	}
}

// TestVendoredTwiceTicketListsBothPaths: lodash vendored at two paths is
// one finding, and its upgrade ticket says where both copies are.
func TestVendoredTwiceTicketListsBothPaths(t *testing.T) {
	res := checkReal(t, "", filepath.Join("..", "testdata", "failclosed", "id-vendored-twice-both-paths", "trivy.json"))
	ts := res.build(Options{Now: testNow})
	if len(ts) != 1 {
		t.Fatalf("%d tickets, want 1", len(ts))
	}
	for _, p := range []string{"api/node_modules/lodash/package-lock.json", "web/vendor/lodash/package-lock.json"} {
		if !strings.Contains(ts[0].Body, "- `"+p+"`") {
			t.Errorf("the ticket does not list %s:\n%s", p, ts[0].Body)
		}
	}
}

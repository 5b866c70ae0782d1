package openvex

import (
	"errors"
	"strings"
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/ingesttest"
	"github.com/secgate/secgate/ingest/sniff"
)

var h = ingesttest.Harness{In: New(), Dir: "openvex", Raw: true}

// ingestBytes ingests data with h, as ingest.Bytes does, and checks that
// the VEX document made no findings.
func ingestBytes(t testing.TB, data []byte) (*document.Report, error) {
	t.Helper()
	rep, doc, err := h.Bytes(t, data)
	if err != nil {
		return nil, err
	}
	if len(doc.Findings) != 0 {
		t.Fatalf("a VEX document made %d findings", len(doc.Findings))
	}
	return rep, nil
}

func ingestFile(t *testing.T, name string) *document.Report {
	t.Helper()
	rep, err := ingestBytes(t, h.Corpus(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rep
}

func TestCorpus(t *testing.T) {
	tests := []struct {
		file     string
		tool     string
		created  string
		source   string
		byStatus map[string]int
	}{
		{"govulncheck-source-call.openvex.json", "https://pkg.go.dev/golang.org/x/vuln/cmd/govulncheck", "2024-01-01T00:00:00",
			"govulncheck/vex:261b597336f7aa5eb53a4a196c354c5afed43fe55658ae3816194192b5268881",
			map[string]int{"affected": 2, "not_affected": 2}},
		{"openvex-unversioned-context.openvex.json", "Wolfi J Inkinson", "2023-01-08T18:02:03.647787998-06:00",
			"https://openvex.dev/docs/example/vex-9fb3463de1b57", map[string]int{"fixed": 1}},
		{"openvex-v0.0.1-legacy-string-vuln.openvex.json", "Wolfi J Inkinson", "2023-01-08T18:02:03.647787998-06:00",
			"https://openvex.dev/docs/example/vex-9fb3463de1b57", map[string]int{"fixed": 1}},
		{"openvex-v0.2.0-all-four-statuses.openvex.json", "Example Org", "2026-07-29T00:00:00Z",
			"https://openvex.dev/docs/public/vex-2222222222222222222222222222222222",
			map[string]int{"not_affected": 3, "affected": 1, "fixed": 1, "under_investigation": 1}},
		{"openvex-v0.2.0-go-vex-testdata.openvex.json", "The OpenVEX Project <openvex@openssf.org>", "2023-07-17T18:28:47.696004345-06:00",
			"https://openvex.dev/docs/public/vex-d4e9020b6d0d26f131d535e055902dd6ccf3e2088bce3079a8cd3588a4b14c78",
			map[string]int{"fixed": 3, "not_affected": 2}},
		{"openvex-v0.2.0-no-statements.openvex.json", "Example Org", "2026-07-29T00:00:00Z", "", map[string]int{}},
		{"trivy-oci-image.openvex.json", "Aqua Security", "2024-07-10T12:17:44.60495+04:00",
			"https://openvex.dev/docs/public/vex-8e30ed756ae8e4196af93bf43edf68360f396a98c0268787453a3443b26e7d6c",
			map[string]int{"not_affected": 7}},
		{"trivy-project-self.openvex.json", "https://github.com/aquasecurity/trivy/tree/main/magefiles/vex.go", "2024-07-09T11:38:00.115697+04:00",
			"aquasecurity/trivy:613fd55abbc2857b5ca28b07a26f3cd4c8b0ddc4c8a97c57497a2d4c4880d7fc",
			map[string]int{"not_affected": 21}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep := ingestFile(t, tt.file)
			if rep.Tool.Name != tt.tool || rep.Created != tt.created {
				t.Errorf("tool %+v, created %q", rep.Tool, rep.Created)
			}
			if rep.Statements == nil {
				t.Error("nil statements")
			}
			byStatus := map[string]int{}
			for _, s := range rep.Statements {
				byStatus[s.Status]++
				if s.Source != tt.source {
					t.Errorf("%s: source %q", s.Vulnerability, s.Source)
				}
				if s.Vulnerability == "" || len(s.Products) == 0 || s.Timestamp == "" {
					t.Errorf("statement %+v", s)
				}
				if !strings.HasSuffix(s.Timestamp, "Z") {
					t.Errorf("%s: timestamp %q not normalised", s.Vulnerability, s.Timestamp)
				}
			}
			n := 0
			for status, want := range tt.byStatus {
				n += want
				if byStatus[status] != want {
					t.Errorf("%s: %d, want %d", status, byStatus[status], want)
				}
			}
			if len(rep.Statements) != n {
				t.Errorf("%d statements, want %d", len(rep.Statements), n)
			}
		})
	}
}

func stmt(t *testing.T, rep *document.Report, vuln string) document.Statement {
	t.Helper()
	for _, s := range rep.Statements {
		if s.Vulnerability == vuln {
			return s
		}
	}
	t.Fatalf("no statement about %s", vuln)
	return document.Statement{}
}

func TestStatements(t *testing.T) {
	rep := ingestFile(t, "govulncheck-source-call.openvex.json")
	s := stmt(t, rep, "GO-2020-0015")
	if s.Status != "not_affected" || s.Justification != "vulnerable_code_not_present" ||
		s.ImpactStatement != "Govulncheck determined that the vulnerable code isn't called" {
		t.Errorf("statement %+v", s)
	}
	if strings.Join(s.Aliases, ",") != "CVE-2020-14040,GHSA-5rcv-m4m3-hfh7" {
		t.Errorf("aliases %v", s.Aliases)
	}
	// The product and its subcomponent. A time without a zone is taken as UTC.
	if got := flat(s.Products); got != "Unknown Product[pkg:golang/golang.org%2Fx%2Ftext@v0.3.0]" {
		t.Errorf("products %q", got)
	}
	if s.Timestamp != "2024-01-01T00:00:00Z" {
		t.Errorf("timestamp %q: the document's", s.Timestamp)
	}

	rep = ingestFile(t, "openvex-v0.2.0-all-four-statuses.openvex.json")
	s = stmt(t, rep, "CVE-2024-10005")
	if strings.Join(s.Aliases, ",") != "GHSA-jfh8-c2jp-5v3q" || s.Justification != "inline_mitigations_already_exist" ||
		s.ImpactStatement != "The affected code path is disabled at build time." {
		t.Errorf("statement %+v", s)
	}
	s = stmt(t, rep, "CVE-2024-10002")
	if s.Status != "affected" || s.ActionStatement != "No action statement provided" {
		t.Errorf("statement %+v", s)
	}
	// The legacy string forms, in a v0.2.0 document.
	s = stmt(t, rep, "CVE-2024-10006")
	if flat(s.Products) != "pkg:apk/alpine/openssl@1.1.1k-r0" || s.Justification != "component_not_present" {
		t.Errorf("statement %+v", s)
	}

	rep = ingestFile(t, "openvex-v0.0.1-legacy-string-vuln.openvex.json")
	s = stmt(t, rep, "CVE-2023-12345")
	if flat(s.Products) != "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7 pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64" {
		t.Errorf("products %v", s.Products)
	}
	if s.Timestamp != "2023-01-09T00:02:03.647787998Z" {
		t.Errorf("timestamp %q", s.Timestamp)
	}

	rep = ingestFile(t, "trivy-oci-image.openvex.json")
	s = stmt(t, rep, "CVE-2023-42363")
	for _, want := range []string{"[pkg:apk/alpine/busybox", "pkg:apk/alpine/ssl_client]", "pkg:oci/trivy?repository_url=ghcr.io/aquasecurity/trivy["} {
		if !strings.Contains(flat(s.Products), want) {
			t.Errorf("products %v lack %s", s.Products, want)
		}
	}

	// identifiers.purl and the vulnerability's @id.
	rep = ingestFile(t, "trivy-project-self.openvex.json")
	s = stmt(t, rep, "GO-2024-2575")
	if flat(s.Products) != "pkg:golang/github.com/aquasecurity/trivy[pkg:golang/helm.sh/helm/v3]" {
		t.Errorf("products %v", s.Products)
	}
	if s.Justification != "vulnerable_code_not_in_execute_path" {
		t.Errorf("justification %q", s.Justification)
	}
}

// TestLenient reads what go-vex's own types refuse or do not have.
func TestLenient(t *testing.T) {
	data := `{"@context": ["https://openvex.dev/ns/v0.2.0"], "@id": "doc", "author": "a", "version": "2",
	  "timestamp": "2024-01-01T00:00:00Z", "last_updated": "2024-03-01",
	  "statements": [
	    {"vulnerability": {"@id": "https://nvd.nist.gov/vuln/detail/CVE-2024-1"}, "products": ["pkg:npm/%40scope%2Fpkg@1.0.0"], "status": "fixed"},
	    {"vulnerability": "CVE-2024-2", "products": [{"identifiers": {"cpe23": "cpe:2.3:a:x:y:1.0:*:*:*:*:*:*:*"}}], "subcomponents": ["pkg:pypi/a"],
	     "status": "not_affected", "justification": "component_not_present", "timestamp": "2024-02-01T10:00:00+02:00"},
	    {"vulnerability": {"name": "CVE-2024-3"}, "status": "under_investigation", "timestamp": "last week"}
	  ]}`
	rep, err := ingestBytes(t, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	s := stmt(t, rep, "CVE-2024-1")
	if flat(s.Products) != "pkg:npm/%40scope%2Fpkg@1.0.0" {
		t.Errorf("products %v", s.Products)
	}
	if s.Timestamp != "2024-03-01T00:00:00Z" {
		t.Errorf("timestamp %q: the document's last_updated", s.Timestamp)
	}
	s = stmt(t, rep, "CVE-2024-2")
	if flat(s.Products) != "cpe:2.3:a:x:y:1.0:*:*:*:*:*:*:*[pkg:pypi/a]" || s.Timestamp != "2024-02-01T08:00:00Z" {
		t.Errorf("products %v, timestamp %q", s.Products, s.Timestamp)
	}
	// No products (the document applies such a statement to nothing). An
	// unreadable time is kept as written.
	s = stmt(t, rep, "CVE-2024-3")
	if len(s.Products) != 0 || s.Timestamp != "last week" {
		t.Errorf("products %v, timestamp %q", s.Products, s.Timestamp)
	}
	if rep.Tool.Name != "a" {
		t.Errorf("tool %+v", rep.Tool)
	}
}

func TestUnsupported(t *testing.T) {
	f, _ := sniff.New("x", []byte(`{"@context": "https://openvex.dev/ns/v0.3.0", "statements": []}`))
	ok, err := New().Detect(f)
	if !ok || !errors.Is(err, sniff.ErrUnsupported) || !strings.Contains(err.Error(), `"v0.3.0"`) {
		t.Errorf("Detect = %v, %v", ok, err)
	}
	if _, err := New().Ingest(f); !errors.Is(err, sniff.ErrUnsupported) {
		t.Errorf("Ingest (forced) = %v", err)
	}
}

func TestErrors(t *testing.T) {
	const head = `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [`
	for _, tt := range []struct{ name, data, want string }{
		{"type", head + "\n{\"vulnerability\": 5, \"status\": \"fixed\"}]}", "line 2, column"},
		{"status", head + `{"vulnerability": {"name": "CVE-1"}, "status": "done"}]}`, `statements[0]: vulnerability CVE-1: status "done" (want one of not_affected, affected, fixed, under_investigation)`},
		{"no vulnerability", head + `{"status": "fixed"}, {"products": []}]}`, "statements[0]: no vulnerability name or @id"},
		{"products without ids", head + `{"vulnerability": "CVE-1", "products": [{}], "status": "fixed"}]}`, "products without an @id"},
		{"timestamp type", head + `{"vulnerability": "CVE-1", "status": "fixed", "timestamp": 5}]}`, "timestamp"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ingestBytes(t, []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestDetect checks that only OpenVEX's corpus files are claimed.
func TestDetect(t *testing.T) {
	in := New()
	ingesttest.AssertClaimsOnly(t, in, "openvex")
	ingesttest.AssertDetect(t, in, []ingesttest.DetectCase{
		{Data: `{"@context": "https://openvex.dev/ns", "statements": []}`, Want: true},
		{Data: `{"@context": "http://openvex.dev/ns/v0.2.0", "statements": []}`, Want: true},
		{Data: `{"@context": "https://openvex.dev/nsx", "statements": []}`, Want: false},
		{Data: `{"@context": "https://example.com/openvex", "statements": []}`, Want: false},
		{Data: `{"@context": "https://openvex.dev/ns/v0.2.0"}`, Want: false},
		{Data: `{"@context": 5, "statements": []}`, Want: false},
	})
}

// flat writes products as "id[sub sub] id".
func flat(products []document.Product) string {
	var out []string
	for _, p := range products {
		s := p.ID
		if len(p.Subcomponents) > 0 {
			s += "[" + strings.Join(p.Subcomponents, " ") + "]"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func FuzzIngest(f *testing.F) {
	ingesttest.Seed(f, 0, "openvex")
	f.Add([]byte(`{"@context": ["https://openvex.dev/ns"], "statements": [null, {"vulnerability": {"@id": "https://x/"}, "products": [null, "", {"subcomponents": [{"@id": "pkg:a/%2F"}]}], "status": "fixed", "timestamp": null}]}`))
	ingesttest.Fuzz(f, New(), ingesttest.FuzzOptions{Check: func(t *testing.T, rep *document.Report) {
		if len(rep.Findings) != 0 {
			t.Fatal("findings from a VEX document")
		}
		for _, s := range rep.Statements {
			if s.Vulnerability == "" || s.Status == "" {
				t.Fatalf("statement %+v", s)
			}
		}
	}})
}

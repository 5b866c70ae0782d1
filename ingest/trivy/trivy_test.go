package trivy

import (
	"encoding/json"
	"errors"
	"flag"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/ingesttest"
	"github.com/secgate/secgate/ingest/sniff"
	"github.com/secgate/secgate/internal/benchgen"
)

var h = ingesttest.Harness{In: New(), Dir: "trivy-json", Raw: true}

func TestCorpus(t *testing.T) {
	tests := []struct {
		file        string
		tool        string
		reported    int // findings in the report, before merging
		findings    int // distinct findings in the document
		bySeverity  map[string]int
		byKind      map[string]int
		withCreated bool
	}{
		{"trivy-config-helm-misconfigs.json", "dev", 18, 18,
			map[string]int{"high": 3, "medium": 4, "low": 11}, map[string]int{"misconfiguration": 18}, true},
		// 4 vulns in 3 go.mod files: the same GMS id in the same module
		// at three paths is one problem.
		{"trivy-fs-gomod-multi-results.json", "dev", 4, 2,
			map[string]int{"unknown": 2}, map[string]int{"vulnerability": 2}, true},
		{"trivy-fs-jar-cvssv4.json", "0.69.1", 3, 3,
			map[string]int{"medium": 1, "low": 2}, map[string]int{"vulnerability": 3}, true},
		{"trivy-fs-vulns-misconfig-secrets.json", "", 5, 5,
			map[string]int{"critical": 2, "high": 2, "medium": 1},
			map[string]int{"vulnerability": 2, "misconfiguration": 1, "secret": 2}, false},
		{"trivy-image-alpine-no-vulns.json", "", 0, 0, map[string]int{}, map[string]int{}, false},
		{"trivy-image-alpine310-os-vulns.json", "dev", 4, 4,
			map[string]int{"medium": 4}, map[string]int{"vulnerability": 4}, true},
		{"trivy-image-license-results.json", "", 19, 19,
			map[string]int{"high": 7, "medium": 1, "low": 11}, map[string]int{"license": 19}, false},
		// Two deployments run the same image: their 5 vulnerabilities
		// each are the same 5 problems; their misconfigurations are not.
		{"trivy-k8s-cluster-legacy.json", "", 20, 15,
			map[string]int{"medium": 5, "low": 10}, map[string]int{"vulnerability": 5, "misconfiguration": 10}, false},
		{"trivy-legacy-array-debian-93-vulns.json", "", 93, 93,
			map[string]int{"high": 18, "medium": 9, "low": 65, "unknown": 1}, map[string]int{"vulnerability": 93}, false},
		{"trivy-repo-secrets.json", "dev", 2, 2,
			map[string]int{"critical": 1, "high": 1}, map[string]int{"secret": 2}, true},
		{"trivy-sbom-target-cyclonedx.json", "", 2, 2,
			map[string]int{"critical": 1, "low": 1}, map[string]int{"vulnerability": 2}, false},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep, doc := h.File(t, tt.file)
			if rep.Tool.Name != "trivy" || rep.Tool.Version != tt.tool {
				t.Errorf("tool = %+v, want trivy %q", rep.Tool, tt.tool)
			}
			if (rep.Created != "") != tt.withCreated {
				t.Errorf("created = %q", rep.Created)
			}
			if len(rep.Findings) != tt.reported {
				t.Errorf("reported %d findings, want %d", len(rep.Findings), tt.reported)
			}
			if len(doc.Findings) != tt.findings {
				t.Errorf("%d findings, want %d", len(doc.Findings), tt.findings)
			}
			for _, s := range document.Severities {
				if got, want := doc.Summary.BySeverity[string(s)], tt.bySeverity[string(s)]; got != want {
					t.Errorf("%s: %d, want %d", s, got, want)
				}
			}
			for _, k := range document.Kinds {
				if got, want := doc.Summary.ByKind[string(k)], tt.byKind[string(k)]; got != want {
					t.Errorf("%s: %d, want %d", k, got, want)
				}
			}
			for _, f := range doc.Findings {
				if len(f.Origins) == 0 || f.Origins[0].Severity == "" {
					t.Errorf("%s: origin without the tool's severity: %+v", f.RuleID, f.Origins)
				}
			}
		})
	}
}

func TestVulnerabilityFields(t *testing.T) {
	_, doc := h.File(t, "trivy-fs-jar-cvssv4.json")
	f := ingesttest.Find(t, doc, "CVE-2025-66614", "")
	if f.Severity != document.SeverityMedium || f.Origins[0].Severity != "MEDIUM" {
		t.Errorf("severity %s, origin %q", f.Severity, f.Origins[0].Severity)
	}
	// SeveritySource ghsa, no nvd score: the ghsa v4 score is preferred.
	if f.CVSS == nil || f.CVSS.Source != "ghsa" || f.CVSS.Version != "4.0" || f.CVSS.Score != 6.3 {
		t.Errorf("cvss = %+v", f.CVSS)
	}
	if len(f.Scores) != 2 {
		t.Errorf("scores = %+v, want ghsa 4.0 and redhat 3.1", f.Scores)
	}
	if got := strings.Join(f.FixedVersions, ","); got != "10.1.49,11.0.14,9.0.112" {
		t.Errorf("fixed versions %q", got)
	}
	if got := strings.Join(f.Aliases, ","); got != "GHSA-fpj8-gq4v-p354" {
		t.Errorf("aliases %q", got)
	}
	p := f.Package
	if p.Name != "org.apache.tomcat:tomcat-catalina" || p.Version != "9.0.109" || p.Ecosystem != "maven" ||
		p.Purl != "pkg:maven/org.apache.tomcat/tomcat-catalina@9.0.109" || p.Path != "catalina.jar" {
		t.Errorf("package = %+v", p)
	}
	if f.FixState != "fixed" || strings.Join(f.CWE, ",") != "CWE-20" {
		t.Errorf("fix state %q, cwe %v", f.FixState, f.CWE)
	}
	if !slices.Contains(f.References, "https://avd.aquasec.com/nvd/cve-2025-66614") {
		t.Errorf("PrimaryURL not in references: %v", f.References)
	}

	// nvd is preferred over the vendor that set the severity.
	_, doc = h.File(t, "trivy-sbom-target-cyclonedx.json")
	f = ingesttest.Find(t, doc, "CVE-2023-46218", "curl")
	if f.Severity != document.SeverityLow || f.CVSS == nil || f.CVSS.Source != "nvd" || f.CVSS.Score != 6.5 {
		t.Errorf("severity %s, cvss %+v: want the stated LOW and the nvd score", f.Severity, f.CVSS)
	}
	if f.Package.Ecosystem != "deb" {
		t.Errorf("ecosystem %q, want the purl's deb", f.Package.Ecosystem)
	}

	// No purl: the ecosystem comes from the result type, the path from the target.
	_, doc = h.File(t, "trivy-fs-vulns-misconfig-secrets.json")
	f = ingesttest.Find(t, doc, "CVE-2021-33503", "urllib3")
	if f.Package.Ecosystem != "pypi" || f.Package.Path != "requirements.txt" || f.Package.Purl != "" {
		t.Errorf("package = %+v", f.Package)
	}
	if len(f.Scores) != 3 || f.CVSS.Source != "nvd" || f.CVSS.Version != "3.1" {
		t.Errorf("scores %+v, cvss %+v", f.Scores, f.CVSS)
	}

	_, doc = h.File(t, "trivy-legacy-array-debian-93-vulns.json")
	f = ingesttest.Find(t, doc, "TEMP-0981404-911A2F", "libzstd1")
	// Without a purl the result type names the ecosystem, as its purl type.
	if f.Severity != document.SeverityUnknown || f.CVSS != nil || f.Package.Ecosystem != "deb" {
		t.Errorf("severity %s, cvss %+v, package %+v", f.Severity, f.CVSS, f.Package)
	}
}

func TestGomodMissingCVSS(t *testing.T) {
	_, doc := h.File(t, "trivy-fs-gomod-multi-results.json")
	for _, f := range doc.Findings {
		if f.Severity != document.SeverityUnknown || f.CVSS != nil || len(f.Scores) != 0 {
			t.Errorf("%s: severity %s, cvss %+v", f.RuleID, f.Severity, f.CVSS)
		}
		if f.Package.Ecosystem != "golang" {
			t.Errorf("%s: ecosystem %q", f.RuleID, f.Package.Ecosystem)
		}
	}
}

func TestMisconfigurations(t *testing.T) {
	_, doc := h.File(t, "trivy-config-helm-misconfigs.json")
	f := ingesttest.Find(t, doc, "KSV-0001", "")
	if f.Kind != document.KindMisconfiguration || f.Severity != document.SeverityMedium {
		t.Errorf("kind %s severity %s", f.Kind, f.Severity)
	}
	l := f.Location
	if l == nil || l.Path != "testchart.tar.gz:templates/pod.yaml" || l.StartLine == 0 || l.EndLine < l.StartLine {
		t.Errorf("location = %+v", l)
	}
	for _, want := range []string{"should set 'securityContext.allowPrivilegeEscalation' to false", "Resolution: "} {
		if !strings.Contains(f.Description, want) {
			t.Errorf("description lacks %q: %q", want, f.Description)
		}
	}

	// k8s: the resource's namespace is part of the path.
	_, doc = h.File(t, "trivy-k8s-cluster-legacy.json")
	n := 0
	for _, f := range doc.Findings {
		if f.RuleID == "KSV001" {
			n++
			if !strings.HasPrefix(f.Location.Path, "default/Deployment/redis-") {
				t.Errorf("path %q", f.Location.Path)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d KSV001 findings, want one per deployment", n)
	}

	// Only failed checks count.
	data := []byte(`{"SchemaVersion": 2, "ArtifactName": "x", "Results": [{"Target": "main.tf", "Class": "config",
		"Misconfigurations": [{"ID": "AVD-1", "Status": "PASS", "Severity": "HIGH"},
			{"ID": "AVD-2", "AVDID": "AVD-AWS-0002", "Status": "FAIL", "Severity": "LOW", "CauseMetadata": {"StartLine": 3, "EndLine": 4}}]}]}`)
	_, doc, err := h.Bytes(t, data)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) != 1 || doc.Findings[0].RuleID != "AVD-2" || strings.Join(doc.Findings[0].Aliases, "") != "AVD-AWS-0002" {
		t.Fatalf("findings = %+v", doc.Findings)
	}
}

func TestSecretsRedacted(t *testing.T) {
	for _, name := range []string{"trivy-repo-secrets.json", "trivy-fs-vulns-misconfig-secrets.json"} {
		_, doc := h.File(t, name)
		out, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, leak := range []string{"****", "AWS_ACCESS_KEY_ID", "GITHUB_PAT", "export "} {
			if strings.Contains(string(out), leak) {
				t.Errorf("%s: document contains %q", name, leak)
			}
		}
		for _, f := range doc.Findings {
			if f.Kind != document.KindSecret {
				continue
			}
			if f.Location == nil || f.Location.Path == "" || f.Location.StartLine == 0 || f.Location.Snippet != "" {
				t.Errorf("%s: location = %+v", f.RuleID, f.Location)
			}
			if !strings.HasPrefix(strings.Join(f.Tags, ","), "category:") {
				t.Errorf("%s: tags %v", f.RuleID, f.Tags)
			}
		}
	}
}

func TestLicenses(t *testing.T) {
	_, doc := h.File(t, "trivy-image-license-results.json")
	var pkg, file int
	for _, f := range doc.Findings {
		switch {
		case f.Package != nil && f.Package.Name != "":
			pkg++
		case f.Location != nil && strings.HasPrefix(f.Location.Path, "/etc/ssl/misc/"):
			file++
		default:
			t.Errorf("%s: neither package nor file", f.RuleID)
		}
	}
	if pkg != 17 || file != 2 {
		t.Errorf("%d package and %d file licences, want 17 and 2", pkg, file)
	}
	f := ingesttest.Find(t, doc, "GPL-2.0", "busybox")
	if f.Severity != document.SeverityHigh || !slices.Contains(f.Tags, "category:restricted") {
		t.Errorf("severity %s tags %v", f.Severity, f.Tags)
	}
}

func TestEdgeCases(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		findings int
		severity document.Severity
	}{
		{"null fields", `{"SchemaVersion": 2, "ArtifactName": "x", "Results": [null, {"Target": null, "Vulnerabilities": null},
			{"Target": "a", "Type": "npm", "Vulnerabilities": [{"VulnerabilityID": "CVE-2024-1", "PkgName": "a", "Severity": null,
			"CVSS": null, "References": null, "CweIDs": null, "VendorIDs": null, "PkgIdentifier": null}]}]}`, 1, document.SeverityUnknown},
		{"no Results", `{"SchemaVersion": 2, "ArtifactName": "x"}`, 0, ""},
		{"UNKNOWN with a score", `{"SchemaVersion": 2, "Results": [{"Target": "a", "Vulnerabilities": [{"VulnerabilityID": "CVE-2024-2",
			"PkgName": "a", "Severity": "UNKNOWN", "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}}]}]}`, 1, document.SeverityCritical},
		{"not_affected", `{"SchemaVersion": 2, "Results": [{"Target": "a", "Vulnerabilities": [{"VulnerabilityID": "CVE-2024-3",
			"PkgName": "a", "Severity": "HIGH", "Status": "not_affected"}]}]}`, 1, document.SeverityHigh},
		{"k8s resources", `{"ClusterName": "c", "Resources": [{"Namespace": "ns", "Kind": "Pod", "Name": "p", "Results": [
			{"Target": "img", "Type": "alpine", "Vulnerabilities": [{"VulnerabilityID": "CVE-2024-4", "PkgName": "musl", "Severity": "LOW"}]}]}]}`, 1, document.SeverityLow},
		{"legacy array without vulnerabilities", `[{"Target": "debian", "Type": "debian", "Vulnerabilities": null}]`, 0, ""},
		{"byte order mark", "\xef\xbb\xbf" + `{"SchemaVersion": 2, "Results": [{"Target": "a", "Vulnerabilities": [{"VulnerabilityID": "CVE-2024-5", "Severity": "HIGH"}]}]}`, 1, document.SeverityHigh},
		{"unknown keys and values skipped", `{"SchemaVersion": 2, "Metadata": {"a": [1, {"b": null}]}, "X": "y", "Results": [{"Target": "a", "Extra": [[]],
			"Vulnerabilities": [{"VulnerabilityID": "CVE-2024-6", "Severity": "MEDIUM", "Layer": {"Digest": "sha256:0"}, "DataSource": {"ID": "x"}}]}], "Z": 1}`, 1, document.SeverityMedium},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, doc, err := h.Bytes(t, []byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if len(doc.Findings) != tt.findings {
				t.Fatalf("%d findings, want %d", len(doc.Findings), tt.findings)
			}
			if tt.findings > 0 && doc.Findings[0].Severity != tt.severity {
				t.Errorf("severity %s, want %s", doc.Findings[0].Severity, tt.severity)
			}
		})
	}

	_, doc, _ := h.Bytes(t, []byte(tests[3].data))
	if f := doc.Findings[0]; f.Status != document.StatusNotAffected || f.StatusReason == nil || f.StatusReason.By != "report" {
		t.Errorf("status %s %+v", f.Status, f.StatusReason)
	}
}

// TestKeyOrder checks that a result's target and type apply to its
// vulnerabilities wherever they come in the object.
func TestKeyOrder(t *testing.T) {
	data := `{"Results": [{"Vulnerabilities": [{"VulnerabilityID": "CVE-2024-7", "PkgName": "left-pad", "Severity": "LOW"}],
		"Misconfigurations": [{"ID": "DS001", "Status": "FAIL", "Severity": "LOW"}], "Type": "npm", "Target": "package-lock.json"}],
		"SchemaVersion": 2, "CreatedAt": "2024-01-01T00:00:00Z", "Trivy": {"Version": "0.50.0"}}`
	rep, doc, err := h.Bytes(t, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != "2024-01-01T00:00:00Z" || rep.Tool.Version != "0.50.0" {
		t.Errorf("created %q, tool %+v", rep.Created, rep.Tool)
	}
	f := ingesttest.Find(t, doc, "CVE-2024-7", "left-pad")
	if f.Package.Path != "package-lock.json" || f.Package.Ecosystem != "npm" {
		t.Errorf("package = %+v", f.Package)
	}
	if m := ingesttest.Find(t, doc, "DS001", ""); m.Location == nil || m.Location.Path != "package-lock.json" {
		t.Errorf("location = %+v", m.Location)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		wantIs  error
		wantMsg string
	}{
		{"schema 1", `{"SchemaVersion": 1, "Results": []}`, sniff.ErrUnsupported, `SchemaVersion "1" (want 2)`},
		{"schema 3", `{"SchemaVersion": 3, "ArtifactName": "x"}`, sniff.ErrUnsupported, `SchemaVersion "3"`},
		{"schema string", `{"SchemaVersion": "two", "ArtifactName": "x"}`, sniff.ErrUnsupported, `"two"`},
		{"no vulnerability id", `{"SchemaVersion": 2, "Results": [{"Target": "a", "Vulnerabilities": [{"PkgName": "a"}]}]}`, nil, "no VulnerabilityID"},
		{"wrong type", `{"SchemaVersion": 2, "Results": [{"Target": "a", "Vulnerabilities": [{"VulnerabilityID": 7}]}]}`, nil, "line 1, column"},
		{"type error position", "{\"SchemaVersion\": 2, \"Results\": [{\"Target\": \"a\",\n  \"Vulnerabilities\": [\n    {\"VulnerabilityID\": \"CVE-1\", \"References\": \"x\"}]}]}", nil, "line 3, column"},
		{"results not an array", `{"SchemaVersion": 2, "Results": {"Target": "a"}}`, nil, "Results: got an object, want an array"},
		{"bad CVSS", `{"SchemaVersion": 2, "Results": [{"Target": "a", "Vulnerabilities": [{"VulnerabilityID": "CVE-1", "CVSS": {"nvd": 7}}]}]}`, nil, "CVSS"},
		{"bad literal", `{"SchemaVersion": 2, "Results": [{"Target": "a", "Vulnerabilities": [{"VulnerabilityID": nul}]}]}`, nil, "line 1, column"},
		{"misconfiguration without id", `{"SchemaVersion": 2, "Results": [{"Target": "a", "Misconfigurations": [{"Status": "FAIL"}]}]}`, nil, "no ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := h.Bytes(t, []byte(tt.data))
			if err == nil {
				t.Fatal("no error")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("err = %v, want %v", err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %q, want it to contain %q", err, tt.wantMsg)
			}
		})
	}
}

// TestDetect checks that only trivy's corpus files are claimed.
func TestDetect(t *testing.T) {
	in := New()
	ingesttest.AssertClaimsOnly(t, in, "trivy-json")
}

func FuzzIngest(f *testing.F) {
	ingesttest.Seed(f, 64<<10, "trivy-json")
	f.Add([]byte(`{"SchemaVersion": 2, "Results": [{"Target": "a", "Vulnerabilities": [{"VulnerabilityID": "CVE-1", "CVSS": {"x": {"V3Score": 11}}}]}]}`))
	f.Add([]byte(`[{"Target": "a", "Type": "debian", "Vulnerabilities": [{"VulnerabilityID": "X", "FixedVersion": ", ,"}]}]`))
	f.Add([]byte(`{"ClusterName": "c", "Misconfigurations": [{"Results": [{"Target": "t", "Misconfigurations": [{"ID": "K", "Status": "FAIL", "CauseMetadata": {"StartLine": -4}}]}]}]}`))
	ingesttest.Fuzz(f, New(), ingesttest.FuzzOptions{})
}

var benchN = flag.Int("trivy.n", 100000, "vulnerabilities in the benchmark report")

var (
	benchOnce sync.Once
	benchData []byte
)

// benchReport returns a Trivy report of *benchN vulnerabilities, shaped as
// the repository's benchmark generator writes it.
func benchReport(b *testing.B) []byte {
	benchOnce.Do(func() {
		var err error
		benchData, err = benchgen.Bytes("trivy", *benchN)
		if err != nil {
			b.Fatal(err)
		}
	})
	return benchData
}

// BenchmarkIngest measures Ingest of a pre-sniffed report. Compare with
// BenchmarkDecodeBaseline: the cost of a plain typed json.Unmarshal of the
// same bytes.
func BenchmarkIngest(b *testing.B) {
	data := benchReport(b)
	f, err := sniff.New("big.json", data)
	if err != nil {
		b.Fatal(err)
	}
	in := New()
	peak := peakHeap(func() {
		if _, err := in.Ingest(f); err != nil {
			b.Fatal(err)
		}
	})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rep, err := in.Ingest(f)
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Findings) != *benchN {
			b.Fatalf("%d findings", len(rep.Findings))
		}
	}
	// ResetTimer drops reported metrics: report after the loop.
	b.ReportMetric(float64(peak)/float64(len(data)), "peak-heap/filesize")
}

// BenchmarkSniffAndIngest adds what ingest.Bytes does first: sniffing and
// detection.
func BenchmarkSniffAndIngest(b *testing.B) {
	data := benchReport(b)
	in := New()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f, err := sniff.New("big.json", data)
		if err != nil {
			b.Fatal(err)
		}
		if ok, err := in.Detect(f); !ok || err != nil {
			b.Fatal("not detected", err)
		}
		if _, err := in.Ingest(f); err != nil {
			b.Fatal(err)
		}
	}
}

// baselineReport holds every field the benchmark generator writes.
type baselineReport struct {
	SchemaVersion int    `json:"SchemaVersion"`
	ArtifactName  string `json:"ArtifactName"`
	ArtifactType  string `json:"ArtifactType"`
	Results       []struct {
		Target          string `json:"Target"`
		Class           string `json:"Class"`
		Type            string `json:"Type"`
		Vulnerabilities []struct {
			VulnerabilityID  string `json:"VulnerabilityID"`
			PkgName          string `json:"PkgName"`
			PkgID            string `json:"PkgID"`
			InstalledVersion string `json:"InstalledVersion"`
			FixedVersion     string `json:"FixedVersion"`
			PkgIdentifier    struct {
				PURL string `json:"PURL"`
			} `json:"PkgIdentifier"`
			Severity    string `json:"Severity"`
			Title       string `json:"Title"`
			Description string `json:"Description"`
			CVSS        map[string]struct {
				V3Vector string  `json:"V3Vector"`
				V3Score  float64 `json:"V3Score"`
			} `json:"CVSS"`
			References []string `json:"References"`
		} `json:"Vulnerabilities"`
	} `json:"Results"`
}

// BenchmarkDecodeBaseline is a plain json.Unmarshal of the benchmark report
// into typed structs: the floor Ingest is measured against.
func BenchmarkDecodeBaseline(b *testing.B) {
	data := benchReport(b)
	peak := peakHeap(func() {
		var r baselineReport
		if err := json.Unmarshal(data, &r); err != nil {
			b.Fatal(err)
		}
	})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var r baselineReport
		if err := json.Unmarshal(data, &r); err != nil {
			b.Fatal(err)
		}
		if len(r.Results) != 1 || len(r.Results[0].Vulnerabilities) != *benchN {
			b.Fatal("short decode")
		}
	}
	b.ReportMetric(float64(peak)/float64(len(data)), "peak-heap/filesize")
}

// peakHeap runs fn once and returns the largest heap (live and not yet
// collected objects, the input included) seen while it ran, sampled every
// 200µs after a full collection.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	var peak atomic.Uint64
	peak.Store(read())
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if v := read(); v > peak.Load() {
					peak.Store(v)
				}
			}
		}
	}()
	fn()
	close(done)
	wg.Wait()
	if v := read(); v > peak.Load() {
		peak.Store(v)
	}
	return peak.Load()
}

// TestRepeatsShared: the vulnerabilities of one package share its
// Package; what is shared reads as before.
func TestRepeatsShared(t *testing.T) {
	desc := strings.Repeat("An out-of-bounds read in the resolver. ", 3)
	vuln := func(id, pkg string) string {
		return `{"VulnerabilityID": "` + id + `", "PkgName": "` + pkg + `", "InstalledVersion": "2.28-10", "PkgIdentifier": {"PURL": "pkg:deb/debian/` + pkg + `@2.28-10"}, "Severity": "HIGH", "Description": "` + desc + `"}`
	}
	data := []byte(`{"SchemaVersion": 2, "Results": [{"Target": "img (debian 12)", "Class": "os-pkgs", "Type": "debian", "Vulnerabilities": [` +
		vuln("CVE-2024-1", "libc6") + `, ` + vuln("CVE-2024-2", "libc6") + `, ` + vuln("CVE-2024-1", "libc-bin") + `]}]}`)
	c := &converter{}
	rep := &document.Report{}
	if err := c.stream(data, rep); err != nil {
		t.Fatal(err)
	}
	fs := c.findings
	if len(fs) != 3 {
		t.Fatalf("%d findings", len(fs))
	}
	if fs[0].Package != fs[1].Package || fs[1].Package == fs[2].Package {
		t.Errorf("packages shared %v, %v; want libc6's only", fs[0].Package == fs[1].Package, fs[1].Package == fs[2].Package)
	}
	for i, want := range []document.Package{
		{Name: "libc6", Version: "2.28-10", Purl: "pkg:deb/debian/libc6@2.28-10", Ecosystem: "deb", Path: "img (debian 12)"},
		{Name: "libc6", Version: "2.28-10", Purl: "pkg:deb/debian/libc6@2.28-10", Ecosystem: "deb", Path: "img (debian 12)"},
		{Name: "libc-bin", Version: "2.28-10", Purl: "pkg:deb/debian/libc-bin@2.28-10", Ecosystem: "deb", Path: "img (debian 12)"},
	} {
		if !samePackage(fs[i].Package, &want) || fs[i].Package.Paths != nil {
			t.Errorf("finding %d package %+v, want %+v", i, *fs[i].Package, want)
		}
	}
}

// TestPackagesSharedWithinOneResult: two results naming the same package
// keep a Package each, with its own path, also in a k8s
// report whose second resource lists a null entry first.
func TestPackagesSharedWithinOneResult(t *testing.T) {
	vuln := `{"VulnerabilityID": "CVE-2024-1", "PkgName": "openssl", "InstalledVersion": "3.0.2", "Severity": "HIGH"}`
	plain := []byte(`{"SchemaVersion": 2, "Results": [{"Target": "img1", "Type": "debian", "Vulnerabilities": [` + vuln + `]}, {"Target": "img2", "Type": "debian", "Vulnerabilities": [` + vuln + `]}]}`)
	// The first resource names no target: its package's path stays empty.
	k8s := []byte(`{"ClusterName": "c", "Resources": [{"Kind": "Deployment", "Name": "a", "Results": [{"Target": "", "Vulnerabilities": [` + vuln + `]}]}, {"Namespace": "ns", "Kind": "Deployment", "Name": "b", "Results": [{"Target": "img2", "Vulnerabilities": [null, ` + vuln + `]}]}]}`)
	check := func(name string, fs []document.Finding, first string) {
		t.Helper()
		if len(fs) != 2 {
			t.Fatalf("%s: %d findings", name, len(fs))
		}
		if fs[0].Package == fs[1].Package || fs[0].Package.Path != first || !strings.HasSuffix(fs[1].Package.Path, "img2") {
			t.Errorf("%s: paths %q and %q, shared %v", name, fs[0].Package.Path, fs[1].Package.Path, fs[0].Package == fs[1].Package)
		}
	}
	std := &converter{}
	if err := std.stream(plain, &document.Report{}); err != nil {
		t.Fatal(err)
	}
	check("stream", std.findings, "img1")
	kc := &converter{}
	if err := kc.k8s(k8s, &document.Report{}); err != nil {
		t.Fatal(err)
	}
	check("k8s", kc.findings, "")
}

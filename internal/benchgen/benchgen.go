// Package benchgen writes large, realistic reports for benchmarks: a Trivy
// JSON report, a SARIF log and a CycloneDX SBOM of n entries. The output is
// deterministic (the same n gives the same bytes) and shaped like
// SARIF 2.1.0, Trivy SchemaVersion 2 and CycloneDX 1.5 JSON.
package benchgen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// Kinds lists the report kinds Write knows.
var Kinds = []string{"trivy", "sarif", "cyclonedx"}

// Write writes a report of the given kind with n entries to w.
func Write(w io.Writer, kind string, n int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	rnd := rand.New(rand.NewPCG(uint64(n), 0x5ec6a7e))
	switch kind {
	case "trivy":
		trivy(bw, n, rnd)
	case "sarif":
		sarif(bw, n, rnd)
	case "cyclonedx":
		cyclonedx(bw, n, rnd)
	default:
		return fmt.Errorf("unknown kind %q (known: %s)", kind, strings.Join(Kinds, ", "))
	}
	return bw.Flush()
}

// Bytes returns Write's output as bytes.
func Bytes(kind string, n int) ([]byte, error) {
	var sb strings.Builder
	if err := Write(&sb, kind, n); err != nil {
		return nil, err
	}
	return []byte(sb.String()), nil
}

var severities = []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"}

var scores = map[string]string{"CRITICAL": "9.8", "HIGH": "7.5", "MEDIUM": "5.3", "LOW": "2.1", "UNKNOWN": "0"}

func trivy(w *bufio.Writer, n int, rnd *rand.Rand) {
	w.WriteString(`{"SchemaVersion": 2, "ArtifactName": "bench", "ArtifactType": "filesystem", "Results": [{"Target": "package-lock.json", "Class": "lang-pkgs", "Type": "npm", "Vulnerabilities": [`)
	desc := strings.Repeat("A flaw was found. ", 5)
	for i := 0; i < n; i++ {
		if i > 0 {
			w.WriteString(", ")
		}
		s := severities[rnd.IntN(len(severities))]
		p, v := i%2000, i%7
		fmt.Fprintf(w, `{"VulnerabilityID": "CVE-20%d-%d", "PkgName": "pkg-%d", "PkgID": "pkg-%d@1.%d.0", "InstalledVersion": "1.%d.0", "FixedVersion": "1.%d.1", `+
			`"PkgIdentifier": {"PURL": "pkg:npm/pkg-%d@1.%d.0"}, "Severity": "%s", "Title": "Vulnerability %d", "Description": "%s", `+
			`"CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "V3Score": %s}}, "References": ["https://example.org/advisory/%d"]}`,
			10+i%15, 10000+i, p, p, v, v, v, p, v, s, i, desc, scores[s], i)
	}
	w.WriteString("]}]}")
}

func sarif(w *bufio.Writer, n int, rnd *rand.Rand) {
	const nrules = 300
	w.WriteString(`{"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "runs": [{"tool": {"driver": {"name": "BenchScanner", "version": "1.0.0", "rules": [`)
	for i := 0; i < nrules; i++ {
		if i > 0 {
			w.WriteString(", ")
		}
		fmt.Fprintf(w, `{"id": "RULE%04d", "name": "Rule%d", "shortDescription": {"text": "Rule %d"}, "properties": {"security-severity": "%.1f", "tags": ["security", "CWE-%d"]}}`,
			i, i, i, rnd.Float64()*10, 1+rnd.IntN(999))
	}
	w.WriteString(`]}}, "results": [`)
	levels := []string{"error", "warning", "note"}
	for i := 0; i < n; i++ {
		if i > 0 {
			w.WriteString(", ")
		}
		r := rnd.IntN(nrules)
		fmt.Fprintf(w, `{"ruleId": "RULE%04d", "ruleIndex": %d, "level": "%s", "message": {"text": "Potential issue %d found in handler"}, `+
			`"locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/pkg%d/file%d.go"}, "region": {"startLine": %d, "startColumn": %d}}}], `+
			`"partialFingerprints": {"primaryLocationLineHash": "%016x:1"}}`,
			r, r, levels[rnd.IntN(3)], i, i%97, i%1013, 1+i%400, 1+i%60, rnd.Uint64())
	}
	w.WriteString("]}]}")
}

var licenses = []string{"MIT", "Apache-2.0", "BSD-3-Clause", "ISC", "GPL-3.0-only", "LGPL-2.1-or-later", "MPL-2.0", "(MIT OR Apache-2.0)"}

func cyclonedx(w *bufio.Writer, n int, rnd *rand.Rand) {
	ref := func(i int) string { return fmt.Sprintf("pkg:npm/comp-%d@%d.%d.0", i, i%9, i%5) }
	w.WriteString(`{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "metadata": {"component": {"type": "application", "bom-ref": "root", "name": "bench", "version": "1.0.0"}}, "components": [`)
	for i := 0; i < n; i++ {
		if i > 0 {
			w.WriteString(", ")
		}
		lic := fmt.Sprintf(`{"license": {"id": "%s"}}`, licenses[rnd.IntN(7)])
		if i%3 == 0 {
			lic = fmt.Sprintf(`{"expression": "%s"}`, licenses[rnd.IntN(len(licenses))])
		}
		fmt.Fprintf(w, `{"type": "library", "bom-ref": "%s", "name": "comp-%d", "version": "%d.%d.0", "purl": "%s", "licenses": [%s]}`,
			ref(i), i, i%9, i%5, ref(i), lic)
	}
	w.WriteString(`], "dependencies": [{"ref": "root", "dependsOn": ["` + ref(0) + `"]}`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(w, `, {"ref": "%s", "dependsOn": [`, ref(i))
		for j := i + 1; j < n && j < i+3; j++ {
			if j > i+1 {
				w.WriteString(", ")
			}
			fmt.Fprintf(w, `"%s"`, ref(j))
		}
		w.WriteString("]}")
	}
	w.WriteString("]}")
}

package osvscanner

import (
	"testing"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/internal/ingesttest"
)

// TestOSVSeverityWithoutMaxSeverity: an entry states its severity as a
// CVSS vector, or as an Ubuntu word, and a max_severity out of range is
// ignored; an entry that states nothing stays unknown.
func TestOSVSeverityWithoutMaxSeverity(t *testing.T) {
	data := `{"results": [{"source": {"path": "poetry.lock", "type": "lockfile"}, "packages": [
	  {"package": {"name": "a", "version": "1.0", "ecosystem": "PyPI"},
	   "vulnerabilities": [{"id": "PYSEC-1", "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}],
	   "groups": [{"ids": ["PYSEC-1"], "max_severity": "98"}]},
	  {"package": {"name": "b", "version": "1.0", "ecosystem": "Ubuntu:22.04:LTS"},
	   "vulnerabilities": [{"id": "UBUNTU-CVE-2024-1", "severity": [{"type": "Ubuntu", "score": "high"}]}],
	   "groups": [{"ids": ["UBUNTU-CVE-2024-1"], "max_severity": ""}]},
	  {"package": {"name": "c", "version": "1.0", "ecosystem": "PyPI"},
	   "vulnerabilities": [{"id": "PYSEC-3"}],
	   "groups": [{"ids": ["PYSEC-3"]}]}]}]}`
	_, doc, err := h.Bytes(t, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]document.Severity{
		"PYSEC-1":           document.SeverityCritical,
		"UBUNTU-CVE-2024-1": document.SeverityHigh,
		"PYSEC-3":           document.SeverityUnknown,
	} {
		if f := ingesttest.Find(t, doc, id, ""); f.Severity != want {
			t.Errorf("%s: severity %s (origin %+v), want %s", id, f.Severity, f.Origins, want)
		}
	}
}

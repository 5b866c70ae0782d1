package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportLinkedToSecretPrintsNoSecret: a report folder a pull request
// controls may link a "report" to a credentials file (an env file, a
// Docker config). Detected or forced as any format, the gate stops with
// exit 2, and its one error line quotes none of the file's values.
func TestReportLinkedToSecretPrintsNoSecret(t *testing.T) {
	outside := t.TempDir()
	secrets := map[string]string{
		"secret.env":  "GITHUB_TOKEN=ghp_SECRETVALUE1\nAWS_SECRET_ACCESS_KEY=SECRETVALUE2\n",
		"config.json": `{"auths":{"ghcr.io":{"auth":"U0VDUkVUVkFMVUUz"}},"credsStore":"SECRETVALUE4"}`,
		"netrc.xml":   `<machine name="SECRETVALUE5" password="SECRETVALUE6"/>`,
	}
	reports := t.TempDir()
	for name, content := range secrets {
		if err := os.WriteFile(filepath.Join(outside, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for name := range secrets {
		link := filepath.Join(reports, name+".json")
		if err := os.Symlink(filepath.Join(outside, name), link); err != nil {
			t.Fatal(err)
		}
		args := [][]string{{"check", link}}
		for _, format := range []string{"sarif", "trivy", "grype", "cyclonedx", "spdx", "govulncheck", "gitleaks", "snyk", "openvex"} {
			args = append(args, []string{"check", format + ":" + link})
		}
		for _, a := range args {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"secgate"}, a...), strings.NewReader(""), &stdout, &stderr)
			out := stdout.String() + stderr.String()
			if code != exitError {
				t.Errorf("secgate %s: exit %d, want %d", strings.Join(a, " "), code, exitError)
			}
			if strings.Contains(out, "SECRETVALUE") || strings.Contains(out, "U0VDUkVU") {
				t.Errorf("secgate %s printed a secret: %s", strings.Join(a, " "), out)
			}
		}
	}
}

package sarif

import (
	"strings"

	"github.com/secgate/secgate/document"
)

// Tools known by their driver name (lower case, matched as a substring),
// for the kind of finding every result of theirs is.
var (
	secretTools = []string{"gitleaks", "trufflehog", "detect-secrets", "ggshield", "gitguardian",
		"secretlint", "noseyparker", "nosey parker", "talisman", "whispers"}
	vulnTools = []string{"grype", "osv-scanner", "dependency-check", "govulncheck",
		"snyk open source", "snyk container", "pip-audit", "npm audit", "retire"}
	configTools = []string{"checkov", "kics", "tfsec", "terrascan", "dockle", "kubescape",
		"kube-linter", "kubelinter", "cfn_nag", "cfn-nag", "snyk iac", "hadolint"}
)

// classify decides the kind of a result from what SARIF says of it: the
// driver that wrote it, its rule id and its rule's tags. In order:
//
//  1. a secret scanner (by driver name) reports secrets;
//  2. a dependency scanner (Grype, osv-scanner, dependency-check,
//     govulncheck, Snyk Open Source …) reports vulnerabilities, also those
//     without a CVE (Retire.js advisories in dependency-check);
//  3. an IaC or container-configuration scanner (Checkov, KICS, tfsec,
//     Dockle …) reports misconfigurations;
//  4. a rule tagged "secret…" (Trivy's secret rules, Semgrep's secrets
//     rules) is a secret;
//  5. a rule whose id is a vulnerability id (CVE-, GHSA-, GO-, PYSEC- …;
//     Trivy's image and filesystem scans) is a vulnerability;
//  6. a rule tagged "misconfiguration", or a Trivy rule with a check id
//     (AVD-AWS-0086, DS002, KSV001), is a misconfiguration;
//  7. anything else is code.
//
// driver must be lower case.
func classify(driver, ruleID string, tags []string) document.Kind {
	switch {
	case containsAny(driver, secretTools):
		return document.KindSecret
	case containsAny(driver, vulnTools):
		return document.KindVulnerability
	case containsAny(driver, configTools):
		return document.KindMisconfiguration
	}
	for _, t := range tags {
		if containsFold(t, "secret") {
			return document.KindSecret
		}
	}
	if vulnIDPrefix(ruleID) != "" {
		return document.KindVulnerability
	}
	for _, t := range tags {
		if strings.EqualFold(t, "misconfiguration") {
			return document.KindMisconfiguration
		}
	}
	if strings.Contains(driver, "trivy") && isCheckID(ruleID) {
		return document.KindMisconfiguration
	}
	return document.KindCode
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// containsFold reports whether s contains the lower-case word sub in any case.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// isCheckID reports whether id looks like a Trivy (defsec) check id:
// AVD-<PROVIDER>-<number>, or a few capital letters and digits (DS002,
// KSV001, KCV0001).
func isCheckID(id string) bool {
	if strings.HasPrefix(id, "AVD-") {
		return true
	}
	i := 0
	for i < len(id) && id[i] >= 'A' && id[i] <= 'Z' {
		i++
	}
	return i >= 2 && i <= 4 && len(id)-i >= 3 && digits(id[i:])
}

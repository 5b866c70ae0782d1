# The threshold policy secgate's built-ins apply, written for conftest over a
# raw Trivy report, to compare the two on the same input (make bench).
package main

deny contains msg if {
	some r in input.Results
	some v in r.Vulnerabilities
	v.Severity in {"CRITICAL", "HIGH"}
	msg := sprintf("%s in %s %s is %s", [v.VulnerabilityID, v.PkgName, v.InstalledVersion, v.Severity])
}

deny contains msg if {
	n := count([v | some r in input.Results; some v in r.Vulnerabilities])
	n > 20
	msg := sprintf("%d vulnerabilities, more than the 20 allowed", [n])
}

# METADATA
# title: Secrets
# description: Fails on any open secret finding. Rotate the secret, remove it from history, then waive the finding with an exception if it was a false positive.
# custom:
#   severity: critical
#   config: secrets
package secgate.secrets

import data.secgate.lib

deny contains {
	"msg": sprintf("secret %s at %s%s", [f.rule_id, object.get(f, ["location", "path"], "(unknown file)"), lib.line_of(f)]),
	"severity": "critical",
	"finding_ids": [f.id],
	"remediation": "revoke and rotate the secret, then remove it from the code and its history",
} if {
	data.secgate.config.secrets.enabled
	some f in lib.open_of_kind("secret")
}

# METADATA
# title: Secrets
# description: >-
#   Fails on any open secret finding. Rotate the secret, remove it from
#   history, then waive the finding with an exception if it was a false
#   positive. With only_new (the section's, else the top-level one) and a
#   baseline, only secrets the change introduced fail.
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
	some f in judged
}

# judged are the open secrets; with only_new, the new ones.
judged := lib.open_of_kind("secret") if not only_new

judged := [f | some f in lib.open_of_kind("secret"); lib.is_new(f)] if only_new

only_new if lib.only_new(data.secgate.config.secrets)

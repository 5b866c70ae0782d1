package secgate.secrets_test

import data.secgate.secrets

secret(id, status) := {
	"id": id, "kind": "secret", "rule_id": "aws-access-key-id", "severity": "critical", "status": status,
	"location": {"path": "config/prod.env", "start_line": 3},
}

test_open_secret_fails if {
	res := secrets.deny with input as {"findings": [secret("s1", "open")]}
	count(res) == 1
	some v in res
	v.msg == "secret aws-access-key-id at config/prod.env:3"
	v.finding_ids == ["s1"]
}

test_accepted_secret_passes if {
	count(secrets.deny) == 0 with input as {"findings": [secret("s1", "accepted")]}
}

test_other_kinds_ignored if {
	f := object.union(secret("c1", "open"), {"kind": "code"})
	count(secrets.deny) == 0 with input as {"findings": [f]}
}

test_secret_without_location if {
	f := object.remove(secret("s2", "open"), {"location"})
	res := secrets.deny with input as {"findings": [f]}
	some v in res
	v.msg == "secret aws-access-key-id at (unknown file)"
}

test_disabled if {
	count(secrets.deny) == 0 with input as {"findings": [secret("s1", "open")]}
		with data.secgate.config.secrets.enabled as false
}

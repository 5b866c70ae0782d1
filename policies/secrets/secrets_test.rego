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

test_only_new_judges_new_secrets if {
	old := object.union(secret("s1", "open"), {"new": false})
	new := object.union(secret("s2", "open"), {"new": true})
	res := secrets.deny with input as {"findings": [old, new]}
		with data.secgate.config.secrets.only_new as true
	[v.finding_ids | some v in res] == [["s2"]]
	count(secrets.deny) == 2 with input as {"findings": [old, new]}
}

test_only_new_inherits_the_top_level if {
	old := object.union(secret("s1", "open"), {"new": false})
	new := object.union(secret("s2", "open"), {"new": true})
	count(secrets.deny) == 1 with input as {"findings": [old, new]}
		with data.secgate.config.only_new as true
	count(secrets.deny) == 2 with input as {"findings": [old, new]}
		with data.secgate.config.only_new as true
		with data.secgate.config.secrets.only_new as false
}

# Without a baseline no secret is old: only_new fails on every one.
test_only_new_without_baseline_judges_every_secret if {
	count(secrets.deny) == 2 with input as {"findings": [secret("s1", "open"), secret("s2", "open")]}
		with data.secgate.config.only_new as true
}

package eval

import "testing"

func TestOwnership(t *testing.T) {
	for _, tc := range []struct{ owner, ticket, want string }{
		{"alice", "SEC-12", "owner alice, ticket SEC-12"},
		{"alice", "", "owner alice"},
		{"", "SEC-12", "ticket SEC-12"},
		{"", "", ""},
	} {
		if got := Ownership(tc.owner, tc.ticket); got != tc.want {
			t.Errorf("Ownership(%q, %q) = %q, want %q", tc.owner, tc.ticket, got, tc.want)
		}
	}
}

package eval

import "strings"

// Ownership names who answers for a waiver or an approval and what tracks
// it, as every human output shows it: "owner alice, ticket SEC-12",
// "owner alice", or "" when it says neither. The caller makes the parts
// safe to show.
func Ownership(owner, ticket string) string {
	var parts []string
	if owner != "" {
		parts = append(parts, "owner "+owner)
	}
	if ticket != "" {
		parts = append(parts, "ticket "+ticket)
	}
	return strings.Join(parts, ", ")
}

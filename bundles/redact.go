package bundles

import (
	"regexp"

	"github.com/secgate/secgate/internal/netpolicy"
)

// forcedRE finds go-getter's forced getter prefix ("git::https://…").
var forcedRE = regexp.MustCompile(`^([A-Za-z0-9]+)::(.+)$`)

// Redact returns address with its secrets replaced by "redacted" (see
// netpolicy.Redact, the one redaction of every URL secgate prints). It is
// what every error and listing shows.
func Redact(address string) string { return netpolicy.Redact(address) }

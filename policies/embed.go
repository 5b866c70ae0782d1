// Package policies holds secgate's built-in Rego policies, one domain per
// folder, each beside its tests. Their configuration (data.secgate.config)
// is described, defaults included, by package config's schema.
package policies

import "embed"

// FS holds the built-in policies with their tests.
//
//go:embed lib thresholds licenses dependencies secrets exceptions coverage vex
var FS embed.FS

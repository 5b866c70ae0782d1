//go:build unix

package main

import (
	"os"
	"syscall"
)

// canReplaceProcess: secgate opa run becomes secgate-opa.
const canReplaceProcess = true

// replaceProcess runs the program at path in place of secgate, with the
// same environment; it returns only when the system refused.
func replaceProcess(path string, argv []string) error {
	return syscall.Exec(path, argv, os.Environ())
}

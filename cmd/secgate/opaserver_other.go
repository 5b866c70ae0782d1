//go:build !unix

package main

import "errors"

// canReplaceProcess: the system has no execve; secgate opa run runs
// secgate-opa as a child.
const canReplaceProcess = false

func replaceProcess(string, []string) error { return errors.ErrUnsupported }

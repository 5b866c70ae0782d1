// Package report writes a gate's result in the formats people and tools
// read: a table for a CI log, JSON for scripts. Each format implements
// Format over an immutable gate.Result.
package report

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/history"
	"github.com/secgate/secgate/internal/safefile"
)

// Format writes a result in one output format.
type Format interface {
	// Name is the format's name in -o NAME[=PATH].
	Name() string
	// Write renders r to w.
	Write(w io.Writer, r *gate.Result) error
}

// Options tune formats that have choices.
type Options struct {
	// Color enables ANSI colours in the table.
	Color bool
	// Version is secgate's version, for SARIF.
	Version string
	// Trend is the project's history, for the HTML page's charts.
	Trend *history.Trend
}

// formats returns every format, by name.
func formats(o Options) map[string]Format {
	return map[string]Format{
		"table":       &Table{Color: o.Color},
		"json":        JSON{},
		"sarif":       SARIF{Version: o.Version},
		"junit":       JUnit{},
		"codequality": CodeQuality{},
		"github":      GitHub{},
		"markdown":    Markdown{},
		"comment":     Comment{},
		"badge":       Badge{},
		"shields":     Shields{},
		"html":        HTML{Trend: o.Trend},
	}
}

// Names lists the formats, sorted.
func Names() []string {
	var n []string
	for k := range formats(Options{}) {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// Output is one requested output: a format and where it goes ("" is stdout).
type Output struct {
	Format Format
	Path   string
}

// ParseOutputs reads -o values ("table", "json=out.json"). With none, the
// default is table.
func ParseOutputs(specs []string, o Options) ([]Output, error) {
	if len(specs) == 0 {
		specs = []string{"table"}
	}
	all := formats(o)
	var outs []Output
	stdout := 0
	for _, s := range specs {
		name, path, _ := strings.Cut(s, "=")
		f, ok := all[name]
		if !ok {
			return nil, fmt.Errorf("unknown output format %q (valid: %s)", name, strings.Join(Names(), ", "))
		}
		if path == "" || path == "-" {
			path = ""
			stdout++
		}
		outs = append(outs, Output{Format: f, Path: path})
	}
	if stdout > 1 {
		return nil, fmt.Errorf("only one output format can go to standard output; give the others a file: -o FORMAT=PATH")
	}
	return outs, nil
}

// Needs reports whether any output is in the named format.
func Needs(outs []Output, name string) bool {
	for _, o := range outs {
		if o.Format.Name() == name {
			return true
		}
	}
	return false
}

// WriteAll renders r to every output.
func WriteAll(outs []Output, r *gate.Result, stdout io.Writer) error {
	for _, o := range outs {
		if o.Path == "" {
			if err := o.Format.Write(stdout, r); err != nil {
				return err
			}
			continue
		}
		// The folder it goes in is made if missing, and must not be a
		// symlink (planted, it would send the file elsewhere).
		if dir := filepath.Dir(o.Path); dir != "." {
			if err := safefile.Dir(dir); err != nil {
				return fmt.Errorf("output %s: %w", o.Format.Name(), err)
			}
		}
		// Written beside its destination and renamed into place; a
		// symlink at the destination is refused, not followed.
		f, err := safefile.Create(o.Path, 0o644)
		if err != nil {
			return fmt.Errorf("output %s: %w", o.Format.Name(), err)
		}
		err = o.Format.Write(f, r)
		if err == nil {
			err = f.Commit()
		}
		f.Abort()
		if err != nil {
			return fmt.Errorf("output %s to %s: %w", o.Format.Name(), o.Path, err)
		}
	}
	return nil
}

// IsTerminal reports whether w is a character device (a terminal).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

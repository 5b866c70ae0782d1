package main

import (
	"encoding/json"
	"os"
	"strings"

	"github.com/openvex/go-vex/pkg/vex"
	"github.com/rogpeppe/go-internal/testscript"
)

// vexcheck FILE: FILE is an OpenVEX document as the specification wants
// one: @context, @id, author, timestamp and version set, and every
// statement valid (go-vex's Validate) and about a product.
func init() {
	scriptCmds["vexcheck"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: vexcheck FILE")
		}
		data, err := os.ReadFile(ts.MkAbs(args[0]))
		ts.Check(err)
		var raw map[string]json.RawMessage
		ts.Check(json.Unmarshal(data, &raw))
		for _, k := range []string{"@context", "@id", "author", "timestamp", "version", "statements"} {
			if _, ok := raw[k]; !ok {
				ts.Fatalf("%s: no %s", args[0], k)
			}
		}
		var doc vex.VEX
		ts.Check(json.Unmarshal(data, &doc))
		if !strings.HasPrefix(doc.Context, vex.Context) || doc.ID == "" || doc.Author == "" || doc.Timestamp == nil || doc.Version < 1 {
			ts.Fatalf("%s: metadata %+v", args[0], doc.Metadata)
		}
		for i := range doc.Statements {
			s := &doc.Statements[i]
			if err := s.Validate(); err != nil {
				ts.Fatalf("%s: statement %d: %v", args[0], i, err)
			}
			if len(s.Products) == 0 || s.Vulnerability.Name == "" {
				ts.Fatalf("%s: statement %d names no product or vulnerability", args[0], i)
			}
		}
	}
}

package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// scriptCmds are the commands testscripts have besides secgate's: what a
// script needs to tamper with a signed decision record.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	// flipbyte FILE AFTER [MASK]: flips the bits of MASK (hex; default
	// 01, the lowest) in the byte that follows the first AFTER in FILE.
	"flipbyte": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) < 2 || len(args) > 3 {
			ts.Fatalf("usage: flipbyte FILE AFTER [MASK]")
		}
		mask := uint64(1)
		if len(args) == 3 {
			var err error
			mask, err = strconv.ParseUint(args[2], 16, 8)
			ts.Check(err)
		}
		data := []byte(ts.ReadFile(args[0]))
		i := bytes.Index(data, []byte(args[1]))
		if i < 0 || i+len(args[1]) >= len(data) {
			ts.Fatalf("%s: no byte after %q", args[0], args[1])
		}
		data[i+len(args[1])] ^= byte(mask)
		ts.Check(os.WriteFile(ts.MkAbs(args[0]), data, 0o644))
	},
	// payload RECORD OUT: writes the DSSE payload of RECORD, decoded, to OUT.
	"payload": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 2 {
			ts.Fatalf("usage: payload RECORD OUT")
		}
		env := readEnvelope(ts, args[0])
		p, err := base64.StdEncoding.DecodeString(env["payload"].(string))
		ts.Check(err)
		ts.Check(os.WriteFile(ts.MkAbs(args[1]), p, 0o644))
	},
	// editpayload RECORD OLD NEW: replaces OLD with NEW in the decoded
	// payload of RECORD and writes it back, the signature unchanged.
	"editpayload": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 3 {
			ts.Fatalf("usage: editpayload RECORD OLD NEW")
		}
		env := readEnvelope(ts, args[0])
		p, err := base64.StdEncoding.DecodeString(env["payload"].(string))
		ts.Check(err)
		if !strings.Contains(string(p), args[1]) {
			ts.Fatalf("%s: the payload has no %q", args[0], args[1])
		}
		env["payload"] = base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(p), args[1], args[2], 1)))
		// Written in the order secgate writes the fields.
		var b bytes.Buffer
		b.WriteString(`{"payloadType":`)
		t, _ := json.Marshal(env["payloadType"])
		b.Write(t)
		b.WriteString(`,"payload":`)
		pl, _ := json.Marshal(env["payload"])
		b.Write(pl)
		b.WriteString(`,"signatures":`)
		s, _ := json.Marshal(env["signatures"])
		b.Write(s)
		b.WriteString("}\n")
		ts.Check(os.WriteFile(ts.MkAbs(args[0]), b.Bytes(), 0o644))
	},
}

func readEnvelope(ts *testscript.TestScript, name string) map[string]any {
	var env map[string]any
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(name)), &env))
	return env
}

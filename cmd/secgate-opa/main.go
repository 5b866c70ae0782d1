// Command secgate-opa is OPA's server (opa run, every flag) with
// secgate's builtins registered, for secgate check --opa-url. secgate opa
// run runs it with the same arguments; on its own:
//
//	secgate-opa --server --bundle secgate.tar.gz
//
// It listens on 127.0.0.1:8181 unless --addr says otherwise. It is a
// binary of its own so that OPA's runtime is not linked into secgate,
// whose start-up every command pays. Exit codes: 0 when the server
// stopped on a signal, 2 on an error (one line on stderr).
package main

import (
	"context"
	"os"

	"github.com/secgate/secgate/internal/opaserver"
)

func main() {
	os.Exit(opaserver.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

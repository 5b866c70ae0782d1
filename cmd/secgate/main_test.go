package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create test databases
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/secgate/secgate/internal/opaserver"
)

// TestMain puts secgate and secgate-opa (OPA's server, which secgate opa
// run finds beside secgate or on the PATH) on the PATH of the tests and
// their scripts, as copies of the test binary that run the command
// they are named after.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"secgate":     func() { os.Exit(run(context.Background(), os.Args, os.Stdin, os.Stdout, os.Stderr)) },
		"secgate-opa": func() { os.Exit(opaserver.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script: each runs the
// secgate command in-process and checks its stdout, stderr and exit code.
// The corpus is reachable as $CORPUS, the second versions of some of its
// reports (testdata/moved) as $MOVED; generated bad inputs are in $WORK.
func TestScripts(t *testing.T) {
	corpus, err := filepath.Abs(filepath.Join("..", "..", "testdata", "corpus"))
	if err != nil {
		t.Fatal(err)
	}
	examples, err := filepath.Abs(filepath.Join("..", "..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:  filepath.Join("testdata", "script"),
		Cmds: scriptCmds,
		Setup: func(env *testscript.Env) error {
			env.Setenv("CORPUS", corpus)
			env.Setenv("EXAMPLES", examples)
			env.Setenv("MOVED", filepath.Join(corpus, "..", "moved"))
			// Each history script has a PostgreSQL database of its own.
			if strings.HasPrefix(filepath.Base(env.WorkDir), "script-history_") {
				dsn, err := scriptDatabase(env)
				if err != nil {
					return err
				}
				env.Setenv("POSTGRES", dsn)
			}
			return writeBadInputs(env.WorkDir)
		},
		Condition: func(cond string) (bool, error) {
			if cond == "postgres" {
				return postgresServer() != "", nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

// postgresServer is the PostgreSQL server the tests may use
// (tools/pgtest/start.sh starts one on loopback), or "".
func postgresServer() string { return os.Getenv("SECGATE_TEST_POSTGRES") }

// scriptDatabase creates a database of its own for a script on the test
// server, dropped when the script ends; "" without a server, which is
// an error when SECGATE_REQUIRE_POSTGRES=1 (in CI).
func scriptDatabase(env *testscript.Env) (string, error) {
	server := postgresServer()
	if server == "" {
		if os.Getenv("SECGATE_REQUIRE_POSTGRES") == "1" {
			return "", fmt.Errorf("SECGATE_TEST_POSTGRES is not set: start a server with tools/pgtest/start.sh")
		}
		return "", nil
	}
	u, err := url.Parse(server)
	if err != nil {
		return "", err
	}
	if h := u.Hostname(); h != "127.0.0.1" && h != "localhost" && h != "::1" {
		return "", fmt.Errorf("SECGATE_TEST_POSTGRES must be on loopback, not %s", h)
	}
	name := fmt.Sprintf("secgate_script_%d_%d", os.Getpid(), time.Now().UnixNano())
	admin, err := sql.Open("pgx", server)
	if err != nil {
		return "", err
	}
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		return "", err
	}
	env.Defer(func() {
		admin.Exec("DROP DATABASE " + name + " WITH (FORCE)")
		admin.Close()
	})
	u.Path = "/" + name
	return u.String(), nil
}

// writeBadInputs makes the inputs too large or odd to keep as files.
func writeBadInputs(dir string) error {
	const depth = 200000
	files := map[string][]byte{
		"nested-array.json": []byte(strings.Repeat("[", depth) + strings.Repeat("]", depth)),
		"nested-sarif.json": []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":` +
			strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}]}`),
		"nested-unclosed.json": []byte(strings.Repeat(`{"a":`, depth)),
		"random.bin":           randomBytes(4096),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// randomBytes returns deterministic noise that is neither JSON nor XML nor text.
func randomBytes(n int) []byte {
	var b bytes.Buffer
	x := uint32(2463534242)
	b.WriteByte(0x89)
	for b.Len() < n {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b.WriteByte(byte(x))
	}
	return b.Bytes()
}

// deferGC holds collection off until the heap reaches the limit, then
// paces the collector at gcPercent; GOGC set by the user wins.
func TestDeferGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))

	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	deferGC(64 << 20)
	if limit := debug.SetMemoryLimit(-1); limit != 64<<20 {
		t.Fatalf("memory limit %d, want 64 MiB", limit)
	}
	if pct := debug.SetGCPercent(-1); pct != -1 {
		t.Fatalf("GOGC %d before the first collection, want off", pct)
	}
	// The first collection runs the finalizer, which restores the pacing.
	deadline := time.Now().Add(10 * time.Second)
	for debug.SetMemoryLimit(-1) != math.MaxInt64 {
		if time.Now().After(deadline) {
			t.Fatal("the collector was not handed back after a collection")
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if pct := debug.SetGCPercent(-1); pct != gcPercent {
		t.Errorf("GOGC %d after the first collection, want %d", pct, gcPercent)
	}

	t.Setenv("GOGC", "50")
	debug.SetGCPercent(50)
	deferGC(64 << 20)
	if pct := debug.SetGCPercent(50); pct != 50 {
		t.Errorf("GOGC from the environment replaced by %d", pct)
	}
}

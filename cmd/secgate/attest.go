package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/secgate/secgate/attest"
	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/ingest"
	"github.com/secgate/secgate/internal/keys"
	"github.com/secgate/secgate/internal/limitread"
	"github.com/secgate/secgate/internal/safefile"
	"github.com/secgate/secgate/internal/textsafe"
)

// maxKeySize bounds a PEM key file read.
const maxKeySize = 1 << 20

// attestFlags are check's flags for the signed decision record.
func attestFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "attest", Usage: "write the signed decision record to FILE: an in-toto Statement of the reports judged and the decision, in a DSSE envelope (needs --signing-key; see secgate verify-decision)"},
		&cli.StringFlag{Name: "signing-key", Usage: "PEM private key (ECDSA P-256/384/521 or RSA) the --attest record is signed with"},
		&cli.StringFlag{Name: "signing-alg", Usage: "algorithm of the --attest signature: " + strings.Join(keys.Algorithms, ", ") + " (default: ES256/384/512 by curve, RS256 for RSA)"},
		&cli.StringFlag{Name: "signing-key-id", Usage: "key id written to the --attest signature (default: the public key's SHA-256 fingerprint)"},
	}
}

// attestOptions say where the record goes and how it is signed.
type attestOptions struct {
	Path   string
	Signer *attest.Signer
	FailOn string
	Config *config.Config
}

// attestOptionsFrom reads the key before anything is checked: a record
// that could not be signed is an error before the reports are read.
func attestOptionsFrom(c *cli.Command, failOn string, cfg *config.Config) (*attestOptions, error) {
	path, key := c.String("attest"), c.String("signing-key")
	switch {
	case path == "" && key == "":
		if c.IsSet("signing-alg") || c.IsSet("signing-key-id") {
			return nil, errors.New("--signing-alg and --signing-key-id go with --attest and --signing-key")
		}
		return nil, nil
	case path == "":
		return nil, errors.New("--signing-key signs the record --attest FILE writes; give --attest too")
	case key == "":
		return nil, errors.New("--attest needs --signing-key: the record is signed")
	}
	data, err := limitread.File(key, maxKeySize)
	if err != nil {
		return nil, fmt.Errorf("--signing-key %s: %w", key, err)
	}
	signer, err := attest.NewSigner(data, attest.SignOptions{Algorithm: c.String("signing-alg"), KeyID: c.String("signing-key-id")})
	if err != nil {
		return nil, fmt.Errorf("--signing-key %s: %w", key, err)
	}
	return &attestOptions{Path: path, Signer: signer, FailOn: failOn, Config: cfg}, nil
}

// write signs the record of res and writes it, refusing a destination
// that is a symlink.
func (a *attestOptions) write(ctx context.Context, res *gate.Result) error {
	s, err := attest.New(res, attest.Options{FailOn: a.FailOn, Config: a.Config, Version: buildVersion()})
	if err != nil {
		return fmt.Errorf("--attest %s: %w", a.Path, err)
	}
	rec, err := a.Signer.Sign(ctx, s)
	if err != nil {
		return fmt.Errorf("--attest %s: %w", a.Path, err)
	}
	if err := safefile.Write(a.Path, rec, 0o644); err != nil {
		return fmt.Errorf("--attest: %w", err)
	}
	return nil
}

func verifyDecisionCommand() *cli.Command {
	return &cli.Command{
		Name:      "verify-decision",
		Usage:     "check a signed decision record (check --attest) and, given reports, that they are the ones judged",
		ArgsUsage: "RECORD",
		Description: "Verifies the DSSE signature of the record with the public key, then prints the verdict and what was judged:\n" +
			"the reports (by SHA-256), the policy sources, the configuration, the time, the exceptions and approvals applied\n" +
			"with their owner and ticket. With --report, each report given (a file or a folder, read as check reads folders)\n" +
			"must be one the decision judged, found by its SHA-256 whatever its path; the reports judged but not given are\n" +
			"listed (--all-reports: refused).\n" +
			"Refused: a byte changed anywhere in the record, another key or key id, another payload type or predicate type,\n" +
			"a report that is not one judged.\n" +
			"Exit codes: 0 the record verifies (whatever the verdict it holds), 1 it does not, or a report given is not one judged,\n" +
			"2 the record, the key or a report could not be read (not a DSSE envelope, a private key as --key, a missing file).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "key", Usage: "PEM public key the record must be signed with (required)"},
			&cli.StringFlag{Name: "signing-alg", Usage: "algorithm the record must be signed with: " + strings.Join(keys.Algorithms, ", ") + " (default: the key's, RS256 for RSA)"},
			&cli.StringFlag{Name: "key-id", Usage: "key id the signature must carry (default: the key's SHA-256 fingerprint, as check --attest writes)"},
			&cli.StringSliceFlag{Config: trimSpace, Name: "report", Usage: "a report (file or folder) that must be one the decision judged (repeatable)"},
			&cli.BoolFlag{Name: "all-reports", Usage: "with --report: refuse the record unless every report it judged is given"},
			&cli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "table", Usage: "table or json"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.NArg() != 1 {
				return fmt.Errorf("verify-decision takes one record, got %d arguments", c.NArg())
			}
			opts := verifyOptions{
				Record:     c.Args().First(),
				Key:        c.String("key"),
				Verify:     attest.VerifyOptions{Algorithm: c.String("signing-alg"), KeyID: c.String("key-id")},
				Reports:    stringList(c, "report"),
				AllReports: c.Bool("all-reports"),
				Format:     c.String("format"),
			}
			return runVerifyDecision(ctx, opts, c.Root().Writer, c.Root().ErrWriter)
		},
	}
}

type verifyOptions struct {
	Record, Key string
	Verify      attest.VerifyOptions
	Reports     []string
	AllReports  bool
	Format      string
}

// verifyResult is what verify-decision -o json prints.
type verifyResult struct {
	Record    string            `json:"record"`
	Verified  bool              `json:"verified"`
	KeyID     string            `json:"key_id"`
	Algorithm string            `json:"algorithm"`
	Given     []attest.Given    `json:"reports_given"`
	NotGiven  []string          `json:"reports_not_given"`
	Statement *attest.Statement `json:"statement"`
}

func runVerifyDecision(ctx context.Context, opts verifyOptions, stdout, stderr io.Writer) error {
	if opts.Format != "table" && opts.Format != "json" {
		return fmt.Errorf("--format: want table or json, got %q", opts.Format)
	}
	if opts.Key == "" {
		return errors.New("--key is required: the public key the record must be signed with")
	}
	if opts.AllReports && len(opts.Reports) == 0 {
		return errors.New("--all-reports checks the reports given with --report; give them")
	}
	key, err := limitread.File(opts.Key, maxKeySize)
	if err != nil {
		return fmt.Errorf("--key %s: %w", opts.Key, err)
	}
	data, err := limitread.File(opts.Record, attest.MaxRecordSize)
	if err != nil {
		return err
	}
	given, err := givenReports(opts.Reports)
	if err != nil {
		return err
	}
	v, err := attest.Verify(ctx, data, key, opts.Verify)
	switch {
	case errors.Is(err, keys.ErrKey):
		return fmt.Errorf("--key %s: %w", opts.Key, err)
	case err != nil:
		return refuse(stderr, opts.Record, err)
	}
	notGiven, err := v.Statement.Match(given)
	if err != nil {
		return refuse(stderr, opts.Record, err)
	}
	res := verifyResult{Record: opts.Record, Verified: true, KeyID: v.KeyID, Algorithm: v.Algorithm, Given: given, NotGiven: []string{}, Statement: v.Statement}
	if res.Given == nil {
		res.Given = []attest.Given{}
	}
	if len(given) > 0 {
		for _, s := range notGiven {
			res.NotGiven = append(res.NotGiven, s.Name)
		}
	}
	if opts.AllReports && len(res.NotGiven) > 0 {
		return refuse(stderr, opts.Record, fmt.Errorf("%w: reports judged but not given: %s", attest.ErrNotVerified, strings.Join(res.NotGiven, ", ")))
	}
	if opts.Format == "json" {
		return writeJSON(stdout, res)
	}
	printVerified(stdout, res)
	return nil
}

// refuse says why a record does not verify, in one line, and exits 1;
// an unreadable record is exit 2.
func refuse(stderr io.Writer, record string, err error) error {
	if !errors.Is(err, attest.ErrNotVerified) {
		return fmt.Errorf("%s: %w", record, err)
	}
	fmt.Fprintf(stderr, "secgate: error: %s\n", oneLine(record+": refused: "+strings.TrimPrefix(err.Error(), attest.ErrNotVerified.Error()+": ")))
	return errPolicy
}

// givenReports hashes the reports given, folders read as check reads them.
func givenReports(args []string) ([]attest.Given, error) {
	if len(args) == 0 {
		return nil, nil
	}
	exp, err := ingest.Expand(args, nil)
	if err != nil {
		return nil, fmt.Errorf("--report: %w", err)
	}
	var given []attest.Given
	for _, arg := range exp.Reports {
		_, path := ingest.SplitArg(arg)
		if path == "-" {
			return nil, errors.New("--report: standard input cannot be checked against the record; give the report's file")
		}
		d, err := attest.DigestFile(path)
		if err != nil {
			return nil, fmt.Errorf("--report: %w", err)
		}
		given = append(given, attest.Given{Path: path, SHA256: d})
	}
	return given, nil
}

func printVerified(w io.Writer, r verifyResult) {
	clean := func(s string) string { return textsafe.Clean(s, 0) }
	s := r.Statement
	p := s.Predicate
	fmt.Fprintf(w, "verified: %s, signed with %s under key id %s\n", clean(r.Record), r.Algorithm, clean(r.KeyID))
	stage := ""
	if p.Context.Stage != "" {
		stage = ", stage " + clean(p.Context.Stage)
	}
	fmt.Fprintf(w, "decision: %s (fails on %s) at %s (%s)%s, by secgate %s\n", clean(p.Decision), clean(p.FailOn), clean(p.Context.Now), clean(p.Context.NowSource), stage, clean(p.Secgate.Version))
	fmt.Fprintf(w, "  %d violation(s), %d warning(s), %d exception(s) applied, %d approval(s) applied; %d open finding(s) of %d\n",
		len(p.Violations), len(p.Warnings), len(p.Exceptions), len(p.Approvals), p.Summary.OpenFindings, p.Summary.Findings)
	fmt.Fprintf(w, "reports judged (%d):\n", len(p.Reports))
	for _, rep := range p.Reports {
		line := fmt.Sprintf("  sha256:%s  %s  %s", rep.SHA256, clean(rep.Format), clean(rep.Path))
		if len(r.Given) > 0 {
			var as []string
			for _, g := range r.Given {
				if g.SHA256 == rep.SHA256 {
					as = append(as, clean(g.Path))
				}
			}
			if len(as) == 0 {
				line += "  (not given)"
			} else {
				line += "  (given: " + strings.Join(as, ", ") + ")"
			}
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "policy sources (%d):\n", len(p.PolicySources))
	for _, src := range p.PolicySources {
		fmt.Fprintf(w, "  %s\n", clean(src))
	}
	if p.Config.Path == "" {
		fmt.Fprintln(w, "config: none (the defaults)")
	} else {
		fmt.Fprintf(w, "config: %s sha256:%s\n", clean(p.Config.Path), p.Config.SHA256)
	}
	printWaivers(w, p)
}

// printWaivers lists the exceptions and approvals a record holds, each
// once with who answers for it: an exception with the number of findings
// it accepted, an approval with the number of components it approved.
// Every field is the configuration's text, cleaned on its own, so that
// none can end a line or start another.
func printWaivers(w io.Writer, p attest.Predicate) {
	clean := func(s string) string { return textsafe.Clean(s, textsafe.MaxField) }
	terms := func(expires, owner, ticket string) string {
		t := " until " + clean(expires)
		if o := eval.Ownership(clean(owner), clean(ticket)); o != "" {
			t += " (" + o + ")"
		}
		return t
	}
	type accepted struct {
		exception map[string]any
		findings  int
	}
	var xs []*accepted
	seen := map[string]*accepted{}
	for _, x := range p.Exceptions {
		key, _ := json.Marshal(x.Exception)
		a := seen[string(key)]
		if a == nil {
			a = &accepted{exception: x.Exception}
			seen[string(key)] = a
			xs = append(xs, a)
		}
		a.findings++
	}
	if len(xs) > 0 {
		fmt.Fprintf(w, "exceptions applied (%d):\n", len(xs))
	}
	for _, a := range xs {
		str := func(k string) string { s, _ := a.exception[k].(string); return s }
		var names []string
		for _, k := range []string{"id", "rule", "purl"} {
			if v := str(k); v != "" {
				names = append(names, k+" "+clean(v))
			}
		}
		fmt.Fprintf(w, "  %s%s: %d finding(s)\n", strings.Join(names, ", "), terms(str("expires"), str("owner"), str("ticket")), a.findings)
	}
	if len(p.Approvals) > 0 {
		fmt.Fprintf(w, "approvals applied (%d):\n", len(p.Approvals))
	}
	for _, a := range p.Approvals {
		fmt.Fprintf(w, "  %s by %s%s: %d component(s)\n", clean(a.Match), clean(a.ApprovedBy), terms(a.Expires, a.Owner, a.Ticket), len(a.Components))
	}
}

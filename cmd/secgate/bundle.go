package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/secgate/secgate/bundles"
	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/internal/limitread"
	"github.com/secgate/secgate/internal/safefile"
)

// insecureWarning is printed whenever --insecure-skip-verify is given.
const insecureWarning = "secgate: warning: bundle signatures are NOT verified"

// sourceFlags configure how policy sources are fetched and verified.
func sourceFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "verification-key", Usage: "PEM public key every policy bundle must be signed with (check also reads verification_key from secgate.yaml)"},
		&cli.StringFlag{Name: "verification-key-id", Usage: "key id the bundles must be signed under (default: any)"},
		&cli.BoolFlag{Name: "insecure-skip-verify", Usage: "load bundles without checking their signatures, even with a verification key (loud)"},
		&cli.BoolFlag{Name: "offline", Usage: "serve remote policy sources from the cache only"},
		&cli.StringFlag{Name: "policy-cache", Sources: cli.EnvVars("SECGATE_POLICY_CACHE"), Usage: "folder of fetched policy sources (default: the user cache folder/secgate/policies)"},
	}, netFlags()...)
}

// sourceOptionsFrom reads the source flags. The verification key comes
// from --verification-key, else from the configuration (relative to it).
func sourceOptionsFrom(c *cli.Command, cfg *config.Config) (bundles.FetchOptions, *bundles.VerifyOptions, error) {
	net, err := netOptionsFrom(c)
	if err != nil {
		return bundles.FetchOptions{}, nil, err
	}
	fo := bundles.FetchOptions{
		CacheDir:  c.String("policy-cache"),
		Offline:   c.Bool("offline"),
		AllowHTTP: net.AllowHTTP,
		Timeout:   net.Timeout,
	}
	keyPath, flag := c.String("verification-key"), "--verification-key"
	if keyPath == "" && cfg != nil && cfg.VerificationKey != "" {
		keyPath, flag = cfg.VerificationKey, gate.ConfigName(cfg)+": verification_key"
		if !filepath.IsAbs(keyPath) && cfg.Path != "" {
			keyPath = filepath.Join(filepath.Dir(cfg.Path), keyPath)
		}
	}
	if c.Bool("insecure-skip-verify") {
		fmt.Fprintln(c.Root().ErrWriter, insecureWarning)
		return fo, nil, nil
	}
	if keyPath == "" {
		if c.String("verification-key-id") != "" {
			return fo, nil, errors.New("--verification-key-id needs a --verification-key")
		}
		return fo, nil, nil
	}
	vo, err := readVerifyOptions(keyPath, c.String("verification-key-id"), flag)
	return fo, vo, err
}

// readVerifyOptions reads and checks a PEM public key.
func readVerifyOptions(path, keyID, flag string) (*bundles.VerifyOptions, error) {
	key, err := readKeyFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, path, err)
	}
	vo := &bundles.VerifyOptions{Key: key, KeyID: keyID}
	if err := vo.Validate(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, path, err)
	}
	return vo, nil
}

func bundleCommand() *cli.Command {
	return &cli.Command{
		Name:  "bundle",
		Usage: "build, sign and verify OPA policy bundles",
		Description: "Bundles are OPA's format (opa build -b, opa run --verification-key read them too).\n" +
			"Signing algorithms: " + strings.Join(bundles.Algorithms, ", ") + " (default: the key's).",
		Commands: []*cli.Command{bundleBuildCommand(), bundleSignCommand(), bundleVerifyCommand(), bundleKeygenCommand()},
	}
}

// signingFlags are the flags of the commands that sign.
func signingFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "signing-key", Usage: "PEM private key (RSA or ECDSA) to sign with"},
		&cli.StringFlag{Name: "signing-alg", Usage: "signing algorithm: " + strings.Join(bundles.Algorithms, ", ") + " (default: ES256/384/512 by curve, RS256 for RSA)"},
		&cli.StringFlag{Name: "key-id", Usage: "key id written to the signature (the JWT kid)"},
	}
}

type bundleBuildOptions struct {
	Dir, Output string
	Build       bundles.BuildOptions
}

func bundleBuildCommand() *cli.Command {
	return &cli.Command{
		Name:      "build",
		Usage:     "compile a policy folder into an OPA bundle (.tar.gz), optionally signed",
		ArgsUsage: "DIR",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "bundle.tar.gz", Usage: "bundle file to write"},
			&cli.StringFlag{Name: "revision", Usage: "revision written to the manifest"},
			&cli.StringSliceFlag{Config: trimSpace, Name: "root", Usage: "manifest root (repeatable; default: the folder's .manifest roots, else its package paths and data keys)"},
			&cli.StringFlag{Name: "claims-file", Usage: "JSON file of extra signature claims"},
			regoVersionFlag(),
			&cli.BoolFlag{Name: "opa-entrypoint", Usage: "add the decision entry point secgate/decision, for an OPA server (secgate opa run) that check --opa-url asks"},
		}, signingFlags()...),
		Action: func(ctx context.Context, c *cli.Command) error {
			arg, err := oneArg(c, "bundle build takes one folder")
			if err != nil {
				return err
			}
			opts := bundleBuildOptions{Dir: arg, Output: c.String("output")}
			opts.Build = bundles.BuildOptions{
				Revision:   c.String("revision"),
				Roots:      stringList(c, "root"),
				SigningAlg: c.String("signing-alg"),
				KeyID:      c.String("key-id"),
				ClaimsFile: c.String("claims-file"),
				Entrypoint: c.Bool("opa-entrypoint"),
			}
			if opts.Build.RegoV0, err = regoV0From(c); err != nil {
				return err
			}
			if opts.Build.SigningKey, err = readSigningKey(c); err != nil {
				return err
			}
			if opts.Build.SigningKey == nil && (opts.Build.SigningAlg != "" || opts.Build.KeyID != "" || opts.Build.ClaimsFile != "") {
				return errors.New("--signing-alg, --key-id and --claims-file need a --signing-key")
			}
			return runBundleBuild(ctx, opts, c.Root().Writer)
		},
	}
}

// writeOutput writes a bundle file, making its folder.
func writeOutput(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("-o %s: %w", path, errors.Unwrap(err))
	}
	if err := safefile.Write(path, data, 0o644); err != nil {
		return fmt.Errorf("-o %s: %w", path, errors.Unwrap(err))
	}
	return nil
}

// readSigningKey reads --signing-key, or returns nil when it is not given.
func readSigningKey(c *cli.Command) ([]byte, error) {
	path := c.String("signing-key")
	if path == "" {
		return nil, nil
	}
	key, err := readKeyFile(path)
	if err != nil {
		return nil, fmt.Errorf("--signing-key %s: %w", path, err)
	}
	return key, nil
}

// maxKeyFile bounds a key file: a PEM key or an HMAC secret is a few
// kilobytes.
const maxKeyFile = 1 << 20

// readKeyFile reads a key file of at most maxKeyFile bytes; its errors
// leave out the path, which the caller names.
func readKeyFile(path string) ([]byte, error) {
	key, err := limitread.File(path, maxKeyFile)
	var pe *os.PathError
	if errors.As(err, &pe) {
		return nil, pe.Err
	}
	return key, err
}

func runBundleBuild(ctx context.Context, opts bundleBuildOptions, stdout io.Writer) error {
	raw, err := bundles.Build(ctx, opts.Dir, opts.Build)
	if err != nil {
		return err
	}
	if err := writeOutput(opts.Output, raw); err != nil {
		return err
	}
	signed := "unsigned"
	if opts.Build.SigningKey != nil {
		signed = "signed"
	}
	_, err = fmt.Fprintf(stdout, "built %s from %s (%s)\n", opts.Output, opts.Dir, signed)
	return err
}

func bundleSignCommand() *cli.Command {
	return &cli.Command{
		Name:      "sign",
		Usage:     "sign an existing bundle (replacing any signature it has)",
		ArgsUsage: "FILE",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "signed bundle to write (default: FILE, in place)"},
		}, signingFlags()...),
		Action: func(ctx context.Context, c *cli.Command) error {
			in, err := oneArg(c, "bundle sign takes one bundle file")
			if err != nil {
				return err
			}
			key, err := readSigningKey(c)
			if err != nil {
				return err
			}
			if key == nil {
				return errors.New("bundle sign needs --signing-key")
			}
			out := c.String("output")
			if out == "" {
				out = in
			}
			raw, err := limitread.File(in, bundles.DefaultMaxSize)
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			if err != nil {
				return fmt.Errorf("bundle %s: %w", in, err)
			}
			signed, err := bundles.Sign(raw, key, c.String("signing-alg"), c.String("key-id"))
			if err != nil {
				return fmt.Errorf("bundle %s: %w", in, err)
			}
			if err := writeOutput(out, signed); err != nil {
				return err
			}
			_, err = fmt.Fprintf(c.Root().Writer, "signed %s\n", out)
			return err
		},
	}
}

func bundleVerifyCommand() *cli.Command {
	return &cli.Command{
		Name:      "verify",
		Usage:     "check a bundle's signature; print its revision, roots and the files verified",
		ArgsUsage: "FILE",
		Description: "Exit 2 when the bundle is unsigned, signed by another key, or its content\n" +
			"differs from what was signed.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "verification-key", Usage: "PEM public key the bundle must be signed with (required)"},
			&cli.StringFlag{Name: "key-id", Usage: "key id the bundle must be signed under (default: any)"},
			&cli.StringFlag{Name: "signing-alg", Usage: "algorithm the bundle must be signed with (default: the key's)"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			arg, err := oneArg(c, "bundle verify takes one bundle file")
			if err != nil {
				return err
			}
			if c.String("verification-key") == "" {
				return errors.New("bundle verify needs --verification-key")
			}
			vo, err := readVerifyOptions(c.String("verification-key"), c.String("key-id"), "--verification-key")
			if err != nil {
				return err
			}
			vo.Algorithm = c.String("signing-alg")
			return runBundleVerify(arg, *vo, c.Root().Writer)
		},
	}
}

func runBundleVerify(path string, opts bundles.VerifyOptions, stdout io.Writer) error {
	v, err := bundles.VerifyFile(path, opts)
	if err != nil {
		return err
	}
	roots := []string{""}
	if v.Bundle.Manifest.Roots != nil {
		roots = *v.Bundle.Manifest.Roots
	}
	quoted := make([]string, len(roots))
	for i, r := range roots {
		quoted[i] = fmt.Sprintf("%q", r)
	}
	kid := "none"
	if v.KeyID != "" {
		kid = fmt.Sprintf("%q", v.KeyID)
	}
	fmt.Fprintf(stdout, "verified %s\n", path)
	fmt.Fprintf(stdout, "  revision:  %s\n", v.Bundle.Manifest.Revision)
	fmt.Fprintf(stdout, "  roots:     %s\n", strings.Join(quoted, ", "))
	fmt.Fprintf(stdout, "  signature: %s, key id %s\n", v.Algorithm, kid)
	fmt.Fprintf(stdout, "  files:     %d\n", len(v.Files))
	for _, f := range v.Files {
		fmt.Fprintf(stdout, "    %s\n", f)
	}
	return nil
}

func bundleKeygenCommand() *cli.Command {
	return &cli.Command{
		Name:      "keygen",
		Usage:     "make a signing key pair: NAME.pem (private, mode 0600) and NAME.pub (public)",
		ArgsUsage: "NAME",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "alg", Value: "ES256", Usage: "algorithm the key is for: " + strings.Join(bundles.Algorithms, ", ")},
			&cli.IntFlag{Name: "rsa-bits", Value: 3072, Usage: "size of an RSA key"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			name, err := oneArg(c, "bundle keygen takes one NAME")
			if err != nil {
				return err
			}
			private, public, err := bundles.GenerateKey(c.String("alg"), c.Int("rsa-bits"))
			if err != nil {
				return err
			}
			// O_EXCL: an existing key is never overwritten.
			f, err := os.OpenFile(name+".pem", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return fmt.Errorf("%s.pem: %w", name, errors.Unwrap(err))
			}
			if _, err := f.Write(private); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			if err := safefile.Write(name+".pub", public, 0o644); err != nil {
				return fmt.Errorf("%s.pub: %w", name, errors.Unwrap(err))
			}
			_, err = fmt.Fprintf(c.Root().Writer, "wrote %s.pem (keep it secret) and %s.pub\n", name, name)
			return err
		},
	}
}

func pullCommand() *cli.Command {
	flags := []cli.Flag{}
	for _, f := range sourceFlags() {
		if f.Names()[0] != "offline" {
			flags = append(flags, f)
		}
	}
	return &cli.Command{
		Name:      "pull",
		Usage:     "fetch a policy source without evaluating it (like conftest pull)",
		ArgsUsage: "ADDRESS [DIR] (DIR defaults to ./policy)",
		Description: "ADDRESS is a go-getter address (git::https://host/repo//dir?ref=v1, https://host/b.tar.gz,\n" +
			"?checksum=sha256:… pins a download) or a local path. A folder's content is copied into DIR;\n" +
			"a bundle archive is saved into DIR as it is. With --verification-key a bundle must verify.",
		Flags: flags,
		Action: func(ctx context.Context, c *cli.Command) error {
			args := c.Args().Slice()
			if len(args) < 1 || len(args) > 2 {
				return errors.New("pull takes ADDRESS [DIR]")
			}
			dir := "policy"
			if len(args) == 2 {
				dir = args[1]
			}
			fo, vo, err := sourceOptionsFrom(c, nil)
			if err != nil {
				return err
			}
			return runPull(ctx, args[0], dir, fo, vo, c.Root().Writer)
		},
	}
}

func runPull(ctx context.Context, address, dir string, fo bundles.FetchOptions, vo *bundles.VerifyOptions, stdout io.Writer) error {
	f, err := bundles.Fetch(ctx, address, fo)
	if err != nil {
		return err
	}
	if vo != nil {
		if err := bundles.VerifyFetched(f, *vo); err != nil {
			return err
		}
	}
	dst, err := bundles.Save(f, dir)
	if err != nil {
		return err
	}
	rev := ""
	if f.Revision != "" {
		rev = " at " + f.Revision
	}
	_, err = fmt.Fprintf(stdout, "pulled %s%s into %s\n", f.Address, rev, dst)
	return err
}

// oneArg reads the one argument a command takes (flags may come before
// or after it); usage is the error when there is not exactly one.
func oneArg(c *cli.Command, usage string) (string, error) {
	if c.NArg() != 1 {
		return "", errors.New(usage)
	}
	return c.Args().First(), nil
}

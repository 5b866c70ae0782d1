package main

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"github.com/urfave/cli/v3"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/internal/safefile"
)

// initFiles are the files init writes besides secgate.yaml, as templates
// ([[.Ref]] is the secgate version the CI files use).
//
//go:embed initfiles
var initFiles embed.FS

// The CI systems init writes files for.
const (
	ciGitHub = "github"
	ciGitLab = "gitlab"
	ciNone   = "none"
)

// initThresholds are the monitoring thresholds init writes out rather
// than leave to the defaults: a critical or high finding fails, more than
// 20 open findings fail, 10 to 20 warn.
var initThresholds = map[string]any{
	"thresholds.fail_severity": "high",
	"thresholds.max_findings":  20,
	"thresholds.warn_findings": 10,
}

// initFile is one file init writes: its path in the project (slash
// separated) and the embedded template it comes from ("" for
// secgate.yaml, generated from the schema).
type initFile struct {
	Path     string
	Template string
}

// initTargets are the files of each --ci choice, secgate.yaml and the
// policy folder first.
func initTargets(ci string) ([]initFile, error) {
	files := []initFile{
		{Path: config.DefaultFile},
		{Path: "policy/blocked.rego", Template: "initfiles/policy/blocked.rego"},
		{Path: "policy/blocked_test.rego", Template: "initfiles/policy/blocked_test.rego"},
	}
	switch ci {
	case ciGitHub:
		files = append(files,
			initFile{".github/workflows/secgate.yml", "initfiles/github/secgate.yml"},
			initFile{".github/workflows/secgate-weekly.yml", "initfiles/github/secgate-weekly.yml"},
			initFile{".github/workflows/secgate-release.yml", "initfiles/github/secgate-release.yml"})
	case ciGitLab:
		files = append(files, initFile{".gitlab-ci.yml", "initfiles/gitlab/gitlab-ci.yml"})
	case ciNone:
	default:
		return nil, fmt.Errorf("--ci: want github, gitlab or none, got %q", ci)
	}
	return files, nil
}

func initCommand() *cli.Command {
	return &cli.Command{
		Name:      "init",
		Usage:     "start a project: a commented secgate.yaml, a policy folder with an example rule and its test, and CI files",
		ArgsUsage: "[DIR] (default: the current folder)",
		Description: "Writes secgate.yaml (every key with its default and description; the thresholds set: critical\n" +
			"and high fail, more than 20 open findings fail, 10 to 20 warn), policy/ (an example rule and\n" +
			"its test: secgate test policy/), and CI files: for GitHub Actions (the default) a pull-request\n" +
			"gate, a weekly scan and a release check with the security changelog in .github/workflows/;\n" +
			"for GitLab a .gitlab-ci.yml that includes secgate's template. Without --force, a file that\n" +
			"exists stops init before it writes anything; a symlink on the way is refused even with --force.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "ci", Value: ciGitHub, Usage: "the CI files to write: github, gitlab or none"},
			&cli.BoolFlag{Name: "force", Usage: "overwrite files that exist"},
			&cli.StringFlag{Name: "ref", Usage: "the secgate version the CI files use (a tag such as v1.2.0; default: this secgate's release, else main)"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.NArg() > 1 {
				return fmt.Errorf("init takes one folder, got %d arguments", c.NArg())
			}
			dir := c.Args().First()
			if dir == "" {
				dir = "."
			}
			return runInit(initOptions{Dir: dir, CI: c.String("ci"), Force: c.Bool("force"), Ref: c.String("ref")}, c.Root().Writer)
		},
	}
}

type initOptions struct {
	// Dir is the project's folder, made when missing.
	Dir string
	// CI is github, gitlab or none.
	CI    string
	Force bool
	// Ref is the secgate version the CI files name; "" is ciRef().
	Ref string
}

// refPattern is what a version written into the CI files may hold: a
// tag, a branch or a commit, nothing that could end a YAML scalar or a
// URL path.
var refPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$`)

// releasePattern is a release of secgate, as its tags are named.
var releasePattern = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+(-(rc|beta|alpha)\.[0-9]+)?$`)

// ciRef is the version the CI files use by default: this secgate's, when
// it is a release, else the main branch.
func ciRef() string {
	if v := buildVersion(); releasePattern.MatchString(v) {
		return v
	}
	return "main"
}

// runInit writes the project's files. Every target is checked first: one
// that exists (without --force) or that a symlink leads to is refused,
// and then nothing is written.
func runInit(opts initOptions, w io.Writer) error {
	ref := opts.Ref
	if ref == "" {
		ref = ciRef()
	}
	if !refPattern.MatchString(ref) {
		return fmt.Errorf("--ref: want a tag, branch or commit (letters, digits, . _ + -), got %q", ref)
	}
	targets, err := initTargets(opts.CI)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(opts.Dir); err == nil && !fi.IsDir() {
		return fmt.Errorf("%s: not a folder", opts.Dir)
	}
	contents := make([][]byte, len(targets))
	for i, t := range targets {
		if contents[i], err = initContent(t, ref); err != nil {
			return err
		}
	}
	var exist []string
	for _, t := range targets {
		there, err := checkTarget(opts.Dir, t.Path)
		if err != nil {
			return err
		}
		if there {
			exist = append(exist, filepath.Join(opts.Dir, filepath.FromSlash(t.Path)))
		}
	}
	if len(exist) > 0 && !opts.Force {
		more := ""
		if len(exist) > 1 {
			more = fmt.Sprintf(" (and %d more of the files init writes)", len(exist)-1)
		}
		return fmt.Errorf("%s exists%s; init overwrites nothing without --force, and wrote nothing", exist[0], more)
	}
	for i, t := range targets {
		path := filepath.Join(opts.Dir, filepath.FromSlash(t.Path))
		if err := safefile.Dir(filepath.Dir(path)); err != nil {
			return err
		}
		if err := safefile.Write(path, contents[i], 0o644); err != nil {
			return err
		}
		fmt.Fprintf(w, "wrote %s\n", path)
	}
	sep := string(filepath.Separator)
	reports := filepath.Join(opts.Dir, "reports") + sep
	fmt.Fprintf(w, "next: scan into %s, then: secgate check -c %s -p builtin -p %s %s\n",
		reports, filepath.Join(opts.Dir, config.DefaultFile), filepath.Join(opts.Dir, "policy")+sep, reports)
	return nil
}

// checkTarget says whether the target rel (slash-separated) exists in
// dir, as a regular file. It refuses a symlink anywhere on its path from
// dir, the file itself included (a link planted there would send the file
// elsewhere), a folder on the way that is not one, and a target that is
// not a regular file. dir itself is the user's word and may be a link.
func checkTarget(dir, rel string) (exists bool, err error) {
	at := dir
	parts := strings.Split(rel, "/")
	for i, part := range parts {
		at = filepath.Join(at, part)
		fi, err := os.Lstat(at)
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		switch last := i == len(parts)-1; {
		case fi.Mode()&fs.ModeSymlink != 0:
			return false, &safefile.Error{Path: at, Err: safefile.ErrSymlink}
		case !last && !fi.IsDir():
			return false, fmt.Errorf("%s: not a folder, and init writes %s in it", at, parts[len(parts)-1])
		case last && !fi.Mode().IsRegular():
			return false, fmt.Errorf("%s: exists and is not a file; init replaces only files", at)
		}
	}
	return true, nil
}

// initContent is a target's content: secgate.yaml from the schema, the
// others from their template.
func initContent(t initFile, ref string) ([]byte, error) {
	if t.Template == "" {
		body, err := config.Sample(initThresholds)
		if err != nil {
			return nil, err
		}
		return append([]byte(initConfigHeader), body...), nil
	}
	raw, err := initFiles.ReadFile(t.Template)
	if err != nil {
		return nil, err
	}
	tmpl, err := template.New(t.Path).Delims("[[", "]]").Option("missingkey=error").Parse(string(raw))
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", t.Template, err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, struct{ Ref string }{ref}); err != nil {
		return nil, fmt.Errorf("template %s: %w", t.Template, err)
	}
	return b.Bytes(), nil
}

// initConfigHeader opens the secgate.yaml init writes.
const initConfigHeader = `# secgate.yaml, written by secgate init.
#
# Every key is here with its description and its default. A key commented
# out ("#key: value") keeps its default; remove the "#" to set it. The
# thresholds are set: a critical or high finding fails the gate, more than
# 20 open findings fail it, 10 to 20 warn. secgate schema --config prints
# the schema this file is checked against (for an editor: see the README).
#
`

package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v3"
	"gopkg.in/yaml.v3"

	"github.com/secgate/secgate/bundles"
	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/policies"
)

func policiesCommand() *cli.Command {
	return &cli.Command{
		Name:  "policies",
		Usage: "list the built-in policies, each with the configuration keys and defaults, and where -p sources came from",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "text", Usage: "text or json"},
			&cli.StringSliceFlag{Config: trimSpace, Name: "policy", Aliases: []string{"p"}, Usage: "also list these policy sources: what came from where, at which revision (repeatable)"},
		}, sourceFlags()...),
		Action: func(ctx context.Context, c *cli.Command) error {
			fo, vo, err := sourceOptionsFrom(c, nil)
			if err != nil {
				return err
			}
			return runPolicies(ctx, policiesOptions{
				Format: c.String("format"),
				Policy: gate.Policy{Sources: stringList(c, "policy"), Fetch: fo, Verify: vo},
			}, c.Root().Writer)
		},
	}
}

type policiesOptions struct {
	Format string
	// Policy.Sources, when given, are loaded and listed after the built-ins.
	Policy gate.Policy
}

// policyInfo is one line of the list: a built-in policy, or a package of
// a -p source and where it came from.
type policyInfo struct {
	policies.Policy
	// Defaults are the keys of the policy's secgate.yaml section and their
	// default values; a section that is not a mapping is one key of its
	// own name.
	Defaults map[string]any `json:"defaults"`
	Origin   string         `json:"origin"`
	// Revision is the origin's git commit or archive digest (-p sources).
	Revision string `json:"revision,omitempty"`
	// BundleRevision is the revision the origin bundle's manifest declares.
	BundleRevision string `json:"bundle_revision,omitempty"`
	// Verified says the origin bundle's signature was checked.
	Verified bool `json:"verified,omitempty"`
}

// builtinPolicies is the catalogue of the built-in policies, each with the
// defaults of its configuration section.
func builtinPolicies() ([]policyInfo, error) {
	catalogue, err := policies.Catalogue()
	if err != nil {
		return nil, err
	}
	cfg, err := config.Defaults()
	if err != nil {
		return nil, err
	}
	defaults := cfg.Sections
	infos := make([]policyInfo, len(catalogue))
	for i, p := range catalogue {
		infos[i] = policyInfo{Policy: p, Origin: gate.Builtin, Defaults: map[string]any{}}
		if sec, ok := defaults[p.Section].(map[string]any); ok {
			infos[i].Defaults = sec
		} else if v, ok := defaults[p.Section]; ok {
			infos[i].Defaults = map[string]any{p.Section: v}
		}
	}
	return infos, nil
}

func runPolicies(ctx context.Context, opts policiesOptions, w io.Writer) error {
	format := opts.Format
	if format != "json" && format != "text" {
		return fmt.Errorf("--format: want text or json, got %q", format)
	}
	infos, err := builtinPolicies()
	if err != nil {
		return err
	}
	var sources []bundles.Source
	if len(opts.Policy.Sources) > 0 {
		if _, sources, err = gate.LoadPolicies(ctx, opts.Policy, eval.Filter{}); err != nil {
			return err
		}
		infos = append(infos, sourcePolicies(sources)...)
	}
	if format == "json" {
		return writeJSON(w, infos)
	}
	for i, info := range infos {
		if info.Origin != gate.Builtin {
			continue
		}
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s — %s (%s)\n", info.Package, info.Title, info.Origin)
		fmt.Fprintf(w, "  %s\n", wrap(info.Description, 76, "  "))
		if info.Section == "" {
			continue
		}
		fmt.Fprintf(w, "  secgate.yaml section %q (data.secgate.config.%s):\n", info.Section, info.Section)
		printSection(w, info.Section)
	}
	fmt.Fprintf(w, "\nsections without a policy of their own: tickets (remediation ticket SLAs)\n")
	if _, err = fmt.Fprintf(w, "\ntop-level keys of the built-in policies:\n"); err != nil {
		return err
	}
	for _, key := range []string{"only_new", "exceptions_warn_days", "exceptions_unused"} {
		printSection(w, key)
	}
	return printSources(w, sources)
}

// sourcePolicies describes the packages of -p sources (the built-ins are
// listed already).
func sourcePolicies(sources []bundles.Source) []policyInfo {
	var out []policyInfo
	for _, s := range sources {
		if s.Kind == bundles.KindEmbedded {
			continue
		}
		for _, pkg := range s.Packages {
			out = append(out, policyInfo{
				Policy: policies.Policy{Package: pkg}, Defaults: map[string]any{},
				Origin: s.Address, Revision: s.Revision, BundleRevision: s.BundleRevision, Verified: s.Verified,
			})
		}
	}
	return out
}

// printSources lists what came from where.
func printSources(w io.Writer, sources []bundles.Source) error {
	if len(sources) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\npolicy sources:\n")
	for _, s := range sources {
		fmt.Fprintf(w, "  %s\n", s.Address)
		fmt.Fprintf(w, "    kind:      %s\n", s.Kind)
		if s.Revision != "" {
			fmt.Fprintf(w, "    revision:  %s\n", s.Revision)
		}
		if s.Kind == bundles.KindBundle {
			verified := "no"
			if s.Verified {
				verified = "yes"
			}
			fmt.Fprintf(w, "    bundle:    revision %q, roots %q, signature verified: %s\n", s.BundleRevision, s.Roots, verified)
		}
		fmt.Fprintf(w, "    packages:  %s\n", strings.Join(s.Packages, ", "))
		for _, m := range s.Modules {
			fmt.Fprintf(w, "      %s\n", m)
		}
	}
	return nil
}

// printSection prints each key of a secgate.yaml section with its default
// and its description, as the schema gives them.
func printSection(w io.Writer, section string) {
	sec, ok := config.Section(section)
	if !ok {
		return
	}
	if sec.Keys == nil {
		fmt.Fprintf(w, "    %s: %s\n", section, render(sec.Default))
		if sec.Description != "" {
			fmt.Fprintf(w, "      %s\n", sec.Description)
		}
		return
	}
	for _, k := range sec.Keys {
		fmt.Fprintf(w, "    %-18s %s\n", k.Name+":", render(k.Default))
		if k.Description != "" {
			fmt.Fprintf(w, "      %s\n", k.Description)
		}
	}
}

// render writes a default as YAML on one line: [a, b], {}, null.
func render(v any) string {
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return "?"
	}
	flow(&n)
	out, err := yaml.Marshal(&n)
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}

func flow(n *yaml.Node) {
	if n.Kind == yaml.SequenceNode || n.Kind == yaml.MappingNode {
		n.Style = yaml.FlowStyle
	}
	for _, c := range n.Content {
		flow(c)
	}
}

func wrap(s string, width int, indent string) string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		if line != "" && len(line)+1+len(word) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" {
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n"+indent)
}

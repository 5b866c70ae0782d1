package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"
	"gopkg.in/yaml.v3"

	"github.com/secgate/secgate/eval"
	"github.com/secgate/secgate/policies"
)

func policiesCommand() *cli.Command {
	return &cli.Command{
		Name:  "policies",
		Usage: "list the built-in policies, each with the configuration keys and defaults",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "text", Usage: "text or json"},
		},
		Action: func(c *cli.Context) error {
			return runPolicies(c.String("format"), c.App.Writer)
		},
	}
}

// policyInfo describes one built-in policy.
type policyInfo struct {
	Package     string         `json:"package"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Severity    string         `json:"severity,omitempty"`
	Section     string         `json:"config_section,omitempty"`
	Defaults    map[string]any `json:"defaults"`
	Origin      string         `json:"origin"`
}

func builtinPolicies() ([]policyInfo, error) {
	pols, err := eval.LoadFS(builtinSource, policies.FS, eval.Filter{})
	if err != nil {
		return nil, err
	}
	defaults, err := policies.Defaults()
	if err != nil {
		return nil, err
	}
	var out []policyInfo
	for _, m := range pols.Modules {
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		if pkg == "secgate.lib" {
			continue
		}
		info := policyInfo{Package: pkg, Origin: builtinSource, Defaults: map[string]any{}}
		for _, a := range m.Annotations {
			if a.Scope != "package" {
				continue
			}
			info.Title, info.Description = a.Title, strings.TrimSpace(a.Description)
			info.Severity, _ = a.Custom["severity"].(string)
			info.Section, _ = a.Custom["config"].(string)
		}
		if sec, ok := defaults[info.Section].(map[string]any); ok {
			info.Defaults = sec
		} else if v, ok := defaults[info.Section]; ok {
			info.Defaults = map[string]any{info.Section: v}
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Package < out[j].Package })
	return out, nil
}

func runPolicies(format string, w io.Writer) error {
	infos, err := builtinPolicies()
	if err != nil {
		return err
	}
	switch format {
	case "json":
		return writeJSON(w, infos)
	case "text":
	default:
		return fmt.Errorf("--format: want text or json, got %q", format)
	}
	node, err := policies.DefaultsNode()
	if err != nil {
		return err
	}
	root := node.Content[0]
	for i, info := range infos {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s — %s (%s)\n", info.Package, info.Title, info.Origin)
		fmt.Fprintf(w, "  %s\n", wrap(info.Description, 76, "  "))
		if info.Section == "" {
			continue
		}
		fmt.Fprintf(w, "  secgate.yaml section %q (data.secgate.config.%s):\n", info.Section, info.Section)
		printSection(w, root, info.Section)
	}
	_, err = fmt.Fprintf(w, "\nsections without a policy of their own: tickets (remediation ticket SLAs)\n")
	return err
}

// printSection prints each key of a defaults.yaml section with its default
// and the comment above it.
func printSection(w io.Writer, root *yaml.Node, section string) {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != section {
			continue
		}
		v := root.Content[i+1]
		if v.Kind != yaml.MappingNode {
			fmt.Fprintf(w, "    %s: %s\n", section, render(v))
			if c := comment(root.Content[i]); c != "" {
				fmt.Fprintf(w, "      %s\n", c)
			}
			return
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			fmt.Fprintf(w, "    %-18s %s\n", v.Content[j].Value+":", render(v.Content[j+1]))
			if c := comment(v.Content[j]); c != "" {
				fmt.Fprintf(w, "      %s\n", c)
			}
		}
	}
}

func comment(n *yaml.Node) string {
	var lines []string
	for _, l := range strings.Split(n.HeadComment, "\n") {
		lines = append(lines, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "#")))
	}
	return strings.Join(lines, " ")
}

func render(n *yaml.Node) string {
	out, err := yaml.Marshal(n)
	if err != nil {
		return "?"
	}
	s := strings.TrimSpace(string(out))
	if n.Kind != yaml.ScalarNode {
		s = strings.Join(strings.Fields(s), " ")
	}
	return s
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

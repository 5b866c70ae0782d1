package report

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/internal/textsafe"
)

// GitHub writes GitHub Actions workflow commands (::error and ::warning
// annotations on the files concerned) and, when GITHUB_STEP_SUMMARY names
// a file, appends the Markdown report to it as the job summary.
type GitHub struct {
	// Env reads the environment; nil means os.Getenv.
	Env func(string) string
}

// Name implements Format.
func (GitHub) Name() string { return "github" }

// maxAnnotations is GitHub's limit of annotations per step and type that
// are shown; the rest are summarised in one.
const maxAnnotations = 50

// Write implements Format.
func (g GitHub) Write(w io.Writer, r *gate.Result) error {
	shown := map[string]int{}
	for _, it := range items(r, true) {
		cmd := "error"
		if it.Level == "warning" {
			cmd = "warning"
		}
		shown[cmd]++
		if shown[cmd] > maxAnnotations {
			continue
		}
		path, line := place(r, it)
		props := []string{}
		if path != "" {
			props = append(props, "file="+escapeProperty(textsafe.Clean(path, textsafe.MaxField)))
			if line > 0 {
				props = append(props, fmt.Sprintf("line=%d", line))
			}
		}
		props = append(props, "title="+escapeProperty(textsafe.Clean(it.Msg.Policy+": "+title(it), textsafe.MaxField)))
		msg := textsafe.Clean(it.Msg.Msg, textsafe.MaxMessage)
		if it.Msg.Remediation != "" {
			msg += "\nfix: " + textsafe.Clean(it.Msg.Remediation, textsafe.MaxMessage)
		}
		if _, err := fmt.Fprintf(w, "::%s %s::%s\n", cmd, strings.Join(props, ","), escapeData(msg)); err != nil {
			return err
		}
	}
	for _, cmd := range []string{"error", "warning"} {
		if n := shown[cmd] - maxAnnotations; n > 0 {
			fmt.Fprintf(w, "::%s title=secgate::%d more %s(s) not annotated; see the job summary or -o json\n", cmd, n, cmd)
		}
	}
	fmt.Fprintf(w, "secgate: %s (%d violations, %d warnings)\n", r.Decision.Decision, len(r.Decision.Violations), len(r.Decision.Warnings))

	env := g.Env
	if env == nil {
		env = os.Getenv
	}
	if path := env("GITHUB_STEP_SUMMARY"); path != "" {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err)
		}
		err = Markdown{}.Write(f, r)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err)
		}
	}
	return nil
}

// escapeData escapes a workflow command's message as the runner expects.
// Report text is cleaned first (textsafe.Clean): no ESC, BEL or line break
// of a report reaches the log; the line breaks left are secgate's own.
func escapeData(s string) string {
	return dataEscaper.Replace(s)
}

// escapeProperty escapes a workflow command's property value.
func escapeProperty(s string) string {
	return propertyEscaper.Replace(s)
}

// The escapers are built once: a Replacer is costly to make, free to share.
var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

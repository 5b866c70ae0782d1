// Command benchrun times secgate on large reports and prints a Markdown
// table of wall time and peak memory (maximum resident set size), beside a
// baseline: a plain encoding/json decode of the same file into typed
// structs, run in a process of its own so its memory is measured alike.
//
//	go run ./tools/benchrun -bin bin/secgate FILE...
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/secgate", "the secgate binary")
	runs := flag.Int("runs", 3, "runs of each command; the fastest is reported")
	decode := flag.String("decode", "", "internal: decode FILE as trivy or sarif and exit")
	extra := flag.String("args", "", "the secgate command and flags, space separated, placed before the file (default \"ingest\")")
	baseline := flag.Bool("baseline", true, "also time the plain encoding/json decode of each file")
	header := flag.Bool("header", true, "print the table header")
	flag.Parse()
	if *decode != "" {
		if err := baselineDecode(*decode, flag.Arg(0)); err != nil {
			fmt.Fprintln(os.Stderr, "benchrun:", err)
			os.Exit(2)
		}
		return
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchrun:", err)
		os.Exit(2)
	}
	cmdArgs := []string{"ingest"}
	if *extra != "" {
		cmdArgs = strings.Fields(*extra)
	}
	if *header {
		fmt.Printf("| report | size | command | wall (best of %d) | peak RSS | RSS / size |\n", *runs)
		fmt.Println("|---|---|---|---|---|---|")
	}
	for _, file := range flag.Args() {
		st, err := os.Stat(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchrun:", err)
			os.Exit(2)
		}
		kind := "trivy"
		if strings.HasSuffix(file, ".sarif") {
			kind = "sarif"
		}
		type row struct {
			name string
			argv []string
		}
		var rows []row
		if *baseline {
			rows = append(rows, row{"encoding/json decode (baseline)", []string{self, "-decode", kind, file}})
		}
		rows = append(rows, row{filepath.Base(*bin) + " " + strings.Join(cmdArgs, " "), append(append([]string{*bin}, cmdArgs...), file)})
		for _, r := range rows {
			wall, rss, err := measure(r.argv, *runs)
			if err != nil {
				fmt.Fprintf(os.Stderr, "benchrun: %s: %v\n", strings.Join(r.argv, " "), err)
				os.Exit(2)
			}
			fmt.Printf("| %s | %.1f MB | %s | %.2f s | %.0f MB | %.1f× |\n", filepath.Base(file), mb(st.Size()), r.name,
				wall.Seconds(), mb(rss), float64(rss)/float64(st.Size()))
		}
	}
}

func mb(n int64) float64 { return float64(n) / 1e6 }

// measure runs argv n times with output discarded and returns the best wall
// time and the largest peak RSS.
func measure(argv []string, n int) (time.Duration, int64, error) {
	best, peak := time.Duration(1<<62), int64(0)
	for i := 0; i < n; i++ {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdout = io.Discard
		cmd.Stderr = os.Stderr
		start := time.Now()
		err := cmd.Run()
		wall := time.Since(start)
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
			err = nil // a gate that fails is still a measured run
		}
		if err != nil {
			return 0, 0, err
		}
		best = min(best, wall)
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peak = max(peak, ru.Maxrss*1024)
		}
	}
	return best, peak, nil
}

// The baseline structs hold the fields an ingester reads, as a plain typed
// decode would.
type trivyReport struct {
	SchemaVersion int
	ArtifactName  string
	Results       []struct {
		Target          string
		Type            string
		Vulnerabilities []struct {
			VulnerabilityID  string
			PkgName          string
			InstalledVersion string
			FixedVersion     string
			PkgIdentifier    struct{ PURL string }
			Severity         string
			Title            string
			Description      string
			CVSS             map[string]struct {
				V3Vector string
				V3Score  float64
			}
			References []string
		}
	}
}

type sarifLog struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name  string `json:"name"`
				Rules []struct {
					ID               string                `json:"id"`
					ShortDescription struct{ Text string } `json:"shortDescription"`
					Properties       map[string]any        `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string                `json:"ruleId"`
			RuleIndex int                   `json:"ruleIndex"`
			Level     string                `json:"level"`
			Message   struct{ Text string } `json:"message"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct{ URI string } `json:"artifactLocation"`
					Region           struct {
						StartLine   int `json:"startLine"`
						StartColumn int `json:"startColumn"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
		} `json:"results"`
	} `json:"runs"`
}

func baselineDecode(kind, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	switch kind {
	case "trivy":
		var r trivyReport
		return json.Unmarshal(data, &r)
	case "sarif":
		var r sarifLog
		return json.Unmarshal(data, &r)
	}
	return fmt.Errorf("unknown kind %q", kind)
}

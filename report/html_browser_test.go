package report_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/secgate/secgate/history"
	"github.com/secgate/secgate/report"
)

// browser finds headless Chromium (Debian's chromium package, which
// .ci/run installs). Without it the test is skipped, unless
// SECGATE_REQUIRE_CHROMIUM=1, as in CI.
func browser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("SECGATE_REQUIRE_CHROMIUM") == "1" {
		t.Fatal("no Chromium: apt-get install chromium")
	}
	t.Skip("no Chromium to render the page in (apt-get install chromium)")
	return ""
}

// trendOf records weekly runs of two versions in a SQLite history and
// returns their trend.
func trendOf(t *testing.T, oldReport, newReport string) *history.Trend {
	t.Helper()
	ctx := context.Background()
	s, err := history.Open(ctx, filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for week := range 6 {
		path := oldReport
		if week >= 3 {
			path = newReport
		}
		run := history.FromDocument(result(t, path).Document)
		run.Project, run.Stage, run.Decision = "shop", "weekly", "fail"
		run.Time = time.Date(2026, 10, 5, 6, 0, 0, 0, time.UTC).AddDate(0, 0, 7*week)
		if _, err := s.Record(ctx, &run); err != nil {
			t.Fatal(err)
		}
	}
	tr, err := s.Trend(ctx, history.Filter{Project: "shop"})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestHTMLRendersInChromium opens the page in headless Chromium: it
// renders with no console error and no request for anything (the page is
// one file), its tables sort and filter, its charts are drawn, and a
// report's text adds no element. The screenshots go to
// SECGATE_SCREENSHOTS when it names a folder.
func TestHTMLRendersInChromium(t *testing.T) {
	exe := browser(t)
	old := filepath.Join("..", "examples", "reports", "trivy-image.json")
	upgraded := filepath.Join("..", "testdata", "moved", "trivy-image-alpine310.upgraded.json")
	hostile := filepath.Join("..", "testdata", "hostile", "output")
	for _, tc := range []struct {
		name  string
		page  report.Page
		rows  int
		chart bool
	}{
		{"check", report.Page{Title: "secgate: check", Result: result(t, filepath.Join("..", "examples", "reports"))}, 1, false},
		{"check-with-history", report.Page{Title: "secgate: check", Result: result(t, upgraded), Trend: trendOf(t, old, upgraded)}, 1, true},
		{"history", report.Page{Title: "secgate history: shop", Trend: trendOf(t, old, upgraded)}, 0, true},
		{"hostile", report.Page{Title: "secgate: hostile", Result: result(t, filepath.Join(hostile, "trivy.json"), filepath.Join(hostile, "hostile.sarif"))}, 2, false},
		{"ratchet-shadow", report.Page{Title: "secgate: ratchet and shadow", Result: withRatchetAndShadow(result(t, filepath.Join("..", "examples", "reports")), 50)}, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := report.WritePage(&buf, tc.page); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(t.TempDir(), "page.html")
			if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			problems, shot, facts := inBrowser(t, exe, "file://"+file)
			for _, p := range problems {
				t.Error(p)
			}
			if img, err := png.Decode(bytes.NewReader(shot)); err != nil || img.Bounds().Dx() < 800 {
				t.Errorf("screenshot: %v", err)
			}
			if dir := os.Getenv("SECGATE_SCREENSHOTS"); dir != "" {
				os.WriteFile(filepath.Join(dir, "html-"+tc.name+".png"), shot, 0o644)
			}
			if facts.Scripts != 1 || facts.Links != 0 || facts.Images != 0 || facts.Iframes != 0 {
				t.Errorf("elements the page does not write: %+v", facts)
			}
			if tc.rows > 0 && (facts.Rows < tc.rows || !facts.Sorted || !facts.Filtered) {
				t.Errorf("the violations table: %+v", facts)
			}
			if tc.chart != (facts.Charts > 0) {
				t.Errorf("charts: %d", facts.Charts)
			}
		})
	}
}

// pageFacts are what a script finds on the rendered page.
type pageFacts struct {
	Scripts, Links, Images, Iframes, Charts, Rows int
	// Sorted: a click on the Severity header put the least severe row
	// first. Filtered: text in the filter hid the rows without it.
	Sorted, Filtered bool
}

const inspect = `(function () {
  var f = {Scripts: document.scripts.length, Links: document.querySelectorAll("a").length,
    Images: document.querySelectorAll("img, image").length, Iframes: document.querySelectorAll("iframe, object, embed").length,
    Charts: document.querySelectorAll("figure svg polyline, figure svg rect").length, Rows: 0, Sorted: false, Filtered: false};
  var table = document.querySelector("table.messages");
  if (table) {
    var rows = table.tBodies[0].rows;
    f.Rows = rows.length;
    var rank = function (r) { return Number(r.cells[0].getAttribute("data-key")); };
    table.querySelector("th").click();
    f.Sorted = rank(table.tBodies[0].rows[0]) <= rank(table.tBodies[0].rows[rows.length - 1]);
    var input = document.querySelector("[data-filter]");
    input.value = "zzz-nothing-has-this";
    input.dispatchEvent(new Event("input"));
    f.Filtered = Array.prototype.every.call(document.querySelectorAll("table.messages tbody tr"), function (r) { return r.hidden; });
    input.value = "";
    input.dispatchEvent(new Event("input"));
  }
  return f;
})()`

// inBrowser loads url in headless Chromium and returns every console
// message (errors, warnings, exceptions, the browser's log: a blocked
// request or a Content-Security-Policy violation lands there) and every
// request but the page's own, a screenshot, and the page's facts.
func inBrowser(t *testing.T, exe, url string) (problems []string, shot []byte, facts pageFacts) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.Flag("headless", "new"), chromedp.WindowSize(1200, 1600))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var mu sync.Mutex
	note := func(p string) {
		mu.Lock()
		problems = append(problems, p)
		mu.Unlock()
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok && e.Request.URL != url {
			note("request: " + e.Request.URL)
		}
	}); err != nil {
		t.Fatal(err)
	}
	cctx, stop := context.WithCancel(ctx)
	messages := chromedp.Console(cctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type != chromedp.ConsoleLog && m.Type != chromedp.ConsoleDebug && m.Type != chromedp.ConsoleInfo {
				note("console " + m.String())
			}
		}
	}()
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady("body")); err != nil {
		t.Fatal(err)
	}
	var err error
	if shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100)); err != nil {
		t.Fatal(err)
	}
	if facts, err = chromedp.Run(ctx, chromedp.Evaluate[pageFacts](inspect)); err != nil {
		t.Fatal(err)
	}
	// Messages already sent arrive before the stop.
	time.Sleep(200 * time.Millisecond)
	stop()
	<-done
	mu.Lock()
	defer mu.Unlock()
	return append([]string(nil), problems...), shot, facts
}

// TestBrowserHarnessSees: the harness itself reports what the page test
// must not see: a console error, an exception and a request (to a
// loopback port nothing listens on).
func TestBrowserHarnessSees(t *testing.T) {
	exe := browser(t)
	file := filepath.Join(t.TempDir(), "bad.html")
	bad := `<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png"><script>console.error("boom"); null.x;</script></body></html>`
	if err := os.WriteFile(file, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	problems, _, facts := inBrowser(t, exe, "file://"+file)
	joined := fmt.Sprint(problems)
	for _, want := range []string{"console error: boom", "exception", "request: http://127.0.0.1:9/x.png"} {
		if !strings.Contains(joined, want) {
			t.Errorf("the harness missed %q: %v", want, problems)
		}
	}
	if facts.Images != 1 {
		t.Errorf("images: %d", facts.Images)
	}
}

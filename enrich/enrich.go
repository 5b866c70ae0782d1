// Package enrich adds offline exploit data to findings: FIRST's EPSS scores
// (the daily CSV, plain or gzipped) and CISA's Known Exploited
// Vulnerabilities catalogue (its JSON feed). Files are read as given;
// nothing is downloaded unless the user names an http(s) URL, and then
// under secgate's network policy (package internal/netpolicy).
package enrich

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/internal/limitread"
	"github.com/secgate/secgate/internal/netpolicy"
)

// MaxSize bounds an exploit data file (uncompressed): the full EPSS CSV is
// about 15 MB, the KEV catalogue about 1.5 MB.
const MaxSize = 256 << 20

// Options say how an http(s) URL is downloaded.
type Options struct {
	// Net is the network policy: plain http only to loopback unless
	// allowed, and the fetch timeout (see netpolicy).
	Net netpolicy.Options
	// Transport makes the requests; nil means the default one. Whatever
	// it is, every request passes netpolicy's guard first.
	Transport http.RoundTripper
}

// EPSS maps CVE ids (upper case) to their scores.
type EPSS map[string]document.EPSS

// KEV maps CVE ids (upper case) to their catalogue entries.
type KEV map[string]document.KEV

// isURL says whether src is an http(s) URL rather than a file.
func isURL(src string) bool {
	s := strings.ToLower(src)
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// open reads a file, or downloads an explicit http(s) URL (under the
// network policy of opts), bounded by MaxSize and gunzipped when it is
// gzip. Its errors never quote src: the caller names it, redacted.
func open(ctx context.Context, src string, opts Options) ([]byte, error) {
	if isURL(src) {
		return download(ctx, src, opts)
	}
	f, err := os.Open(src)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, err
	}
	defer f.Close()
	return decode(f)
}

// download fetches src through the network policy's one fetcher; the
// refusal of a URL the policy forbids comes before anything is dialled.
func download(ctx context.Context, src string, opts Options) ([]byte, error) {
	f := netpolicy.NewFetcher(opts.Net, &http.Client{Transport: opts.Transport})
	resp, err := f.Do(ctx, netpolicy.Request{
		URL:     src,
		OK:      func(status int) bool { return status == http.StatusOK },
		MaxBody: MaxSize,
	})
	if err != nil {
		return nil, err
	}
	return decode(bytes.NewReader(resp.Body))
}

// decode reads r, bounded by MaxSize, gunzipping it when it is gzip.
func decode(r io.Reader) ([]byte, error) {
	br := bufio.NewReader(io.LimitReader(r, MaxSize+1))
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		data, err := limitread.Read(zr, MaxSize, 0)
		if errors.Is(err, limitread.ErrTooLarge) {
			return nil, fmt.Errorf("more than %d bytes uncompressed", MaxSize)
		}
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return data, nil
	}
	data, err := limitread.Read(br, MaxSize, 0)
	if errors.Is(err, limitread.ErrTooLarge) {
		return nil, fmt.Errorf("more than %d bytes", MaxSize)
	}
	if err != nil {
		return nil, err
	}
	return data, nil
}

// LoadEPSS reads FIRST's EPSS CSV: an optional "#model_version:…,score_date:…"
// comment line, the header "cve,epss,percentile", one row per CVE.
func LoadEPSS(ctx context.Context, src string, opts Options) (EPSS, error) {
	data, err := open(ctx, src, opts)
	if err != nil {
		return nil, fmt.Errorf("epss %s: %w", netpolicy.Redact(src), err)
	}
	out, err := ParseEPSS(data)
	if err != nil {
		return nil, fmt.Errorf("epss %s: %w", netpolicy.Redact(src), err)
	}
	return out, nil
}

// ParseEPSS reads the EPSS CSV from memory (see LoadEPSS).
func ParseEPSS(data []byte) (EPSS, error) {
	date := ""
	if bytes.HasPrefix(data, []byte("#")) {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		for _, kv := range strings.Split(strings.TrimPrefix(strings.TrimSpace(string(line)), "#"), ",") {
			if k, v, ok := strings.Cut(kv, ":"); ok && k == "score_date" {
				date = v
				if len(date) >= 10 {
					date = date[:10]
				}
			}
		}
		data = rest
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	ci, ok1 := col["cve"]
	ei, ok2 := col["epss"]
	pi, ok3 := col["percentile"]
	if !ok1 || !ok2 || !ok3 {
		return nil, fmt.Errorf("want the columns cve, epss, percentile; got %s", strings.Join(header, ","))
	}
	out := EPSS{}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(rec) <= max(ci, ei, pi) {
			return nil, fmt.Errorf("row %d: want %d columns", line, len(header))
		}
		score, err1 := strconv.ParseFloat(rec[ei], 64)
		pct, err2 := strconv.ParseFloat(rec[pi], 64)
		if err1 != nil || err2 != nil || score < 0 || score > 1 || pct < 0 || pct > 1 {
			return nil, fmt.Errorf("row %d: want scores between 0 and 1, got %q, %q", line, rec[ei], rec[pi])
		}
		out[strings.ToUpper(strings.TrimSpace(rec[ci]))] = document.EPSS{Score: score, Percentile: pct, Date: date}
	}
	if len(out) == 0 {
		return nil, errors.New("no scores")
	}
	return out, nil
}

// LoadKEV reads CISA's known_exploited_vulnerabilities.json.
func LoadKEV(ctx context.Context, src string, opts Options) (KEV, error) {
	data, err := open(ctx, src, opts)
	if err != nil {
		return nil, fmt.Errorf("kev %s: %w", netpolicy.Redact(src), err)
	}
	out, err := ParseKEV(data)
	if err != nil {
		return nil, fmt.Errorf("kev %s: %w", netpolicy.Redact(src), err)
	}
	return out, nil
}

// ParseKEV reads the KEV catalogue from memory (see LoadKEV).
func ParseKEV(data []byte) (KEV, error) {
	var cat struct {
		CatalogVersion  string `json:"catalogVersion"`
		Vulnerabilities *[]struct {
			CVEID          string `json:"cveID"`
			DateAdded      string `json:"dateAdded"`
			RequiredAction string `json:"requiredAction"`
			DueDate        string `json:"dueDate"`
		} `json:"vulnerabilities"`
	}
	if err := json.Unmarshal(data, &cat); err != nil {
		return nil, err
	}
	if cat.Vulnerabilities == nil {
		return nil, errors.New("not a KEV catalogue (no vulnerabilities list)")
	}
	out := KEV{}
	for _, v := range *cat.Vulnerabilities {
		if v.CVEID == "" {
			continue
		}
		out[strings.ToUpper(v.CVEID)] = document.KEV{Listed: true, DateAdded: v.DateAdded, RequiredAction: v.RequiredAction, DueDate: v.DueDate}
	}
	return out, nil
}

// Apply sets epss and kev on every vulnerability finding whose rule id or
// aliases name a CVE in the data. With several CVEs, the highest EPSS wins.
// Data the report itself stated is replaced: the files given are newer.
func Apply(doc *document.Document, epss EPSS, kev KEV) {
	if len(epss) == 0 && len(kev) == 0 {
		return
	}
	// KEV and EPSS are part of the findings' order (document.WorstFirst).
	defer doc.SortFindings()
	for i := range doc.Findings {
		f := &doc.Findings[i]
		if f.Kind != document.KindVulnerability {
			continue
		}
		for _, id := range append([]string{f.RuleID}, f.Aliases...) {
			id = strings.ToUpper(id)
			if !strings.HasPrefix(id, "CVE-") {
				continue
			}
			if e, ok := epss[id]; ok && (f.EPSS == nil || e.Score > f.EPSS.Score || f.EPSS.Date < e.Date) {
				e := e
				f.EPSS = &e
			}
			if k, ok := kev[id]; ok {
				k := k
				f.KEV = &k
			}
		}
	}
}

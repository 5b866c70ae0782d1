// Package waivervex states the exceptions of secgate.yaml that are in force
// as an OpenVEX document (https://openvex.dev), for the consumers of a
// product to read what its team waived, and why.
//
// A waiver is not, by itself, a claim that a product is not affected: most
// accept a risk for a time. So each one becomes a statement of what it
// says:
//
//   - with a justification (one of OpenVEX's), the team says the product is
//     not affected: status not_affected, that justification, the reason as
//     the impact statement;
//   - without one, the risk is accepted: status affected, the reason and the
//     last day as the action statement.
//
// Either way the status notes say it is a secgate.yaml exception, until
// when, and its owner and ticket when it names them.
//
// Only waivers by a vulnerability id become statements: an OpenVEX
// statement names a vulnerability, which a waiver by rule or purl pattern,
// or by a finding's fingerprint, does not. Those, and waivers not in force
// (expired, or lacking a reason or a date), are returned as Skipped, each
// with why.
package waivervex

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/openvex/go-vex/pkg/vex"
)

// Options are what a document needs besides the waivers.
type Options struct {
	// Products are the products every statement is about (purls or
	// other ids); at least one when any waiver becomes a statement.
	Products []string
	// Now is the time waivers are judged by and the document's
	// timestamp.
	Now time.Time
	// Author is the document's author; "" is go-vex's default.
	Author string
	// Tooling names what wrote the document.
	Tooling string
}

// Skipped is a waiver not stated, and why.
type Skipped struct {
	// What names the waiver: its id, "rule R" or "purl P".
	What string
	Why  string
}

// ErrNoProduct says a document would have statements about no product,
// which OpenVEX does not allow and no reader applies.
var ErrNoProduct = errors.New("an OpenVEX statement must name a product, and a waiver by id names none")

// Document states the waivers in force at opts.Now. Waivers are
// secgate.yaml's exceptions as the configuration holds them: objects with
// id, rule or purl, reason, expires and the optional owner, ticket and
// justification. The same waivers, options and time give the same bytes
// (see Encode).
func Document(waivers []any, opts Options) (*vex.VEX, []Skipped, error) {
	var skipped []Skipped
	var stmts []vex.Statement
	for _, raw := range waivers {
		w, ok := raw.(map[string]any)
		if !ok {
			continue
		}
		what, why := judge(w, opts.Now)
		if why != "" {
			skipped = append(skipped, Skipped{What: what, Why: why})
			continue
		}
		stmts = append(stmts, statement(w))
	}
	doc := vex.VEX{Metadata: vex.Metadata{
		Context: vex.ContextLocator(),
		Author:  opts.Author,
		Version: 1,
		Tooling: opts.Tooling,
	}, Statements: []vex.Statement{}}
	if doc.Author == "" {
		doc.Author = vex.DefaultAuthor
	}
	ts := opts.Now.UTC().Truncate(time.Second)
	doc.Timestamp = &ts
	if len(stmts) > 0 {
		var products []vex.Product
		seen := map[string]bool{}
		for _, p := range opts.Products {
			if p = strings.TrimSpace(p); p != "" && !seen[p] {
				seen[p] = true
				products = append(products, vex.Product{Component: vex.Component{ID: p}})
			}
		}
		if len(products) == 0 {
			return nil, skipped, ErrNoProduct
		}
		sort.Slice(products, func(i, j int) bool { return products[i].ID < products[j].ID })
		for i := range stmts {
			stmts[i].Products = products
		}
	}
	sort.SliceStable(stmts, func(i, j int) bool {
		a, b := stmts[i], stmts[j]
		if a.Vulnerability.Name != b.Vulnerability.Name {
			return a.Vulnerability.Name < b.Vulnerability.Name
		}
		return a.StatusNotes < b.StatusNotes
	})
	for i := range stmts {
		if err := stmts[i].Validate(); err != nil {
			return nil, skipped, fmt.Errorf("statement on %s: %w", stmts[i].Vulnerability.Name, err)
		}
	}
	doc.Statements = append(doc.Statements, stmts...)
	id, err := documentID(&doc)
	if err != nil {
		return nil, skipped, err
	}
	doc.ID = id
	return &doc, skipped, nil
}

// Encode writes doc as indented JSON.
func Encode(doc *vex.VEX) ([]byte, error) {
	var b bytes.Buffer
	if err := doc.ToJSON(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// documentID names a document by its content, so that the same waivers
// at the same time are the same document, and any change (a reason, an
// owner) is another: go-vex's canonical hash leaves the texts out.
func documentID(doc *vex.VEX) (string, error) {
	doc.ID = ""
	data, err := Encode(doc)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return vex.PublicNamespace + "/public/vex-" + hex.EncodeToString(sum[:]), nil
}

// judge names a waiver and says why it is not stated, or "" when it is.
func judge(w map[string]any, now time.Time) (what, why string) {
	id, _ := w["id"].(string)
	rule, _ := w["rule"].(string)
	purl, _ := w["purl"].(string)
	switch {
	case id != "":
		what = id
	case rule != "":
		what = "rule " + rule
	case purl != "":
		what = "purl " + purl
	default:
		return "(nothing)", "it names nothing"
	}
	reason, _ := w["reason"].(string)
	expires, _ := w["expires"].(string)
	last, err := time.Parse(time.DateOnly, expires)
	switch {
	case strings.TrimSpace(reason) == "" || err != nil:
		return what, "it lacks a reason or an expires date, so it is not in force"
	case !now.Before(last.AddDate(0, 0, 1)):
		return what, fmt.Sprintf("it expired on %s", expires)
	case id == "":
		return what, "a waiver by rule or purl pattern names no vulnerability, which an OpenVEX statement must"
	case !IsVulnerabilityID(id):
		return what, "not a vulnerability id (CVE-, GHSA-, GO-, PYSEC-, RUSTSEC-, OSV- …): an OpenVEX statement names a vulnerability"
	}
	return what, ""
}

// statement is the statement of a waiver in force by vulnerability id.
func statement(w map[string]any) vex.Statement {
	str := func(k string) string { s, _ := w[k].(string); return strings.TrimSpace(s) }
	reason, expires := str("reason"), str("expires")
	notes := "secgate.yaml exception, in force until " + expires
	var who []string
	if o := str("owner"); o != "" {
		who = append(who, "owner "+o)
	}
	if t := str("ticket"); t != "" {
		who = append(who, "ticket "+t)
	}
	if len(who) > 0 {
		notes += "; " + strings.Join(who, ", ")
	}
	s := vex.Statement{
		Vulnerability: vex.Vulnerability{Name: vex.VulnerabilityID(str("id"))},
		StatusNotes:   notes,
	}
	if j := str("justification"); j != "" {
		s.Status = vex.StatusNotAffected
		s.Justification = vex.Justification(j)
		s.ImpactStatement = reason
	} else {
		s.Status = vex.StatusAffected
		s.ActionStatement = fmt.Sprintf("Risk accepted until %s: %s", expires, reason)
	}
	return s
}

// vulnPrefixes are the prefixes of the vulnerability ids a waiver's id is
// stated under: CVE, GitHub, the Go, PyPI and RustSec databases, OSV and
// the GSD, Snyk, GitLab, malicious packages, and the distributions'
// advisories.
var vulnPrefixes = []string{
	"CVE-", "GHSA-", "GO-", "PYSEC-", "RUSTSEC-", "OSV-", "GSD-", "SNYK-", "GMS-", "MAL-",
	"RHSA-", "RHBA-", "RHEA-", "DSA-", "DLA-", "USN-", "ALAS-", "ALAS2-", "ALSA-", "ELSA-", "RLSA-",
	"SUSE-SU-", "OPENSUSE-SU-", "CGA-", "BIT-",
}

// IsVulnerabilityID says whether id is a vulnerability id: a known prefix
// followed by letters, digits, '-', '.', '_' or ':'.
func IsVulnerabilityID(id string) bool {
	u := strings.ToUpper(id)
	for _, p := range vulnPrefixes {
		rest, ok := strings.CutPrefix(u, p)
		if !ok || rest == "" {
			continue
		}
		return !strings.ContainsFunc(rest, func(r rune) bool {
			return !('A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '.' || r == '_' || r == ':')
		})
	}
	return false
}

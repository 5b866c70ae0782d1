// Package openvex ingests OpenVEX documents (https://openvex.dev): v0.2.0,
// the legacy v0.0.1 and the unversioned context. A VEX document holds no
// findings: its statements say, for a vulnerability in some products,
// whether they are affected, and the document applies them to the
// findings of every other report when it is finished.
//
// Statements are read into go-vex's own types (vex.Vulnerability,
// vex.Product, vex.Status, vex.Justification), but the envelope is read
// leniently, as tools write it: timestamps without a time zone (which
// go-vex's time.Time fields refuse), a version given as a string, and the
// legacy forms of a vulnerability and of products as plain strings.
package openvex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/openvex/go-vex/pkg/vex"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/ingest/sniff"
)

// Ingester reads OpenVEX documents.
type Ingester struct{}

// New returns the OpenVEX ingester.
func New() *Ingester { return &Ingester{} }

// Format implements ingest.Ingester.
func (*Ingester) Format() string { return "openvex" }

// Detect implements ingest.Ingester. It claims an object with statements
// whose @context is OpenVEX's (https://openvex.dev/ns, with or without a
// version), refusing versions other than v0.0.1 and v0.2.x.
func (*Ingester) Detect(f *sniff.File) (bool, error) {
	if f.Shape != sniff.JSONObject || !f.Has("statements") {
		return false, nil
	}
	ctx, ok := openvexContext(f.Keys["@context"])
	if !ok {
		return false, nil
	}
	if err := checkVersion(ctx); err != nil {
		return true, err
	}
	return true, nil
}

// openvexContext returns the OpenVEX context locator of a raw @context (a
// string, or a JSON-LD list holding one).
func openvexContext(raw json.RawMessage) (string, bool) {
	var list []string
	var s string
	if json.Unmarshal(raw, &s) == nil {
		list = []string{s}
	} else if json.Unmarshal(raw, &list) != nil {
		return "", false
	}
	for _, c := range list {
		c = strings.TrimSpace(c)
		rest, ok := strings.CutPrefix(strings.TrimPrefix(strings.TrimPrefix(c, "https://"), "http://"), strings.TrimPrefix(vex.Context, "https://"))
		if ok && (rest == "" || rest[0] == '/') {
			return c, true
		}
	}
	return "", false
}

// checkVersion refuses an OpenVEX version this ingester cannot read.
func checkVersion(ctx string) error {
	v := ctx[strings.LastIndex(ctx, "/ns")+3:]
	v = strings.TrimPrefix(v, "/")
	switch {
	case v == "", v == "v0.0.1", strings.HasPrefix(v, "v0.2."):
		return nil
	}
	return fmt.Errorf("%w OpenVEX version %q (want v0.0.1 or v0.2.x)", sniff.ErrUnsupported, v)
}

// envelope is an OpenVEX document, read leniently: the fields that take
// several forms are kept raw and read one by one (decoder), so that an
// error in one points at its line in the document.
type envelope struct {
	ID          string            `json:"@id"`
	Author      string            `json:"author"`
	Timestamp   json.RawMessage   `json:"timestamp"`
	LastUpdated json.RawMessage   `json:"last_updated"`
	Tooling     string            `json:"tooling"`
	Statements  []json.RawMessage `json:"statements"`
}

// statement is one statement: go-vex's fields, the vulnerability and the
// products raw (an object or, as v0.0.1 wrote them, a string).
type statement struct {
	Vulnerability   json.RawMessage   `json:"vulnerability"`
	Timestamp       json.RawMessage   `json:"timestamp"`
	Products        []json.RawMessage `json:"products"`
	Subcomponents   []string          `json:"subcomponents"` // v0.0.1
	Status          vex.Status        `json:"status"`
	Justification   vex.Justification `json:"justification"`
	ImpactStatement string            `json:"impact_statement"`
	ActionStatement string            `json:"action_statement"`
}

// decoder decodes parts of one document, reporting errors at their
// place in the whole.
type decoder struct{ data []byte }

// locator finds where a part starts in the document, or -1; it is called
// only when the part fails to decode.
type locator func() int64

// decode decodes raw, a part of the document that starts where at says,
// into v. encoding/json counts an error's offset from the start of what it
// decodes: it is moved to the part's place in the document, and a type
// error's field is prefixed with label.
func (d decoder) decode(raw json.RawMessage, v any, label string, at locator) error {
	err := json.Unmarshal(raw, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && label != "" {
		// go-vex embeds Component in Product and Subcomponent.
		te.Field = strings.ReplaceAll(te.Field, "Component.", "")
		if te.Field == "" {
			te.Field = label
		} else {
			te.Field = label + "." + te.Field
		}
	}
	start := at()
	if start < 0 {
		return sniff.DecodeError(raw, err)
	}
	var se *json.SyntaxError
	switch {
	case te != nil:
		te.Offset += start
	case errors.As(err, &se):
		se.Offset += start
	}
	return sniff.DecodeError(d.data, err)
}

// keyAt returns where the value of key starts in the object starting at
// base, or -1.
func (d decoder) keyAt(base int64, key string) int64 {
	return d.walk(base, func(k string, _ int) bool { return k == key })
}

// elemAt returns where the i-th element starts in the array starting at
// base, or -1.
func (d decoder) elemAt(base int64, i int) int64 {
	return d.walk(base, func(_ string, n int) bool { return n == i })
}

// walk returns where the first member of the object or array starting at
// base that match says yes to starts, or -1.
func (d decoder) walk(base int64, match func(key string, n int) bool) int64 {
	if base < 0 || base >= int64(len(d.data)) {
		return -1
	}
	dec := json.NewDecoder(bytes.NewReader(d.data[base:]))
	open, err := dec.Token()
	if err != nil || (open != json.Delim('{') && open != json.Delim('[')) {
		return -1
	}
	for n := 0; dec.More(); n++ {
		key := ""
		if open == json.Delim('{') {
			tok, err := dec.Token()
			if err != nil {
				return -1
			}
			key, _ = tok.(string)
		}
		off := base + dec.InputOffset()
		for off < int64(len(d.data)) && strings.IndexByte(" \t\r\n:,", d.data[off]) >= 0 {
			off++
		}
		if match(key, n) {
			return off
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return -1
		}
	}
	return -1
}

// within returns a locator of a key of the part at locates.
func (d decoder) within(at locator, key string) locator {
	return func() int64 { return d.keyAt(at(), key) }
}

// isString says whether a raw value is a JSON string; isNull whether it
// is absent or null.
func isString(raw json.RawMessage) bool { return len(raw) > 0 && raw[0] == '"' }
func isNull(raw json.RawMessage) bool   { return len(raw) == 0 || string(raw) == "null" }

// vulnerability reads a vex.Vulnerability, or (v0.0.1) its name alone.
func (d decoder) vulnerability(raw json.RawMessage, at locator) (vex.Vulnerability, error) {
	var v vex.Vulnerability
	if isString(raw) {
		var name string
		err := d.decode(raw, &name, "vulnerability", at)
		v.Name = vex.VulnerabilityID(name)
		return v, err
	}
	if isNull(raw) {
		return v, nil
	}
	return v, d.decode(raw, &v, "vulnerability", at)
}

// product reads a vex.Product, or (v0.0.1) its id alone.
func (d decoder) product(raw json.RawMessage, label string, at locator) (vex.Product, error) {
	var p vex.Product
	if isString(raw) {
		return p, d.decode(raw, &p.ID, label, at)
	}
	if isNull(raw) {
		return p, nil
	}
	return p, d.decode(raw, &p, label, at)
}

// stamp is a timestamp as written (raw) and normalised to RFC 3339 in
// UTC when it can be read (at): OpenVEX wants RFC 3339, tools also write
// local times without a zone (taken as UTC) and dates.
type stamp struct{ raw, at string }

var stampLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02"}

// stamp reads a timestamp.
func (d decoder) stamp(raw json.RawMessage, label string, at locator) (stamp, error) {
	var s stamp
	if isNull(raw) {
		return s, nil
	}
	if err := d.decode(raw, &s.raw, label, at); err != nil {
		return s, err
	}
	s.raw = strings.TrimSpace(s.raw)
	s.at = s.raw
	for _, layout := range stampLayouts {
		if t, err := time.Parse(layout, s.raw); err == nil {
			s.at = t.UTC().Format(time.RFC3339Nano)
			break
		}
	}
	return s, nil
}

// Ingest implements ingest.Ingester.
func (in *Ingester) Ingest(f *sniff.File) (*document.Report, error) {
	if f.Shape != sniff.JSONObject {
		return nil, errors.New("not an OpenVEX document: want a JSON object")
	}
	if ctx, ok := openvexContext(f.Keys["@context"]); ok {
		if err := checkVersion(ctx); err != nil {
			return nil, err
		}
	}
	d := decoder{data: bytes.TrimPrefix(f.Data, []byte("\xef\xbb\xbf"))}
	var doc envelope
	if err := json.Unmarshal(d.data, &doc); err != nil {
		return nil, sniff.DecodeError(d.data, err)
	}
	top := func() int64 { return 0 }
	created, err := d.stamp(doc.Timestamp, "timestamp", d.within(top, "timestamp"))
	if err != nil {
		return nil, err
	}
	updated, err := d.stamp(doc.LastUpdated, "last_updated", d.within(top, "last_updated"))
	if err != nil {
		return nil, err
	}
	rep := &document.Report{
		Tool:       document.Tool{Name: toolName(&doc)},
		Created:    created.raw,
		Findings:   []document.Finding{},
		Statements: make([]document.Statement, 0, len(doc.Statements)),
	}
	// A statement without a time has the document's.
	fallback := updated.at
	if fallback == "" {
		fallback = created.at
	}
	for i, raw := range doc.Statements {
		if isNull(raw) {
			continue
		}
		at := func() int64 { return d.elemAt(d.keyAt(0, "statements"), i) }
		s, err := d.convert(raw, at, strings.TrimSpace(doc.ID), fallback)
		if err != nil {
			return nil, fmt.Errorf("statements[%d]: %w", i, err)
		}
		rep.Statements = append(rep.Statements, s)
	}
	return rep, nil
}

// toolName names what wrote the document: its tooling, else its author.
func toolName(doc *envelope) string {
	for _, s := range []string{doc.Tooling, doc.Author} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return "openvex"
}

// convert turns one statement into the document's terms.
func (d decoder) convert(raw json.RawMessage, at locator, source, fallback string) (document.Statement, error) {
	var st statement
	if err := d.decode(raw, &st, "", at); err != nil {
		return document.Statement{}, err
	}
	v, err := d.vulnerability(st.Vulnerability, d.within(at, "vulnerability"))
	if err != nil {
		return document.Statement{}, err
	}
	name := strings.TrimSpace(string(v.Name))
	id := strings.TrimSpace(v.ID)
	if name == "" {
		name = lastSegment(id)
	}
	if name == "" {
		return document.Statement{}, errors.New("no vulnerability name or @id")
	}
	if !st.Status.Valid() {
		return document.Statement{}, fmt.Errorf("vulnerability %s: status %q (want one of %s)",
			name, st.Status, strings.Join(vex.Statuses(), ", "))
	}
	ts, err := d.stamp(st.Timestamp, "timestamp", d.within(at, "timestamp"))
	if err != nil {
		return document.Statement{}, err
	}
	s := document.Statement{
		Vulnerability:   name,
		Status:          string(st.Status),
		Justification:   string(st.Justification),
		ImpactStatement: strings.TrimSpace(st.ImpactStatement),
		ActionStatement: strings.TrimSpace(st.ActionStatement),
		Timestamp:       ts.at,
		Source:          source,
	}
	if s.Timestamp == "" {
		s.Timestamp = fallback
	}
	for _, a := range v.Aliases {
		if a := strings.TrimSpace(string(a)); a != "" && a != name {
			s.Aliases = append(s.Aliases, a)
		}
	}
	if seg := lastSegment(id); seg != "" && seg != name && !contains(s.Aliases, seg) {
		s.Aliases = append(s.Aliases, seg)
	}
	products := 0
	for j, raw := range st.Products {
		p, err := d.product(raw, fmt.Sprintf("products[%d]", j), func() int64 { return d.elemAt(d.keyAt(at(), "products"), j) })
		if err != nil {
			return document.Statement{}, err
		}
		if isNull(raw) {
			continue
		}
		products++
		id := componentID(&p.Component)
		if id == "" {
			continue
		}
		prod := document.Product{ID: id}
		for i := range p.Subcomponents {
			if sub := componentID(&p.Subcomponents[i].Component); sub != "" && !contains(prod.Subcomponents, sub) {
				prod.Subcomponents = append(prod.Subcomponents, sub)
			}
		}
		// v0.0.1: the statement's subcomponents are in each of its products.
		for _, sub := range st.Subcomponents {
			if sub = strings.TrimSpace(sub); sub != "" && !contains(prod.Subcomponents, sub) {
				prod.Subcomponents = append(prod.Subcomponents, sub)
			}
		}
		s.Products = append(s.Products, prod)
	}
	if len(s.Products) == 0 && products > 0 {
		return document.Statement{}, fmt.Errorf("vulnerability %s: products without an @id or identifier", name)
	}
	return s, nil
}

// componentID names a product or subcomponent by its purl identifier, else
// its @id, else its CPE: a purl is what findings' packages and sources'
// subjects are compared with.
func componentID(c *vex.Component) string {
	for _, id := range []string{c.Identifiers[vex.PURL], c.ID, c.Identifiers[vex.CPE23], c.Identifiers[vex.CPE22]} {
		if id = strings.TrimSpace(id); id != "" {
			return id
		}
	}
	return ""
}

// lastSegment is the last path segment of an IRI ("GO-2020-0015" of
// https://pkg.go.dev/vuln/GO-2020-0015), or the id itself.
func lastSegment(id string) string {
	id = strings.TrimRight(strings.TrimSpace(id), "/")
	if i := strings.LastIndexAny(id, "/#"); i >= 0 && strings.Contains(id, "://") {
		return id[i+1:]
	}
	return id
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

package trivy

import (
	"bytes"
	"errors"
	"strings"
	"unsafe"

	gojson "github.com/goccy/go-json"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/internal/jsonscan"
)

// errShape stops the fast walk at anything it does not expect; the
// report is then converted again by encoding/json's streaming decoder,
// whose errors are the ones reported.
var errShape = errors.New("unexpected shape")

// walk converts a report already known to be valid JSON by walking its
// bytes: the scanner delimits objects and arrays, and goccy/go-json
// decodes each small value. It gives what stream gives
// (FuzzFastDecoderAgrees).
//
// goccy's strings point into the copy of the bytes it decoded; each
// finding's strings are copied into the converter's arena as soon as it
// is made, so those copies die young.
func (c *converter) walk(data []byte, rep *document.Report) error {
	i := jsonscan.SkipSpace(data, 0)
	if i >= len(data) {
		return errShape
	}
	if data[i] == '[' {
		_, err := walkArray(data, i, func(s, e int) error { return c.walkResult(data, s) })
		return err
	}
	_, err := walkObject(data, i, func(key string, s, e int) error {
		switch key {
		case "CreatedAt":
			if err := gojson.Unmarshal(data[s:e], &rep.Created); err != nil {
				return err
			}
			c.arena.detach(&rep.Created)
		case "Trivy":
			var t *tool
			if err := gojson.Unmarshal(data[s:e], &t); err != nil || t == nil {
				return err
			}
			rep.Tool.Version = t.Version
			c.arena.detach(&rep.Tool.Version)
		case "Results":
			_, err := walkArray(data, s, func(s, e int) error { return c.walkResult(data, s) })
			return err
		}
		return nil
	})
	return err
}

// walkResult converts the result at start: its keys in any order, its
// vulnerabilities once the whole result is read.
func (c *converter) walkResult(data []byte, start int) error {
	var r result
	var vulns [][2]int
	_, err := walkObject(data, start, func(key string, s, e int) error {
		switch key {
		case "Target":
			return gojson.Unmarshal(data[s:e], &r.Target)
		case "Class":
			return gojson.Unmarshal(data[s:e], &r.Class)
		case "Type":
			return gojson.Unmarshal(data[s:e], &r.Type)
		case "Misconfigurations":
			r.Misconfigurations = nil
			return gojson.Unmarshal(data[s:e], &r.Misconfigurations)
		case "Secrets":
			r.Secrets = nil
			return gojson.Unmarshal(data[s:e], &r.Secrets)
		case "Licenses":
			r.Licenses = nil
			return gojson.Unmarshal(data[s:e], &r.Licenses)
		case "Vulnerabilities":
			_, err := walkArray(data, s, func(s, e int) error {
				vulns = append(vulns, [2]int{s, e})
				return nil
			})
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	c.arena.detach(&r.Target)
	c.arena.detach(&r.Class)
	c.arena.detach(&r.Type)
	first := len(c.findings)
	if err := c.decodeVulnerabilities(data, vulns, r.Target); err != nil {
		return err
	}
	others := len(c.findings)
	if err := c.finishResult(first, &r, nil); err != nil {
		return err
	}
	for i := others; i < len(c.findings); i++ {
		c.arena.finding(&c.findings[i])
	}
	return nil
}

// decodeVulnerabilities converts the vulnerabilities at ranges, copying
// each finding's strings out of the decoder's buffer at once. (Decoding
// them on two CPUs was no faster in a whole check, where the other CPU
// validates, hashes and collects garbage, and raised the peak heap.)
func (c *converter) decodeVulnerabilities(data []byte, ranges [][2]int, target string) error {
	var v vulnerability
	start := len(c.findings)
	for i, rg := range ranges {
		v.reset()
		if err := gojson.Unmarshal(data[rg[0]:rg[1]], &v); err != nil {
			return err
		}
		if err := c.vulnerability(&v, target, i, start); err != nil {
			return err
		}
		c.arena.finding(&c.findings[len(c.findings)-1])
	}
	return nil
}

// walkObject calls fn with each key of the object at i and the range of
// its value; null is an empty object. It returns the object's end.
func walkObject(data []byte, i int, fn func(key string, start, end int) error) (int, error) {
	if bytes.HasPrefix(data[i:], []byte("null")) {
		return i + 4, nil
	}
	if data[i] != '{' {
		return 0, errShape
	}
	end, ok, err := jsonscan.WalkObject(data, i, fn)
	if err == nil && !ok {
		err = errShape
	}
	return end, err
}

// walkArray calls fn with the range of each element of the array at i;
// null is an empty array. It returns the array's end.
func walkArray(data []byte, i int, fn func(start, end int) error) (int, error) {
	if bytes.HasPrefix(data[i:], []byte("null")) {
		return i + 4, nil
	}
	if data[i] != '[' {
		return 0, errShape
	}
	end, ok, err := jsonscan.WalkArray(data, i, fn)
	if err == nil && !ok {
		err = errShape
	}
	return end, err
}

// arena copies strings into large shared blocks: one allocation per
// megabyte instead of one per string. A block stays alive as long as any
// string in it, as the findings do.
//
// A finding's string equal to the previous finding's string in the same
// place (in VisitStrings' order) is that string, not a copy: a report
// lists the vulnerabilities of a package together, repeating its name,
// version, purl and path. Long strings are also looked up among all those
// met before: CVSS vectors, and the titles and descriptions a CVE repeats
// for every package it hits (glibc's in libc6, libc-bin and libc6-dev).
// Short ones are not: the lookup would cost more than the copy. The
// index goes with the converter, before the findings are evaluated, when
// memory peaks.
type arena struct {
	block     []byte
	prev, cur []string
	long      map[string]string
}

const (
	arenaBlock = 1 << 20
	// longString is the length from which strings are looked up.
	longString = 40
)

// finding detaches every string of f.
func (a *arena) finding(f *document.Finding) {
	a.cur = a.cur[:0]
	f.VisitStrings(a.field)
	a.prev, a.cur = a.cur, a.prev
}

func (a *arena) field(s *string) {
	if k := len(a.cur); k < len(a.prev) && a.prev[k] == *s {
		*s = a.prev[k]
	} else {
		a.detach(s)
	}
	a.cur = append(a.cur, *s)
}

func (a *arena) detach(s *string) {
	n := len(*s)
	switch {
	case n == 0:
		*s = ""
		return
	case n > arenaBlock/16:
		*s = strings.Clone(*s)
		return
	case n >= longString:
		if kept, ok := a.long[*s]; ok {
			*s = kept
			return
		}
	}
	if n > cap(a.block)-len(a.block) {
		a.block = make([]byte, 0, arenaBlock)
	}
	start := len(a.block)
	a.block = append(a.block, *s...)
	// The block is never appended to past its capacity, so the bytes
	// never move and are never written again.
	*s = unsafe.String(&a.block[start], n)
	if n >= longString {
		if a.long == nil {
			a.long = map[string]string{}
		}
		a.long[*s] = *s
	}
}

package ticketsync

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeIssue is an issue (or pull request) of the fake GitHub.
type fakeIssue struct {
	Number      int
	Title, Body string
	State       string
	StateReason string
	Labels      []string
	PR          bool
	Comments    []string
}

// injection answers matching requests in place of the fake, times times.
type injection struct {
	method, pathSuffix string
	status             int
	header             map[string]string
	body               string
	times              int
	// thenServe serves the request normally after answering with the
	// injected status (a gateway that fails after the write happened).
	thenServe bool
}

// fakeGitHub behaves like the GitHub REST endpoints the sync uses, under a
// path prefix, with state in memory. It serves fewer issues per page than
// asked, with Link headers as GitHub writes them.
type fakeGitHub struct {
	t        *testing.T
	mu       sync.Mutex
	prefix   string
	owner    string
	repo     string
	pageSize int
	token    string
	issues   []*fakeIssue
	next     int
	inject   []*injection
	// log records "METHOD path?query" of every request.
	log []string
	srv *httptest.Server
}

func newFake(t *testing.T, prefix string) *fakeGitHub {
	t.Helper()
	f := &fakeGitHub{t: t, prefix: prefix, owner: "acme", repo: "shop", pageSize: 2, token: "tok", next: 1}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGitHub) add(is fakeIssue) *fakeIssue {
	f.mu.Lock()
	defer f.mu.Unlock()
	is.Number = f.next
	f.next++
	if is.State == "" {
		is.State = "open"
	}
	p := &is
	f.issues = append(f.issues, p)
	return p
}

func (f *fakeGitHub) writes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var w []string
	for _, l := range f.log {
		if !strings.HasPrefix(l, "GET ") {
			w = append(w, l)
		}
	}
	return w
}

func (f *fakeGitHub) count(prefix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, l := range f.log {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

func (f *fakeGitHub) withFingerprint(fp string) []*fakeIssue {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*fakeIssue
	for _, is := range f.issues {
		if strings.Contains(is.Body, "fingerprint="+fp+" ") {
			out = append(out, is)
		}
	}
	return out
}

func (f *fakeGitHub) json(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		f.t.Errorf("fake: %v", err)
	}
}

func (f *fakeGitHub) issueJSON(is *fakeIssue) map[string]any {
	labels := []map[string]any{}
	for _, l := range is.Labels {
		labels = append(labels, map[string]any{"name": l})
	}
	m := map[string]any{
		"number": is.Number, "title": is.Title, "body": is.Body, "state": is.State, "labels": labels,
		"html_url": fmt.Sprintf("https://github.example/%s/%s/issues/%d", f.owner, f.repo, is.Number),
	}
	if is.StateReason != "" {
		m["state_reason"] = is.StateReason
	}
	if is.PR {
		m["pull_request"] = map[string]any{"url": "https://api.github.example/pulls/" + strconv.Itoa(is.Number)}
	}
	return m
}

func (f *fakeGitHub) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, r.Method+" "+r.URL.RequestURI())
	for _, in := range f.inject {
		if in.times > 0 && r.Method == in.method && strings.HasSuffix(r.URL.Path, in.pathSuffix) {
			in.times--
			if in.thenServe {
				f.route(httptest.NewRecorder(), r)
			}
			for k, v := range in.header {
				w.Header().Set(k, v)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(in.status)
			fmt.Fprint(w, in.body)
			return
		}
	}
	if got := r.Header.Get("Authorization"); f.token != "" && got != "Bearer "+f.token {
		f.json(w, http.StatusUnauthorized, map[string]any{"message": "Bad credentials"})
		return
	}
	f.route(w, r)
}

func (f *fakeGitHub) route(w http.ResponseWriter, r *http.Request) {
	base := f.prefix + "/repos/" + f.owner + "/" + f.repo + "/issues"
	path := r.URL.Path
	switch {
	case path == base && r.Method == http.MethodGet:
		f.list(w, r)
	case path == base && r.Method == http.MethodPost:
		var req struct {
			Title  string   `json:"title"`
			Body   string   `json:"body"`
			Labels []string `json:"labels"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Title == "" {
			f.json(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed"})
			return
		}
		is := &fakeIssue{Number: f.next, Title: req.Title, Body: req.Body, Labels: req.Labels, State: "open"}
		f.next++
		f.issues = append(f.issues, is)
		f.json(w, http.StatusCreated, f.issueJSON(is))
	case strings.HasPrefix(path, base+"/"):
		rest := strings.Split(strings.TrimPrefix(path, base+"/"), "/")
		n, err := strconv.Atoi(rest[0])
		is := f.find(n)
		if err != nil || is == nil {
			f.json(w, http.StatusNotFound, map[string]any{"message": "Not Found"})
			return
		}
		switch {
		case len(rest) == 1 && r.Method == http.MethodPatch:
			var req map[string]json.RawMessage
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
				f.json(w, http.StatusBadRequest, map[string]any{"message": "Problems parsing JSON"})
				return
			}
			for k, v := range req {
				switch k {
				case "title":
					_ = json.Unmarshal(v, &is.Title)
				case "body":
					_ = json.Unmarshal(v, &is.Body)
				case "labels":
					_ = json.Unmarshal(v, &is.Labels)
				case "state":
					_ = json.Unmarshal(v, &is.State)
				case "state_reason":
					_ = json.Unmarshal(v, &is.StateReason)
				default:
					f.t.Errorf("fake: PATCH sets %s", k)
				}
			}
			f.json(w, http.StatusOK, f.issueJSON(is))
		case len(rest) == 2 && rest[1] == "comments" && r.Method == http.MethodPost:
			var req struct {
				Body string `json:"body"`
			}
			_ = json.NewDecoder(r.Body).Decode(&req)
			is.Comments = append(is.Comments, req.Body)
			f.json(w, http.StatusCreated, map[string]any{"id": len(is.Comments), "body": req.Body})
		default:
			f.json(w, http.StatusNotFound, map[string]any{"message": "Not Found"})
		}
	default:
		f.json(w, http.StatusNotFound, map[string]any{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
	}
}

func (f *fakeGitHub) find(n int) *fakeIssue {
	for _, is := range f.issues {
		if is.Number == n {
			return is
		}
	}
	return nil
}

// list serves GET issues: labels (all must be present), state, per_page
// and page, ascending by number, fewer per page than asked.
func (f *fakeGitHub) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	var want []string
	if l := q.Get("labels"); l != "" {
		want = strings.Split(l, ",")
	}
	var match []*fakeIssue
	for _, is := range f.issues {
		if state != "all" && is.State != state {
			continue
		}
		ok := true
		for _, l := range want {
			ok = ok && slices.Contains(is.Labels, l)
		}
		if ok {
			match = append(match, is)
		}
	}
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per <= 0 {
		per = 30
	}
	size := min(per, f.pageSize)
	page, _ := strconv.Atoi(q.Get("page"))
	if page <= 0 {
		page = 1
	}
	last := max((len(match)+size-1)/size, 1)
	from := min((page-1)*size, len(match))
	to := min(from+size, len(match))
	link := func(p int) string {
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		v := url.Values{}
		for k := range q {
			v.Set(k, q.Get(k))
		}
		v.Set("page", strconv.Itoa(p))
		u.RawQuery = v.Encode()
		return "<" + u.String() + ">"
	}
	var links []string
	if page < last {
		links = append(links, link(page+1)+`; rel="next"`, link(last)+`; rel="last"`)
	}
	if page > 1 {
		links = append(links, link(page-1)+`; rel="prev"`, link(1)+`; rel="first"`)
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	out := []map[string]any{}
	for _, is := range match[from:to] {
		out = append(out, f.issueJSON(is))
	}
	f.json(w, http.StatusOK, out)
}

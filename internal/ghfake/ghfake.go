// Package ghfake is a fake of the part of the GitHub REST API that
// secgate's pull-request comment and SARIF upload use, for tests: an
// http.Handler to serve on loopback (httptest). It keeps the comments of
// pull requests and the SARIF uploads in memory, checks the token,
// paginates with Link headers as GitHub does, and can be told to refuse.
package ghfake

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// ActionsBot is the login of comments made with an installation token.
const ActionsBot = "github-actions[bot]"

// Comment is a comment on a pull request.
type Comment struct {
	ID    int64
	Issue int
	User  string
	Body  string
	// Edits counts the times it was edited.
	Edits int
}

// Upload is a SARIF upload, decoded.
type Upload struct {
	CommitSHA, Ref string
	// SARIF is the file, un-base64'd and gunzipped; Err says why it
	// could not be.
	SARIF []byte
	Err   error
}

// Server is the fake API. Set its fields before serving.
type Server struct {
	// Token is the token every request must carry.
	Token string
	// User is the token's user; "" makes the token an installation
	// token: GET /user is refused with 403 and comments are ActionsBot's.
	User string
	// PerPage is the page size of listings (default 100, as asked).
	PerPage int
	// Fail answers a request whose "METHOD /path" starts with a key with
	// that status and a JSON message.
	Fail map[string]int

	mu       sync.Mutex
	comments []*Comment
	uploads  []Upload
	requests []string
	nextID   int64
}

// Plant adds a comment as if user had written it, and returns its id.
func (s *Server) Plant(issue int, user, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.add(issue, user, body).ID
}

func (s *Server) add(issue int, user, body string) *Comment {
	s.nextID++
	c := &Comment{ID: 1000 + s.nextID, Issue: issue, User: user, Body: body}
	s.comments = append(s.comments, c)
	return c
}

// Comments returns a copy of the comments, oldest first.
func (s *Server) Comments() []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Comment, len(s.comments))
	for i, c := range s.comments {
		out[i] = *c
	}
	return out
}

// Uploads returns the SARIF uploads received.
func (s *Server) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Upload(nil), s.uploads...)
}

// Requests lists "METHOD /path?query" of every request received.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

var (
	listPath   = regexp.MustCompile(`^/repos/[^/]+/[^/]+/issues/([0-9]+)/comments$`)
	editPath   = regexp.MustCompile(`^/repos/[^/]+/[^/]+/issues/comments/([0-9]+)$`)
	uploadPath = regexp.MustCompile(`^/repos/[^/]+/[^/]+/code-scanning/sarifs$`)
)

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := strings.TrimPrefix(r.URL.Path, "/api/v3")
	s.requests = append(s.requests, r.Method+" "+path+query(r))
	auth := r.Header.Get("Authorization")
	if auth != "Bearer "+s.Token && auth != "token "+s.Token {
		fail(w, http.StatusUnauthorized, "Bad credentials")
		return
	}
	for prefix, status := range s.Fail {
		if strings.HasPrefix(r.Method+" "+path, prefix) {
			fail(w, status, "refused by the fake")
			return
		}
	}
	login := s.User
	if login == "" {
		login = ActionsBot
	}
	switch {
	case r.Method == http.MethodGet && path == "/user":
		if s.User == "" {
			fail(w, http.StatusForbidden, "Resource not accessible by integration")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"login": s.User, "id": 1})
	case r.Method == http.MethodGet && listPath.MatchString(path):
		issue, _ := strconv.Atoi(listPath.FindStringSubmatch(path)[1])
		s.list(w, r, issue)
	case r.Method == http.MethodPost && listPath.MatchString(path):
		issue, _ := strconv.Atoi(listPath.FindStringSubmatch(path)[1])
		body, ok := commentBody(w, r)
		if !ok {
			return
		}
		writeJSON(w, http.StatusCreated, s.json(s.add(issue, login, body)))
	case r.Method == http.MethodPatch && editPath.MatchString(path):
		id, _ := strconv.ParseInt(editPath.FindStringSubmatch(path)[1], 10, 64)
		body, ok := commentBody(w, r)
		if !ok {
			return
		}
		for _, c := range s.comments {
			if c.ID == id {
				c.Body = body
				c.Edits++
				writeJSON(w, http.StatusOK, s.json(c))
				return
			}
		}
		fail(w, http.StatusNotFound, "Not Found")
	case r.Method == http.MethodPost && uploadPath.MatchString(path):
		var in struct {
			CommitSHA string `json:"commit_sha"`
			Ref       string `json:"ref"`
			Sarif     string `json:"sarif"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			fail(w, http.StatusBadRequest, "Problems parsing JSON")
			return
		}
		up := Upload{CommitSHA: in.CommitSHA, Ref: in.Ref}
		up.SARIF, up.Err = decodeSARIF(in.Sarif)
		s.uploads = append(s.uploads, up)
		n := len(s.uploads)
		writeJSON(w, http.StatusAccepted, map[string]any{"id": fmt.Sprintf("upload-%d", n), "url": fmt.Sprintf("http://%s/repos/o/r/code-scanning/sarifs/upload-%d", r.Host, n)})
	default:
		fail(w, http.StatusNotFound, "Not Found")
	}
}

// list answers a page of an issue's comments, with a Link header to the
// next page as GitHub writes it.
func (s *Server) list(w http.ResponseWriter, r *http.Request, issue int) {
	per := s.PerPage
	if per <= 0 {
		per, _ = strconv.Atoi(r.URL.Query().Get("per_page"))
		if per <= 0 || per > 100 {
			per = 30
		}
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if page < 1 {
		page = 1
	}
	var all []*Comment
	for _, c := range s.comments {
		if c.Issue == issue {
			all = append(all, c)
		}
	}
	out := []any{}
	for i := (page - 1) * per; i < len(all) && i < page*per; i++ {
		out = append(out, s.json(all[i]))
	}
	if page*per < len(all) {
		next := *r.URL
		q := next.Query()
		q.Set("page", strconv.Itoa(page+1))
		next.RawQuery = q.Encode()
		w.Header().Set("Link", fmt.Sprintf(`<http://%s%s>; rel="next"`, r.Host, next.RequestURI()))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) json(c *Comment) map[string]any {
	return map[string]any{
		"id": c.ID, "body": c.Body, "user": map[string]any{"login": c.User},
		"html_url": fmt.Sprintf("https://github.example/o/r/pull/%d#issuecomment-%d", c.Issue, c.ID),
	}
}

func decodeSARIF(s string) ([]byte, error) {
	gz, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("base64: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return io.ReadAll(io.LimitReader(zr, 1<<30))
}

func query(r *http.Request) string {
	if r.URL.RawQuery == "" {
		return ""
	}
	return "?" + r.URL.RawQuery
}

func fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"message": msg, "documentation_url": "https://docs.github.com/rest"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// commentBody reads a comment's body as GitHub checks it: present, and
// at most 65,536 characters; false when it answered an error.
func commentBody(w http.ResponseWriter, r *http.Request) (string, bool) {
	var in struct{ Body string }
	if json.NewDecoder(r.Body).Decode(&in) != nil || in.Body == "" {
		fail(w, http.StatusUnprocessableEntity, "Invalid request")
		return "", false
	}
	if len([]rune(in.Body)) > 65536 {
		fail(w, http.StatusUnprocessableEntity, "Body is too long (maximum is 65536 characters)")
		return "", false
	}
	return in.Body, true
}

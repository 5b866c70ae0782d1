package publish_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/secgate/secgate/internal/ghfake"
	"github.com/secgate/secgate/internal/netpolicy"
	"github.com/secgate/secgate/internal/testutil"
	"github.com/secgate/secgate/publish"
	"github.com/secgate/secgate/report"
	ticketsync "github.com/secgate/secgate/tickets/sync"
)

const token = "ghs_SECRET-TOKEN-0123456789"

func fake(t *testing.T, user string) (*ghfake.Server, *publish.Client) {
	t.Helper()
	s := &ghfake.Server{Token: token, User: user}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c, err := publish.New(publish.Options{Owner: "o", Repo: "r", BaseURL: srv.URL + "/api/v3/", Token: token, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func body(text string) string { return report.CommentMarker + "\n" + text }

func TestCommentCreatedThenEdited(t *testing.T) {
	for _, user := range []string{"secgate-bot", ""} {
		t.Run("user="+user, func(t *testing.T) {
			s, c := fake(t, user)
			ctx := context.Background()
			first, err := c.Comment(ctx, 7, body("first"))
			if err != nil {
				t.Fatal(err)
			}
			if !first.Created {
				t.Error("the first run did not create the comment")
			}
			second, err := c.Comment(ctx, 7, body("second"))
			if err != nil {
				t.Fatal(err)
			}
			if second.Created || second.ID != first.ID {
				t.Errorf("second run: %+v, want comment %d edited", second, first.ID)
			}
			cs := s.Comments()
			if len(cs) != 1 || cs[0].Body != body("second") || cs[0].Edits != 1 {
				t.Errorf("comments = %+v, want one, edited once to the second body", cs)
			}
			want := user
			if user == "" {
				want = ghfake.ActionsBot
			}
			if cs[0].User != want || second.Author != want {
				t.Errorf("author %q (adopting %q), want %q", cs[0].User, second.Author, want)
			}
		})
	}
}

// TestPlantedMarkerNotAdopted: a comment by someone else that starts with
// the marker is left alone; so is one of secgate's user whose marker is
// not its first line (a quote of the comment).
func TestPlantedMarkerNotAdopted(t *testing.T) {
	s, c := fake(t, "")
	planted := s.Plant(7, "mallory", body("✅ secgate: PASS"))
	quoted := s.Plant(7, ghfake.ActionsBot, "> quoting\n"+body("x"))
	other := s.Plant(8, ghfake.ActionsBot, body("another pull request"))
	res, err := c.Comment(context.Background(), 7, body("❌ FAIL"))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || res.ID == planted || res.ID == quoted || res.ID == other {
		t.Fatalf("result %+v: a comment not secgate's on this pull request was adopted", res)
	}
	for _, cm := range s.Comments() {
		if cm.ID != res.ID && cm.Edits != 0 {
			t.Errorf("comment %d by %s was edited", cm.ID, cm.User)
		}
	}
}

// TestCommentFoundOnALaterPage: the comments are read page after page, by
// the Link header, and secgate's comment on page 3 is edited.
func TestCommentFoundOnALaterPage(t *testing.T) {
	s, c := fake(t, "secgate-bot")
	s.PerPage = 2
	for range 5 {
		s.Plant(7, "someone", "chatter")
	}
	mine := s.Plant(7, "secgate-bot", body("old"))
	res, err := c.Comment(context.Background(), 7, body("new"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Created || res.ID != mine {
		t.Errorf("result %+v, want comment %d edited", res, mine)
	}
	pages := 0
	for _, r := range s.Requests() {
		if strings.HasPrefix(r, "GET /repos/o/r/issues/7/comments") {
			pages++
		}
	}
	if pages != 3 {
		t.Errorf("%d pages read, want 3: %q", pages, s.Requests())
	}
}

func TestCommentRefusals(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail map[string]int
		want string
	}{
		{"bad token", nil, "HTTP 401"},
		{"forbidden", map[string]int{"POST /repos/o/r/issues/7/comments": 403}, "pull-requests: write"},
		{"list", map[string]int{"GET /repos/o/r/issues/7/comments": 404}, "HTTP 404"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, c := fake(t, "secgate-bot")
			s.Fail = tc.fail
			if tc.name == "bad token" {
				s.Token = "another"
			}
			_, err := c.Comment(context.Background(), 7, body("x"))
			var ae *ticketsync.APIError
			if !errors.As(err, &ae) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want an API error with %q", err, tc.want)
			}
			if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error leaks the token or spans lines: %v", err)
			}
			if len(s.Comments()) != 0 {
				t.Error("a comment was made")
			}
		})
	}
}

func TestCommentChecksItsBody(t *testing.T) {
	_, c := fake(t, "u")
	ctx := context.Background()
	if _, err := c.Comment(ctx, 7, "no marker"); err == nil {
		t.Error("a body without the marker was posted")
	}
	if _, err := c.Comment(ctx, 0, body("x")); err == nil {
		t.Error("pull request 0 (every comment of the repository) was listed")
	}
	if _, err := c.Comment(ctx, 7, body(strings.Repeat("😀", 40000))); err == nil || !strings.Contains(err.Error(), "65,536") {
		t.Errorf("err = %v, want the body refused for its size", err)
	}
}

func TestUploadSARIF(t *testing.T) {
	s, c := fake(t, "u")
	sarif := []byte(`{"version": "2.1.0", "runs": []}`)
	sha := strings.Repeat("ab", 20)
	res, err := c.UploadSARIF(context.Background(), publish.Upload{SARIF: sarif, CommitSHA: sha, Ref: "refs/pull/7/merge"})
	if err != nil {
		t.Fatal(err)
	}
	ups := s.Uploads()
	if len(ups) != 1 || ups[0].Err != nil || string(ups[0].SARIF) != string(sarif) || ups[0].CommitSHA != sha || ups[0].Ref != "refs/pull/7/merge" {
		t.Fatalf("uploads = %+v", ups)
	}
	if res.ID != "upload-1" {
		t.Errorf("result %+v", res)
	}
	for _, u := range []publish.Upload{
		{SARIF: sarif, CommitSHA: "main", Ref: "refs/heads/main"},
		{SARIF: sarif, CommitSHA: sha, Ref: "main"},
		{SARIF: []byte("not json"), CommitSHA: sha, Ref: "refs/heads/main"},
	} {
		if _, err := c.UploadSARIF(context.Background(), u); err == nil {
			t.Errorf("%+v uploaded", u)
		}
	}
	if len(s.Uploads()) != 1 {
		t.Error("a refused upload reached the API")
	}
}

// TestPlainHTTPRefused: an API URL of plain http to another host is
// refused before anything is sent, without the token in the error.
func TestPlainHTTPRefused(t *testing.T) {
	_, err := publish.New(publish.Options{Owner: "o", Repo: "r", BaseURL: "http://example.invalid/api/v3/", Token: token,
		HTTPClient: &http.Client{Transport: testutil.NoNetwork(t)}})
	if !errors.Is(err, netpolicy.ErrPlainHTTP) {
		t.Fatalf("err = %v, want the plain http refusal", err)
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("error leaks the token: %v", err)
	}
	if _, err := publish.New(publish.Options{Owner: "o", Repo: "r"}); err == nil {
		t.Error("a client without token")
	}
}

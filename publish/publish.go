// Package publish puts a gate's result where the reviewers of a pull
// request look: one comment on the pull request, kept up to date, and the
// SARIF in GitHub code scanning. It talks to the GitHub API (or an
// Enterprise Server's) through the one GitHub client of secgate
// (ticketsync.NewGitHubClient), so the network policy, the rate limits
// and the scrubbing of errors are those of every other request.
package publish

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v74/github"

	"github.com/secgate/secgate/internal/netpolicy"
	"github.com/secgate/secgate/report"
	ticketsync "github.com/secgate/secgate/tickets/sync"
)

// ActionsBot is the login of the comments made with a GitHub Actions
// token (GITHUB_TOKEN), which cannot read its own user (GET /user answers
// 403 to an installation token).
const ActionsBot = "github-actions[bot]"

// maxPages bounds the listing of a pull request's comments: 1000 pages of
// 100.
const maxPages = 1000

// MaxSARIFGzip is the most code scanning accepts of a SARIF file, gzipped.
const MaxSARIFGzip = 10 << 20

// Options say which repository to publish to, and how.
type Options struct {
	// Owner and Repo name the repository.
	Owner, Repo string
	// BaseURL is the API root of a GitHub Enterprise Server (or, in
	// tests, a fake); "" means api.github.com.
	BaseURL string
	// Token authenticates. It is never printed, nor quoted in an error.
	Token string
	// Author is the login whose comments may be adopted; "" means the
	// token's own user (GET /user), or ActionsBot when the token cannot
	// read its user.
	Author string
	// HTTPClient makes the requests under the network policy's guard;
	// nil means the policy's own transport.
	HTTPClient *http.Client
	// Net is the network policy: a BaseURL of plain http to a host other
	// than loopback is refused unless Net.AllowHTTP.
	Net netpolicy.Options
	// MaxWait and Retries bound waits for rate limits and retries after
	// server errors (see ticketsync.GitHubOptions).
	MaxWait time.Duration
	Retries int
	// Log receives one line per rate limit wait and retry; nil: silence.
	Log io.Writer
}

// Client publishes to one repository.
type Client struct {
	opts Options
	api  *ticketsync.GitHubClient
}

// New checks opts and builds the client; nothing is sent yet.
func New(opts Options) (*Client, error) {
	if opts.Owner == "" || opts.Repo == "" || strings.Contains(opts.Owner, "/") || strings.Contains(opts.Repo, "/") {
		return nil, fmt.Errorf("github: want an owner and a repository, got %q and %q", opts.Owner, opts.Repo)
	}
	if opts.Token == "" {
		return nil, errors.New("github: no token: the comment and the upload need one")
	}
	api, err := ticketsync.NewGitHubClient(ticketsync.GitHubOptions{
		BaseURL: opts.BaseURL, Token: opts.Token, HTTPClient: opts.HTTPClient, Net: opts.Net,
		MaxWait: opts.MaxWait, Retries: opts.Retries, Log: opts.Log,
	})
	if err != nil {
		return nil, err
	}
	return &Client{opts: opts, api: api}, nil
}

// The likely causes of refusals, by status.
var (
	commentHints = map[int]string{
		http.StatusUnauthorized: "is GITHUB_TOKEN set and valid?",
		http.StatusForbidden:    "does the token have pull-requests: write permission? A pull request from a fork gets a read-only token",
		http.StatusNotFound:     "do the repository and the pull request exist, and can the token see them?",
	}
	sarifHints = map[int]string{
		http.StatusUnauthorized: "is GITHUB_TOKEN set and valid?",
		http.StatusForbidden:    "does the token have security-events: write permission, and is code scanning enabled?",
		http.StatusNotFound:     "does the repository exist, and can the token see it?",
	}
)

func (c *Client) repo() string { return c.opts.Owner + "/" + c.opts.Repo }

// CommentResult says what Comment did.
type CommentResult struct {
	// ID and URL are the comment's.
	ID  int64
	URL string
	// Created is true when the comment was made, false when edited.
	Created bool
	// Author is the login whose comments were considered.
	Author string
}

// Comment keeps one comment of body on pull request pr: the comment
// secgate made earlier is edited in place, or, when there is none, one is
// made. Secgate's comment is the oldest comment of the pull request whose
// first line is report.CommentMarker and whose author is Options.Author
// (by default the token's user); a comment by anyone else is never
// adopted, whatever it holds, so nobody can have secgate overwrite their
// comment, or hide secgate's verdict behind one of theirs. Every page of
// comments is read. The body must start with the marker and stay within
// GitHub's limit.
func (c *Client) Comment(ctx context.Context, pr int, body string) (*CommentResult, error) {
	if pr <= 0 {
		return nil, fmt.Errorf("github %s: pull request number %d: want a positive number", c.repo(), pr)
	}
	if first, _, _ := strings.Cut(body, "\n"); first != report.CommentMarker {
		return nil, fmt.Errorf("github %s: the comment does not start with the marker %s", c.repo(), report.CommentMarker)
	}
	if n := report.Units(body); n > 65536 {
		return nil, fmt.Errorf("github %s: the comment is %d characters, more than the 65,536 GitHub takes", c.repo(), n)
	}
	author, err := c.author(ctx)
	if err != nil {
		return nil, err
	}
	existing, err := c.find(ctx, pr, author)
	if err != nil {
		return nil, err
	}
	if existing != nil {
		ic, _, err := c.api.Issues.EditComment(ctx, c.opts.Owner, c.opts.Repo, existing.GetID(), &github.IssueComment{Body: github.Ptr(body)})
		if err != nil {
			return nil, c.api.Error(c.repo(), fmt.Sprintf("edit comment %d", existing.GetID()), err, commentHints)
		}
		return &CommentResult{ID: ic.GetID(), URL: ic.GetHTMLURL(), Author: author}, nil
	}
	ic, _, err := c.api.Issues.CreateComment(ctx, c.opts.Owner, c.opts.Repo, pr, &github.IssueComment{Body: github.Ptr(body)})
	if err != nil {
		return nil, c.api.Error(c.repo(), fmt.Sprintf("comment on pull request #%d", pr), err, commentHints)
	}
	return &CommentResult{ID: ic.GetID(), URL: ic.GetHTMLURL(), Created: true, Author: author}, nil
}

// author is the login whose comments may be adopted.
func (c *Client) author(ctx context.Context) (string, error) {
	if c.opts.Author != "" {
		return c.opts.Author, nil
	}
	u, _, err := c.api.Users.Get(ctx, "")
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusForbidden {
		// An installation token (GitHub Actions' GITHUB_TOKEN) may not
		// read a user; its comments are the Actions bot's.
		return ActionsBot, nil
	}
	if err != nil {
		return "", c.api.Error(c.repo(), "read the token's user", err, commentHints)
	}
	if u.GetLogin() == "" {
		return "", fmt.Errorf("github %s: the token's user has no login", c.repo())
	}
	return u.GetLogin(), nil
}

// find returns secgate's comment on pr (see Comment), or nil.
func (c *Client) find(ctx context.Context, pr int, author string) (*github.IssueComment, error) {
	lo := &github.IssueListCommentsOptions{
		Sort: github.Ptr("created"), Direction: github.Ptr("asc"),
		ListOptions: github.ListOptions{PerPage: 100, Page: 1},
	}
	var found *github.IssueComment
	for pages := 0; ; pages++ {
		if pages == maxPages {
			return nil, fmt.Errorf("github %s: pull request #%d has more than %d pages of comments", c.repo(), pr, maxPages)
		}
		cs, resp, err := c.api.Issues.ListComments(ctx, c.opts.Owner, c.opts.Repo, pr, lo)
		if err != nil {
			return nil, c.api.Error(c.repo(), fmt.Sprintf("list the comments of pull request #%d", pr), err, commentHints)
		}
		for _, ic := range cs {
			if ours(ic, author) && (found == nil || ic.GetID() < found.GetID()) {
				found = ic
			}
		}
		if resp.NextPage == 0 {
			return found, nil
		}
		if resp.NextPage <= lo.Page {
			return nil, fmt.Errorf("github %s: list comments: the next page (%d) is not after page %d", c.repo(), resp.NextPage, lo.Page)
		}
		lo.Page = resp.NextPage
	}
}

// ours says whether ic is secgate's comment: written by author, and its
// first line is the marker.
func ours(ic *github.IssueComment, author string) bool {
	if !strings.EqualFold(ic.GetUser().GetLogin(), author) {
		return false
	}
	first, _, _ := strings.Cut(ic.GetBody(), "\n")
	return strings.TrimSuffix(first, "\r") == report.CommentMarker
}

// Upload is a SARIF file for code scanning, of one commit.
type Upload struct {
	// SARIF is the file's content.
	SARIF []byte
	// CommitSHA is the commit analysed (40 hex digits); Ref the Git
	// reference it was analysed on (refs/heads/main, refs/pull/7/merge).
	CommitSHA, Ref string
}

// UploadResult is what code scanning answered: the upload's id and the
// API URL of its processing status.
type UploadResult struct {
	ID, URL string
}

// UploadSARIF sends a SARIF file to code scanning
// (POST /repos/{owner}/{repo}/code-scanning/sarifs), gzipped and in
// base64 as the API asks. The file must be JSON and within MaxSARIFGzip
// once gzipped.
func (c *Client) UploadSARIF(ctx context.Context, u Upload) (*UploadResult, error) {
	if !isSHA(u.CommitSHA) {
		return nil, fmt.Errorf("github %s: commit %q: want 40 (or 64) hexadecimal digits", c.repo(), u.CommitSHA)
	}
	if !json.Valid(u.SARIF) {
		return nil, fmt.Errorf("github %s: the SARIF is not JSON", c.repo())
	}
	if !strings.HasPrefix(u.Ref, "refs/") {
		return nil, fmt.Errorf("github %s: ref %q: want a full reference such as refs/heads/main or refs/pull/7/merge", c.repo(), u.Ref)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(u.SARIF); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if gz.Len() > MaxSARIFGzip {
		return nil, fmt.Errorf("github %s: the SARIF is %d bytes gzipped, more than the %d code scanning accepts", c.repo(), gz.Len(), MaxSARIFGzip)
	}
	id, _, err := c.api.CodeScanning.UploadSarif(ctx, c.opts.Owner, c.opts.Repo, &github.SarifAnalysis{
		CommitSHA: github.Ptr(u.CommitSHA), Ref: github.Ptr(u.Ref),
		Sarif: github.Ptr(base64.StdEncoding.EncodeToString(gz.Bytes())), ToolName: github.Ptr("secgate"),
	})
	if err != nil {
		return nil, c.api.Error(c.repo(), "upload SARIF to code scanning", err, sarifHints)
	}
	return &UploadResult{ID: id.GetID(), URL: id.GetURL()}, nil
}

func isSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

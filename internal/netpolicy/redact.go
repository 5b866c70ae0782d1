package netpolicy

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// publicParams are go-getter query parameters that never hold a secret;
// every other parameter's value is redacted, since tokens travel in query
// strings (X-Amz-Signature, token, access_token, sshkey …).
var publicParams = map[string]bool{
	"ref": true, "rev": true, "depth": true, "checksum": true, "archive": true, "filename": true,
}

// forcedRE finds go-getter's forced getter prefix ("git::https://…").
var forcedRE = regexp.MustCompile(`^([A-Za-z0-9]+)::(.+)$`)

// Redact returns address (a URL, a go-getter address, or a path) with its
// secrets replaced by "redacted": the password of the URL's userinfo (a
// lone user name other than "git" too: https://TOKEN@host/ is how tokens
// are often given) and the values of query parameters other than ref, rev,
// depth, checksum, archive and filename. Every URL secgate prints goes
// through it.
func Redact(address string) string {
	out, _ := RedactSecrets(address)
	return out
}

// RedactSecrets returns the redacted address and the secrets it removed, so
// that messages quoting the raw address (a library's error) can be scrubbed
// too, with Scrub.
func RedactSecrets(address string) (string, []string) {
	forced, rest := "", address
	if m := forcedRE.FindStringSubmatch(address); m != nil {
		forced, rest = m[1]+"::", m[2]
	}
	u, err := url.Parse(rest)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		// Not a URL (a local path, or scp-like git@host:path): only a
		// query string can hold a secret.
		base, query, ok := strings.Cut(rest, "?")
		if !ok {
			return address, nil
		}
		q, secrets := redactQuery(query)
		return forced + base + "?" + q, secrets
	}
	var secrets []string
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			secrets = append(secrets, pw)
			u.User = url.UserPassword(u.User.Username(), "redacted")
		} else if name := u.User.Username(); name != "" && name != "git" {
			// https://TOKEN@host/… is how tokens are often given.
			secrets = append(secrets, name)
			u.User = url.User("redacted")
		}
	}
	if u.RawQuery != "" {
		var s []string
		u.RawQuery, s = redactQuery(u.RawQuery)
		secrets = append(secrets, s...)
	}
	return forced + u.String(), secrets
}

// redactQuery redacts the values of non-public parameters, keeping the
// parameters' order.
func redactQuery(query string) (string, []string) {
	var secrets []string
	parts := strings.Split(query, "&")
	for i, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		if !ok || v == "" {
			continue
		}
		key, err := url.QueryUnescape(k)
		if err != nil {
			key = k
		}
		if publicParams[strings.ToLower(key)] {
			continue
		}
		secrets = append(secrets, v)
		if uv, err := url.QueryUnescape(v); err == nil && uv != v {
			secrets = append(secrets, uv)
		}
		parts[i] = k + "=redacted"
	}
	return strings.Join(parts, "&"), secrets
}

// Scrub replaces every secret in msg (longest first, so that a secret
// containing another is removed whole) with "redacted".
func Scrub(msg string, secrets []string) string {
	s := append([]string(nil), secrets...)
	sort.Slice(s, func(i, j int) bool { return len(s[i]) > len(s[j]) })
	for _, secret := range s {
		if len(secret) < 3 {
			continue // too short to matter, and too likely to mangle the message
		}
		msg = strings.ReplaceAll(msg, secret, "redacted")
		if esc := url.QueryEscape(secret); esc != secret {
			msg = strings.ReplaceAll(msg, esc, "redacted")
		}
	}
	return msg
}

package document

import (
	"strings"

	"github.com/package-url/packageurl-go"
)

// dockerHub is the repository_url host of images on Docker Hub, as
// image references leave it out and VEX documents write it.
const dockerHub = "index.docker.io"

// ImageSubject returns a container image reference ("ghcr.io/org/app:1.2",
// "alpine:3.11", "alpine@sha256:…") as a subject with an OCI purl
// (pkg:oci/app@digest?repository_url=ghcr.io/org/app&tag=1.2), or nil
// when ref is empty or an image archive's path (.tar, .tar.gz, .tgz).
func ImageSubject(ref string) *Subject {
	ref = strings.TrimSpace(ref)
	lower := strings.ToLower(ref)
	if ref == "" || strings.HasSuffix(lower, ".tar") || strings.HasSuffix(lower, ".tar.gz") || strings.HasSuffix(lower, ".tgz") {
		return nil
	}
	path, digest, _ := strings.Cut(ref, "@")
	tag := ""
	if i := strings.LastIndexByte(path, ':'); i > strings.LastIndexByte(path, '/') {
		path, tag = path[:i], path[i+1:]
	}
	path = strings.ToLower(strings.Trim(path, "/"))
	if path == "" {
		return nil
	}
	repo := repositoryURL(path)
	name := repo[strings.LastIndexByte(repo, '/')+1:]
	var q packageurl.Qualifiers
	q = append(q, packageurl.Qualifier{Key: "repository_url", Value: repo})
	if tag != "" {
		q = append(q, packageurl.Qualifier{Key: "tag", Value: tag})
	}
	return &Subject{Name: ref, Version: digest, Purl: packageurl.NewPackageURL("oci", "", name, digest, q, "").ToString()}
}

// repositoryURL is an image repository with its registry host: Docker
// Hub's (index.docker.io, library/ for official images) when the first
// segment is no host.
func repositoryURL(path string) string {
	path = strings.TrimPrefix(strings.TrimPrefix(path, "https://"), "http://")
	host, rest, ok := strings.Cut(path, "/")
	if ok && (strings.ContainsAny(host, ".:") || host == "localhost") {
		switch host {
		case "docker.io", "registry-1.docker.io", "registry.hub.docker.com":
			host = dockerHub
		}
		if host == dockerHub && !strings.Contains(rest, "/") {
			rest = "library/" + rest
		}
		return host + "/" + rest
	}
	if !ok {
		return dockerHub + "/library/" + path
	}
	return dockerHub + "/" + path
}

// sameQualifier compares one qualifier's values as purls of its key mean
// them: repository_url by registry and repository (Docker Hub's several
// host names are one), others exactly.
func sameQualifier(key, a, b string) bool {
	if key == "repository_url" {
		return repositoryURL(strings.ToLower(strings.TrimRight(a, "/"))) == repositoryURL(strings.ToLower(strings.TrimRight(b, "/")))
	}
	return a == b
}

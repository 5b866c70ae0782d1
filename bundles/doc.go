// Package bundles distributes policies: it fetches policy sources (local
// folders and files, OPA bundle archives, and go-getter addresses such as
// git::https://host/repo//policy?ref=v1 or https://host/b.tar.gz) into a
// local cache, builds and signs OPA bundles with OPA's own compile and
// bundle packages, verifies bundle signatures, and turns the fetched
// sources into the eval.Policies the gate evaluates, recording where each
// module came from.
//
// Fetching is bounded and explicit: only the getters listed in Getters
// (http, https and git) are used, plain http only to loopback addresses
// unless allowed, archives are size- and count-limited and refused when an
// entry would land outside its destination, symlinks are refused, and
// credentials come only from what the user already has (netrc, git's own
// configuration) and are redacted from every address this package prints
// or returns.
package bundles

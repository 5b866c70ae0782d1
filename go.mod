module github.com/secgate/secgate

go 1.26

require (
	github.com/google/go-cmp v0.7.0
	github.com/package-url/packageurl-go v0.1.3
	github.com/pandatix/go-cvss v0.6.2
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.1
)

require (
	github.com/CycloneDX/cyclonedx-go v0.12.0 // indirect
	github.com/cpuguy83/go-md2man/v2 v2.0.5 // indirect
	github.com/owenrumney/go-sarif/v2 v2.3.3 // indirect
	github.com/rogpeppe/go-internal v1.14.1 // indirect
	github.com/russross/blackfriday/v2 v2.1.0 // indirect
	github.com/spdx/tools-golang v0.5.7 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
	github.com/urfave/cli/v2 v2.27.5 // indirect
	github.com/xrash/smetrics v0.0.0-20240521201337-686a1a2994c1 // indirect
	golang.org/x/sys v0.26.0 // indirect
	golang.org/x/text v0.14.0 // indirect
	golang.org/x/tools v0.26.0 // indirect
)

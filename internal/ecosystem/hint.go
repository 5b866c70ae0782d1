package ecosystem

import "strings"

// InstallHint is a command that upgrades a direct dependency (or an
// operating system package) of ecosystem eco to version, or "" when
// secgate knows none for the ecosystem.
func InstallHint(eco, name, version string) string {
	switch PurlType(eco) {
	case "npm":
		return "npm install " + name + "@" + version
	case "pypi":
		return "pip install '" + name + ">=" + version + "'"
	case "golang":
		if name == "stdlib" || name == "toolchain" {
			return "go mod edit -toolchain=go" + strings.TrimPrefix(version, "v")
		}
		if !strings.HasPrefix(version, "v") {
			version = "v" + version
		}
		return "go get " + name + "@" + version
	case "cargo":
		return "cargo update -p " + name + " --precise " + version
	case "gem":
		return "bundle update " + name
	case "deb":
		return "apt-get install --only-upgrade " + name
	case "rpm":
		return "dnf upgrade " + name
	case "apk":
		return "apk upgrade " + name
	}
	return ""
}

package main

import (
	"fmt"

	"github.com/urfave/cli/v3"

	"github.com/secgate/secgate/internal/netpolicy"
)

// netFlags are the flags of every command that may fetch over the network
// (policy sources, --epss, --kev, tickets sync): one policy for all.
func netFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "allow-http", Usage: "allow plain http to hosts other than loopback (policy sources, --epss, --kev, --github-url, --webhook)"},
		&cli.DurationFlag{Name: "fetch-timeout", Value: netpolicy.DefaultTimeout, Usage: "bound on each network fetch, from connecting to the last byte"},
	}
}

// netOptionsFrom reads the network flags.
func netOptionsFrom(c *cli.Command) (netpolicy.Options, error) {
	o := netpolicy.Options{AllowHTTP: c.Bool("allow-http"), Timeout: c.Duration("fetch-timeout")}
	if o.Timeout <= 0 {
		return o, fmt.Errorf("--fetch-timeout: want a positive duration, got %s", o.Timeout)
	}
	return o, nil
}

package gate_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/secgate/secgate/config"
	"github.com/secgate/secgate/gate"
	"github.com/secgate/secgate/tickets"
)

// What `secgate check -c secgate.yaml reports/` does, with the tickets
// that `-o json` and `--tickets` show.
func Example() {
	cfg, err := config.Load("../examples/secgate.yaml")
	if err != nil {
		log.Fatal(err)
	}
	res, err := gate.Run(context.Background(), gate.Options{
		Reports: []string{"../examples/reports"},
		Now:     time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Policy:  gate.Policy{Config: cfg},
		Tickets: &tickets.Options{},
	})
	if err != nil {
		log.Fatal(err)
	}
	d := res.Decision
	fmt.Printf("%s: %d violations, %d warnings\n", d.Decision, len(d.Violations), len(d.Warnings))
	for _, t := range d.Tickets {
		fmt.Println(t.Priority, t.Due, t.Title)
	}
	// Output:
	// fail: 1 violations, 8 warnings
	// P2 2026-01-31 Upgrade or replace highcharts : no fixed version known (npm:1227, high)
}

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
// that `-o json` and `--tickets` show, and the inventory `-o json`
// writes for a later check to read the decision as its baseline by.
func Example() {
	cfg, err := config.Load("../examples/secgate.yaml")
	if err != nil {
		log.Fatal(err)
	}
	res, err := gate.Run(context.Background(), gate.Options{
		Reports:   []string{"../examples/reports"},
		Now:       time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Policy:    gate.Policy{Config: cfg},
		Tickets:   &tickets.Options{},
		Inventory: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	d := res.Decision
	fmt.Printf("%s: %d violations, %d warnings; inventory of %d findings\n", d.Decision, len(d.Violations), len(d.Warnings), len(d.Inventory.Findings))
	for _, t := range d.Tickets {
		fmt.Println(t.Priority, t.Due, t.Title)
	}
	// Output:
	// fail: 1 violations, 8 warnings; inventory of 13 findings
	// P2 2026-01-31 Upgrade or replace highcharts : no fixed version known (npm:1227, high)
}

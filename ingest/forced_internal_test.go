package ingest

import "testing"

// TestEveryFormatHasForcedShape: a format added to All needs the least
// shape a forced report of it must show.
func TestEveryFormatHasForcedShape(t *testing.T) {
	for _, name := range Formats() {
		if _, ok := forcedShapes[name]; !ok {
			t.Errorf("format %s has no forced shape", name)
		}
	}
}

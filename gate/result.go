package gate

import (
	"encoding/json"
	"fmt"

	"github.com/secgate/secgate/internal/jsonscan"
)

// ReadResult reads a decision's JSON (`secgate check -o json`) back as
// the result it was written from: the decision as written, and the
// document its inventory and sources rebuild (see ReadDecision), so that
// an output format can be written later, from the decision alone, without
// running the check again. What the inventory does not keep (scores,
// descriptions, which findings were new) the document lacks. A decision
// without inventory, of another inventory version or malformed is an
// error of one line.
func ReadResult(data []byte) (*Result, error) {
	doc, err := ReadDecision(data)
	if err != nil {
		return nil, err
	}
	// The inventory is read once, by ReadDecision: this field, shallower
	// than the Decision's, takes its place.
	var d struct {
		Decision
		Inventory *struct{} `json:"inventory"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, jsonscan.DecodeError(data, err)
	}
	dec := d.Decision
	for _, l := range []*[]string{&dec.Policies, &dec.PolicySources} {
		if *l == nil {
			*l = []string{}
		}
	}
	if dec.Violations == nil || dec.Warnings == nil {
		return nil, fmt.Errorf("violations and warnings must be lists")
	}
	doc.Context = dec.Context
	return &Result{Decision: &dec, Document: doc}, nil
}

package builtins

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"

	"github.com/secgate/secgate/document"
	"github.com/secgate/secgate/internal/textsafe"
)

var cvssScoreDef = definition{
	name:        "secgate.cvss_score",
	description: "Computes the base score and severity band of a CVSS v2, v3.0, v3.1 or v4.0 vector; an error for a vector that does not parse.",
	decl: types.NewFunction(
		types.Args(
			types.Named("vector", types.S).Description("CVSS vector, e.g. \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\""),
		),
		types.Named("result", types.NewObject([]*types.StaticProperty{
			types.NewStaticProperty("version", types.S),
			types.NewStaticProperty("score", types.N),
			types.NewStaticProperty("severity", types.S),
		}, nil)).Description("CVSS version (\"2.0\", \"3.0\", \"3.1\", \"4.0\"), base score and secgate severity"),
	),
	impl: guard1(cvssScore),
}

func cvssScore(_ rego.BuiltinContext, vectorTerm *ast.Term) (*ast.Term, error) {
	vector, err := stringArg(vectorTerm, 1)
	if err != nil {
		return nil, err
	}
	version, score, ok := document.ScoreVector(vector)
	if !ok {
		return nil, fmt.Errorf("invalid CVSS vector %s: want a CVSS:4.0/…, CVSS:3.1/… or CVSS:3.0/… vector or a v2 vector such as AV:N/AC:L/Au:N/C:P/I:P/A:P", textsafe.Quote(vector))
	}
	// Format the float the shortest way, so 9.8 is 9.8 in Rego, not
	// 9.800000000000001.
	num := ast.NumberTerm(json.Number(strconv.FormatFloat(score, 'f', -1, 64)))
	return ast.ObjectTerm(
		ast.Item(ast.StringTerm("version"), ast.StringTerm(version)),
		ast.Item(ast.StringTerm("score"), num),
		ast.Item(ast.StringTerm("severity"), ast.StringTerm(string(document.SeverityFromScore(score)))),
	), nil
}

package builtins

import (
	"errors"
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"

	"github.com/secgate/secgate/internal/ecosystem"
	"github.com/secgate/secgate/internal/textsafe"
)

var versionCompareDef = definition{
	name:        "secgate.version_compare",
	description: "Compares two versions under an ecosystem's ordering rules: -1 when a < b, 0 when equal, 1 when a > b.",
	decl: types.NewFunction(
		types.Args(
			types.Named("ecosystem", types.S).Description("ecosystem or purl type: semver, npm, cargo, golang, pypi, deb, rpm, apk, maven, gem, …"),
			types.Named("a", types.S).Description("first version"),
			types.Named("b", types.S).Description("second version"),
		),
		types.Named("order", types.N).Description("-1, 0 or 1"),
	),
	impl: guard3(versionCompare),
}

func versionCompare(_ rego.BuiltinContext, ecoTerm, aTerm, bTerm *ast.Term) (*ast.Term, error) {
	eco, err := stringArg(ecoTerm, 1)
	if err != nil {
		return nil, err
	}
	a, err := stringArg(aTerm, 2)
	if err != nil {
		return nil, err
	}
	b, err := stringArg(bTerm, 3)
	if err != nil {
		return nil, err
	}
	c, err := ecosystem.Compare(eco, strings.TrimSpace(a), strings.TrimSpace(b))
	var verr *ecosystem.VersionError
	switch {
	case errors.Is(err, ecosystem.ErrUnordered):
		return nil, fmt.Errorf("operand 1: unknown ecosystem %s; known: %s, or a tool's word for one of them (debian, pip …)",
			textsafe.Quote(eco), strings.Join(ecosystem.Orders(), ", "))
	case errors.As(err, &verr):
		return nil, fmt.Errorf("operand %d: %w", verr.Operand+2, err)
	case err != nil:
		return nil, err
	}
	return ast.IntNumberTerm(c), nil
}

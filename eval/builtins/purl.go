package builtins

import (
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"
	packageurl "github.com/package-url/packageurl-go"

	"github.com/secgate/secgate/internal/textsafe"
)

var purlParseDef = definition{
	name:        "secgate.purl_parse",
	description: "Parses a package URL (purl) into type, namespace, name, version, qualifiers and subpath; an error for an invalid purl.",
	decl: types.NewFunction(
		types.Args(
			types.Named("purl", types.S).Description("package URL, e.g. \"pkg:npm/%40babel/core@7.24.0\""),
		),
		types.Named("result", types.NewObject([]*types.StaticProperty{
			types.NewStaticProperty("type", types.S),
			types.NewStaticProperty("namespace", types.S),
			types.NewStaticProperty("name", types.S),
			types.NewStaticProperty("version", types.S),
			types.NewStaticProperty("qualifiers", types.NewObject(nil, types.NewDynamicProperty(types.S, types.S))),
			types.NewStaticProperty("subpath", types.S),
		}, nil)).Description("the purl's components, unescaped; \"\" (qualifiers {}) when absent"),
	),
	impl: guard1(purlParse),
}

func purlParse(_ rego.BuiltinContext, purlTerm *ast.Term) (*ast.Term, error) {
	s, err := stringArg(purlTerm, 1)
	if err != nil {
		return nil, err
	}
	p, err := packageurl.FromString(s)
	if err != nil {
		return nil, fmt.Errorf("invalid package URL %s: %w", textsafe.Quote(s), err)
	}
	qualifiers := make([][2]*ast.Term, 0, len(p.Qualifiers))
	for _, q := range p.Qualifiers {
		qualifiers = append(qualifiers, ast.Item(ast.StringTerm(q.Key), ast.StringTerm(q.Value)))
	}
	return ast.ObjectTerm(
		ast.Item(ast.StringTerm("type"), ast.StringTerm(p.Type)),
		ast.Item(ast.StringTerm("namespace"), ast.StringTerm(p.Namespace)),
		ast.Item(ast.StringTerm("name"), ast.StringTerm(p.Name)),
		ast.Item(ast.StringTerm("version"), ast.StringTerm(p.Version)),
		ast.Item(ast.StringTerm("qualifiers"), ast.ObjectTerm(qualifiers...)),
		ast.Item(ast.StringTerm("subpath"), ast.StringTerm(p.Subpath)),
	), nil
}

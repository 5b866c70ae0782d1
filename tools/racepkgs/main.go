// Command racepkgs prints the packages `make race` runs under the race
// detector: those whose code or tests start goroutines (a go statement, a
// Go method such as sync.WaitGroup.Go, or an import of internal/par or
// net/http/httptest, which start them), and the commands, which run those
// packages together.
//
//	go run ./tools/racepkgs
package main

import (
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

const (
	module = "github.com/secgate/secgate"
	par    = module + "/internal/par"
)

func main() {
	pkgs, err := racePackages(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "racepkgs:", err)
		os.Exit(2)
	}
	fmt.Println(strings.Join(pkgs, " "))
}

// racePackages returns the packages under root (a module root), as
// ./relative paths, that start goroutines or are commands.
func racePackages(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(path, 0)
		if err != nil {
			var none *build.NoGoError
			if errors.As(err, &none) {
				return nil
			}
			return err
		}
		concurrent, err := startsGoroutines(pkg)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		isCommand := pkg.Name == "main" && strings.HasPrefix(rel, "cmd/")
		if concurrent || isCommand {
			out = append(out, "./"+strings.TrimPrefix(rel, "."))
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

// startsGoroutines reports whether pkg's code or tests have a go
// statement, call a method named Go, or import a package that starts
// goroutines for them (internal/par, net/http/httptest).
func startsGoroutines(pkg *build.Package) (bool, error) {
	for _, imports := range [][]string{pkg.Imports, pkg.TestImports, pkg.XTestImports} {
		if slices.Contains(imports, par) || slices.Contains(imports, "net/http/httptest") {
			return true, nil
		}
	}
	fset := token.NewFileSet()
	for _, name := range slices.Concat(pkg.GoFiles, pkg.TestGoFiles, pkg.XTestGoFiles) {
		f, err := parser.ParseFile(fset, filepath.Join(pkg.Dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return false, err
		}
		found := false
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				found = true
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Go" {
					found = true
				}
			}
			return !found
		})
		if found {
			return true, nil
		}
	}
	return false, nil
}

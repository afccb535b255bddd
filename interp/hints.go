package interp

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// anyResults are the matcalc calls whose result is any, with the typed forms to suggest.
var anyResults = map[string]string{
	"Apply":    "write .Apply(dx).(float64) (or the kind f returns: []float64, *mat.VecDense, *mat.Dense), or call ApplyFloat, ApplySlice, ApplyVec or ApplyDense",
	"Gradient": "write matcalc.Gradient(f, x).([]float64) (or x's kind), or call matcalc.GradientSlice, GradientVec or GradientDense",
	"HVP":      "write matcalc.HVP(f, x, v).([]float64) (or x's kind)",
}

// hintAssertion adds to err a hint when the chunk uses a matcalc result of type any
// without a type assertion and the error is what yaegi says of that ("operator * not
// defined on interface {}", "variable definition loop", "Call using interface {} as type
// float64"): a student forgot the .(float64).
func hintAssertion(err *lang.Error, text string) {
	if !strings.Contains(err.Value, "interface") && !strings.Contains(err.Value, "definition loop") {
		return
	}
	name := unassertedAnyCall(text)
	if name == "" {
		return
	}
	hint := "hint: " + name + " returns any: " + anyResults[strings.TrimPrefix(name, "matcalc.")]
	err.Traceback = append(err.Traceback, hint)
	err.Value += " (" + hint + ")"
}

// unassertedAnyCall returns the first matcalc call in text whose any result is used
// without a type assertion ("Apply", "matcalc.Gradient"), or "".
func unassertedAnyCall(text string) string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", text, 0) // the cell's composed file
	if err != nil {
		f, err = parser.ParseFile(fset, "", "package p\n"+text, 0)
	}
	if err != nil {
		f, err = parser.ParseFile(fset, "", "package p\nfunc _() {\n"+text+"\n}", 0)
		if err != nil {
			return ""
		}
	}
	asserted := map[ast.Expr]bool{}
	found := ""
	ast.Inspect(f, func(n ast.Node) bool {
		if found != "" {
			return false
		}
		switch n := n.(type) {
		case *ast.TypeAssertExpr:
			asserted[n.X] = true
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok || asserted[n] || anyResults[sel.Sel.Name] == "" {
				return true
			}
			pkg, isPkg := sel.X.(*ast.Ident)
			switch {
			case sel.Sel.Name == "Apply":
				found = "Apply"
			case isPkg && pkg.Name == "matcalc":
				found = "matcalc." + sel.Sel.Name
			}
		}
		return true
	})
	return found
}

package stdlib

import (
	"context"
	"reflect"
	"testing"

	"github.com/gomatcalc/gomatcalc/stdlib/cellrt"
	"github.com/gomatcalc/gomatcalc/stdlib/display"
	"github.com/gomatcalc/gomatcalc/stdlib/matcalc"
)

type published struct{ texts []any }

func (p *published) Display(data, _ map[string]any, _ string, _ bool) {
	p.texts = append(p.texts, data["text/plain"])
}
func (p *published) Clear(bool) {}

func TestSessionSymbolsBindTheSessionsValues(t *testing.T) {
	pub := &published{}
	d := display.New(pub)
	rt := cellrt.New(d)
	ctx, cancel := context.WithCancel(context.Background())
	syms := SessionSymbols(rt, d, ctx)

	// display: every function of the table with a method of d, and of the same type.
	disp := syms[displayPath]
	for _, name := range []string{"HTML", "Markdown", "LaTeX", "SVG", "PNG", "JSON", "Value", "Clear", "Show", "Progress", "SetPrecision", "SetMaxSize", "Render"} {
		v, ok := disp[name]
		if !ok {
			t.Errorf("display.%s is not the session's", name)
			continue
		}
		if v.Type() != Symbols[displayPath][name].Type() {
			t.Errorf("display.%s: %v, the table has %v", name, v.Type(), Symbols[displayPath][name].Type())
		}
	}
	if _, ok := disp["Bundle"]; ok {
		t.Error("a type was overridden")
	}
	disp["SetPrecision"].Call([]reflect.Value{reflect.ValueOf(2)})
	disp["Markdown"].Call([]reflect.Value{reflect.ValueOf("hi")})
	if len(pub.texts) != 1 || pub.texts[0] != "hi" || d.Settings().Digits != 2 || display.Default().Settings().Digits != 6 {
		t.Errorf("published %v, digits %d (default %d)", pub.texts, d.Settings().Digits, display.Default().Settings().Digits)
	}

	// cellrt: the methods cells call, and not those of the session alone.
	rts := syms[cellrtPath]
	for _, name := range []string{"Overflowing", "Overflow", "Defer", "DeferSpread", "Shown"} {
		if _, ok := rts[name]; !ok {
			t.Errorf("cellrt.%s is missing", name)
		}
	}
	for name := range sessionOnly {
		if _, ok := rts[name]; ok {
			t.Errorf("cells can call cellrt.%s", name)
		}
	}

	// matcalc: the functions with options, wrapped.
	mc := syms[matcalcPath]
	for _, name := range []string{"D", "D2", "Gradient", "Jacobian", "Hessian", "HVP", "Derivative", "Newton", "NewtonMin", "Check", "GradientAcc"} {
		if _, ok := mc[name]; !ok {
			t.Errorf("matcalc.%s does not take the session's context", name)
		}
	}
	if _, ok := mc["Kron"]; ok {
		t.Error("matcalc.Kron has no options to wrap")
	}
	square := func(p []float64) float64 { return p[0] * p[0] }
	x := reflect.ValueOf([]float64{3})
	opts := make([]matcalc.Option, 1, 4)
	opts[0] = matcalc.Tolerance(1e-3)
	derivative := func() float64 {
		sq := func(x float64) float64 { return x * x }
		return mc["Derivative"].CallSlice([]reflect.Value{reflect.ValueOf(sq), reflect.ValueOf(3.0), reflect.ValueOf(opts)})[0].Float()
	}
	if g := mc["GradientSlice"].Call([]reflect.Value{reflect.ValueOf(square), x})[0].Interface().([]float64); len(g) != 1 || g[0] < 5.99 || g[0] > 6.01 {
		t.Errorf("gradient %v, want 6", g)
	}
	if g := derivative(); g < 5.99 || g > 6.01 {
		t.Errorf("derivative %v, want 6", g)
	}
	if opts[:2][1] != nil {
		t.Error("the wrapper wrote into the caller's options")
	}
	cancel()
	func() {
		defer func() {
			if r := recover(); r != matcalc.ErrCanceled {
				t.Errorf("after cancel: panic %v, want ErrCanceled", r)
			}
		}()
		derivative()
	}()
}

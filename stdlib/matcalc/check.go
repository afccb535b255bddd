package matcalc

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
)

// CheckStep is the comparison at one step size h.
type CheckStep struct {
	H      float64
	RelErr float64 // ‖(f(x + h dx) - f(x)) - h df(x, dx)‖ / ‖h df(x, dx)‖
}

// CheckResult is the outcome of Check.
type CheckResult struct {
	Steps   []CheckStep
	OK      bool   // the best relative error is small: df agrees with f
	Verdict string // a sentence for the notebook
}

// Check is the course's habit in one call: it compares the finite difference
// f(x + h dx) - f(x) with h df(x, dx) for a random direction dx and steps h = 1e-1 ...
// 1e-12. df is a hand-derived derivative, a func(x, dx) of f's output kind. For a right df
// the relative error falls like h until round-off takes over; for a wrong one it stays
// large. Of the options, only WithContext applies.
func Check(f, df, x any, opts ...Option) *CheckResult {
	fn, xv := newFunction("Check", f, x, opts)
	dfv := reflect.ValueOf(df)
	if dfv.Kind() != reflect.Func || dfv.Type().NumIn() != 2 || dfv.Type().NumOut() != 1 {
		panic(fmt.Sprintf("matcalc: Check: df must be a func(x, dx) with one result, got %T", df))
	}
	rng := rand.New(rand.NewPCG(18, 96)) // the same dx every run
	dx := make([]float64, len(xv))
	for i := range dx {
		dx[i] = rng.Float64()*2 - 1
	}
	arg := func(v []float64, i int) reflect.Value {
		a, ok := fn.in.value(v, dfv.Type().In(i))
		if !ok {
			panic(fmt.Sprintf("matcalc: Check: df's argument %d is %v, but x is %v", i+1, dfv.Type().In(i), fn.in))
		}
		return a
	}
	lin, s, err := vec(dfv.Call([]reflect.Value{arg(xv, 0), arg(dx, 1)})[0].Interface())
	if err != nil || s.size() != fn.out.size() {
		panic(fmt.Sprintf("matcalc: Check: df returns %v, want f's kind (%v)", s, fn.out))
	}
	fx := fn.eval(xv)
	res := &CheckResult{}
	best := math.Inf(1)
	for e := 1; e <= 12; e++ {
		h := math.Pow(10, -float64(e))
		fh, err := fn.at(axpy(xv, h, dx))
		if err != nil {
			continue // x + h dx is outside f's domain: the smaller steps tell
		}
		diff := make([]float64, len(fh))
		for i := range fh {
			diff[i] = (fh[i] - fx[i]) - h*lin[i]
		}
		rel := norm2(diff) / math.Max(h*norm2(lin), math.SmallestNonzeroFloat64)
		res.Steps = append(res.Steps, CheckStep{H: h, RelErr: rel})
		best = math.Min(best, rel)
	}
	res.OK = best < 1e-5
	if res.OK {
		res.Verdict = fmt.Sprintf("df agrees with f: best relative error %.2g", best)
	} else {
		res.Verdict = fmt.Sprintf("df does NOT match f: the relative error never falls below %.2g", best)
	}
	return res
}

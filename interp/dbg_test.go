package interp

import "testing"

func TestDbg(t *testing.T) {
	s := newSession(t)
	for _, code := range []string{
		"type P struct{ X int }\nfunc (p P) String() string { return \"P!\" }\nfmt.Println(P{3})",
		"func mk0() any { return P{3} }\nfmt.Println(mk0())",
		"func mk1(n int) any { if n > 0 { return mk0() }; return P{3} }\nfmt.Println(mk1(0), mk1(1))",
		"func mk2(n int) fmt.Stringer { if n > 0 { return mk2(n-1) }; return P{3} }\nfmt.Println(mk2(0), mk2(1))",
		"var a any = P{4}\nfmt.Println(a)",
	} {
		res, out := exec(t, s, code)
		t.Logf("%q\n  value %v\n  err %v\n  out %q", code, res.Value["text/plain"], res.Err, out.streams)
	}
}

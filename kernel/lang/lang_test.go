package lang

import (
	"math"
	"testing"
)

func TestEncodableDropsWhatJSONCannotEncode(t *testing.T) {
	b := Bundle{"text/plain": "x", "text/html": "<b>x</b>", "application/json": map[string]float64{"x": math.NaN()}}
	got := b.Encodable()
	if len(got) != 2 || got["text/plain"] != "x" || got["text/html"] != "<b>x</b>" {
		t.Errorf("got %v", got)
	}
	got = Bundle{"application/json": []any{math.Inf(1)}, "application/x-func": func() {}}.Encodable()
	if len(got) != 1 || got["text/plain"] != "(a value whose application/json, application/x-func form JSON cannot encode)" {
		t.Errorf("without text/plain: %v", got)
	}
	fine := Bundle{"text/plain": "1", "application/json": map[string]int{"a": 1}}
	if got := fine.Encodable(); len(got) != 2 {
		t.Errorf("an encodable bundle changed: %v", got)
	}
}

package kernel

import (
	"reflect"
	"testing"
)

func TestHistoryQuery(t *testing.T) {
	h := newHistory()
	for i, code := range []string{"x := 1", "1+1", "fmt.Println(x)", "1+1", "a/b"} {
		h.add(i+1, code, "")
	}
	lines := func(es []historyEntry) []int {
		var out []int
		for _, e := range es {
			out = append(out, e.line)
		}
		return out
	}
	tests := []struct {
		name string
		req  historyRequest
		want []int
	}{
		{"tail", historyRequest{HistAccessType: "tail", N: 2}, []int{4, 5}},
		{"tail all", historyRequest{HistAccessType: "tail"}, []int{1, 2, 3, 4, 5}},
		{"range", historyRequest{HistAccessType: "range", Session: 1, Start: 2, Stop: 4}, []int{2, 3}},
		{"range open end", historyRequest{HistAccessType: "range", Start: 4}, []int{4, 5}},
		{"range other session", historyRequest{HistAccessType: "range", Session: 7, Start: 1}, nil},
		{"search", historyRequest{HistAccessType: "search", Pattern: "1+1"}, []int{2, 4}},
		{"search unique", historyRequest{HistAccessType: "search", Pattern: "1+1", Unique: true}, []int{4}},
		{"search glob", historyRequest{HistAccessType: "search", Pattern: "*x*"}, []int{1, 3}},
		{"search glob across slash", historyRequest{HistAccessType: "search", Pattern: "a*"}, []int{5}},
		{"search n", historyRequest{HistAccessType: "search", Pattern: "*", N: 1}, []int{5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lines(h.query(tt.req)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got lines %v, want %v", got, tt.want)
			}
		})
	}
}

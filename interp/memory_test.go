package interp

import (
	"runtime"
	"testing"
)

// What a session keeps over many executes: the live heap (after a full collection) kept
// per round of cells, bounded far above what the session keeps and far below what it
// kept before the engine lifted top-level function literals and emptied the global
// frame's dead slots (docs/reliability.md, Soak; bench/sessionmem measures it). No time
// is measured.

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// keptPerRound runs the cells in turn, rounds times after a few rounds of warm-up, and
// returns the live heap kept per round, in KiB.
func keptPerRound(t *testing.T, rounds int, cells ...string) float64 {
	t.Helper()
	s := newSession(t)
	round := func() {
		for _, c := range cells {
			if res, _ := exec(t, s, c); res.Err != nil {
				t.Fatalf("%q: %s", c, res.Err.Value)
			}
		}
	}
	for range 10 {
		round()
	}
	before := liveHeap()
	for range rounds {
		round()
	}
	after := liveHeap()
	runtime.KeepAlive(s)
	kept := float64(int64(after-before)) / 1024 / float64(rounds)
	t.Logf("%.2f KiB kept per round over %d rounds", kept, rounds)
	return kept
}

func TestMemoryOfAClosureCell(t *testing.T) {
	// Before: the closure copied the global frame, which grows with every execute
	// (55.8 KiB per execute over the first 500 executes, 127.5 over the next 500).
	if kept := keptPerRound(t, 300, "f := func() int { return 1 }\nf()"); kept > 8 {
		t.Errorf("the session keeps %.1f KiB per execute of a cell making a closure, want under 8", kept)
	}
}

func TestMemoryOfClosuresUsingEachOther(t *testing.T) {
	// Before: each closure's copy of the global frame held the other's previous closure,
	// and so on back to the first execute.
	// 600 rounds: the tangents the session makes of f and g add garbage, and over fewer
	// rounds a collection's timing alone moved the figure by 20 KiB.
	kept := keptPerRound(t, 600,
		"f := func(x float64) float64 { return 2 * x }",
		"g := func(x float64) float64 { return f(x) + 1 }\ng(1)")
	if kept > 16 {
		t.Errorf("the session keeps %.1f KiB per round of two cells making closures, want under 16", kept)
	}
}

func TestMemoryOfALoopCell(t *testing.T) {
	// Before: the loop's variables got new names at every run (engine.BlockScopes numbered
	// them by the cell's run), and yaegi a new slot for each (13.8 KiB a run).
	if kept := keptPerRound(t, 300, "s := 0.0\nfor i := 0; i < 3; i++ {\n\tv := float64(i)\n\ts += v\n}"); kept > 4 {
		t.Errorf("the session keeps %.1f KiB per run of a cell with a loop, want under 4", kept)
	}
}

func TestMemoryOfAVariableDefinedAgain(t *testing.T) {
	// Before: every earlier value of big stayed in the global frame (256 KiB a round).
	if kept := keptPerRound(t, 40, "big := make([]float64, 1<<15)\nlen(big)"); kept > 32 {
		t.Errorf("the session keeps %.1f KiB per execute of a cell defining a 256 KiB variable again, want under 32", kept)
	}
}

package matfmt

import (
	"runtime"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
)

func TestNotesFollowTheMatrix(t *testing.T) {
	d := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	s := mat.NewSymDense(2, []float64{1, 2, 2, 1})
	v := mat.NewVecDense(2, []float64{1, 2})
	xs := []float64{1, 2, 3}
	for _, m := range []any{d, s, v, xs} {
		Note(m, "vouched")
		if got := NoteOf(m); got != "vouched" {
			t.Errorf("%T: note %q", m, got)
		}
	}
	// A copy is another matrix; a changed matrix has lost what vouched for it.
	if got := NoteOf(mat.DenseCopyOf(d)); got != "" {
		t.Errorf("a copy has the note %q", got)
	}
	d.Set(0, 0, 5)
	xs[2] = 7
	if NoteOf(d) != "" || NoteOf(xs) != "" {
		t.Error("a changed matrix keeps its note")
	}
	if NoteOf(xs[:2]) != "" {
		t.Error("a shorter slice of the same storage has the note")
	}
	// Values with no identity to keep a note by are left alone.
	Note(3.0, "x")
	Note([]float64{}, "x")
	if NoteOf(3.0) != "" || NoteOf([]float64{}) != "" {
		t.Error("a note on a float64 or an empty slice")
	}
}

func TestNotesDieWithTheirMatrix(t *testing.T) {
	count := func() int {
		n := 0
		notes.Range(func(any, any) bool { n++; return true })
		return n
	}
	before := count()
	for i := 0; i < 100; i++ {
		Note(mat.NewDense(3, 3, nil), "temporary")
	}
	if count() < before+100 {
		t.Fatalf("%d notes after 100, want at least %d", count(), before+100)
	}
	deadline := time.Now().Add(5 * time.Second)
	for count() > before && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := count(); n > before {
		t.Errorf("%d notes of collected matrices kept", n-before)
	}
}

package worker

import (
	"os"
	"runtime/metrics"
	"testing"
)

func BenchmarkRSS(b *testing.B) {
	pid := os.Getpid()
	for b.Loop() {
		rss(pid)
	}
}

func BenchmarkGroupMembers(b *testing.B) {
	pid := os.Getpid()
	for b.Loop() {
		groupMembers(pid)
	}
}

func BenchmarkReadHeld(b *testing.B) {
	sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	for b.Loop() {
		metrics.Read(sample)
	}
}

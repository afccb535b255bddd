package worker

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"

	"github.com/gomatcalc/gomatcalc/internal/limits"
)

// goShare is the part of the server's memory limit the worker's Go runtime aims to stay
// under (debug.SetMemoryLimit, a soft limit: the garbage collector works harder as the
// heap nears it, so that garbage is freed before the supervisor has to end the session).
// The rest is room for what the same limit also holds: the kernel process (about 25 MiB),
// what the Go runtime does not count (the binary's code, programs a cell starts), and a
// margin below the supervisor's kill.
const goShare = 0.85

// useLimits fits the worker's Go runtime to the server's limits. An explicit GOMEMLIMIT
// or GOMAXPROCS in the environment wins.
func useLimits(l limits.Limits) {
	if l.MemoryLimited() && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(float64(l.Memory) * goShare))
	}
	// Go already lowers GOMAXPROCS to a cgroup's CPU quota (rounded up, at least 2, and
	// follows its changes); a GOMAXPROCS of our own would stop that, so it is set only
	// when CPU_LIMIT asks for fewer.
	if l.CPU > 0 && os.Getenv("GOMAXPROCS") == "" {
		if n := max(1, int(math.Ceil(l.CPU))); n < runtime.GOMAXPROCS(0) {
			runtime.GOMAXPROCS(n)
		}
	}
}

// reportHeld tells the supervisor what the Go runtime holds (mapped and not returned to
// the system: what GOMEMLIMIT counts) after each garbage collection that changed it by a
// MiB or more. The RSS the supervisor reads misses what a make has allocated and nothing
// has written yet (a page is resident only once written): a loop of such makes would grow
// without bound. The heap cannot grow past the soft limit without a collection, and an
// idle worker collects nothing: the report costs nothing while idle, where a timer's
// wake-ups would (docs/reliability.md, Memory limits).
func (s *server) reportHeld() {
	collected := make(chan struct{}, 1)
	afterEachGC(func() {
		select {
		case collected <- struct{}{}:
		default: // one report is pending already
		}
	})
	sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	var sent uint64
	for range collected {
		metrics.Read(sample)
		held := sample[0].Value.Uint64() - sample[1].Value.Uint64()
		if max(held, sent)-min(held, sent) >= 1<<20 {
			s.send(event{Held: held})
			sent = held
		}
	}
}

// afterEachGC calls f (which must not block) after each garbage collection: the cleanup
// of an object nothing points to runs once a collection has freed it, and makes the next.
func afterEachGC(f func()) {
	// 32 bytes: the tiny allocator would put a smaller object with others, and free it
	// only with them.
	runtime.AddCleanup(new([32]byte), func(struct{}) {
		f()
		afterEachGC(f)
	}, struct{}{})
}

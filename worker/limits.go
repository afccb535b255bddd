package worker

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"

	"github.com/gomatcalc/gomatcalc/internal/limits"
)

// goShare is the part of the server's memory limit the worker's Go runtime aims to stay
// under (debug.SetMemoryLimit, a soft limit: the garbage collector works harder as the
// heap nears it, so that garbage is freed before the supervisor has to end the session).
// The rest is room for what the same limit also holds: the kernel process (about 20 MiB),
// what the Go runtime does not count (the binary's code, programs a cell starts), and a
// margin below the supervisor's kill.
const goShare = 0.85

// memoryEvery is how often the memory of a worker is looked at, by the worker (what its
// Go runtime holds) and by the supervisor (the RSS of its process group): often enough to
// stop a loop of allocations near the limit, seldom enough to cost next to nothing while
// idle (docs/reliability.md, Memory limits).
const memoryEvery = 100 * time.Millisecond

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
// the system: what GOMEMLIMIT counts) whenever that changed by a MiB or more. The RSS the
// supervisor reads misses what a make has allocated and nothing has written yet (a page
// is resident only once written): a loop of such makes would grow without bound.
func (s *server) reportHeld() {
	sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	var sent uint64
	for range time.Tick(memoryEvery) {
		metrics.Read(sample)
		held := sample[0].Value.Uint64() - sample[1].Value.Uint64()
		if max(held, sent)-min(held, sent) >= 1<<20 {
			s.send(event{Held: held})
			sent = held
		}
	}
}

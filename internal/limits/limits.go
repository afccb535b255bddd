// Package limits finds the memory and CPU a kernel may use. On a JupyterHub the spawner
// says so in the single-user server's environment, which the server passes to its
// kernels: MEM_LIMIT (bytes) and CPU_LIMIT (cores, a float). A container or a systemd
// unit may limit the memory of the process's cgroup as well (cgroup v2 memory.max, v1
// memory.limit_in_bytes, of the process's own cgroup or an ancestor's). The smallest of
// these and the machine's memory is the limit the session's allocation guard, its
// garbage collector and its supervisor honour.
package limits

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Limits are the memory and CPU limits a process lives under.
type Limits struct {
	// Memory is the smallest memory limit known, in bytes (0: none, not even the
	// machine's), and MemoryFrom where it comes from: "MEM_LIMIT", "cgroup memory.max",
	// "cgroup memory.limit_in_bytes" or Machine.
	Memory     int64
	MemoryFrom string
	// CPU is CPU_LIMIT, in cores (0: none).
	CPU float64
}

// Machine is the MemoryFrom of a limit that is the machine's own memory.
const Machine = "machine"

// MemoryLimited says whether a memory limit below the machine's memory is known.
func (l Limits) MemoryLimited() bool { return l.Memory > 0 && l.MemoryFrom != Machine }

// MemoryText names the memory limit for a sentence: "this server's memory limit
// (1.0 GiB, MEM_LIMIT)", or "this machine's memory (23.5 GiB)".
func (l Limits) MemoryText() string {
	switch {
	case l.MemoryLimited():
		return fmt.Sprintf("this server's memory limit (%s, %s)", Bytes(l.Memory), l.MemoryFrom)
	case l.Memory > 0:
		return fmt.Sprintf("this machine's memory (%s)", Bytes(l.Memory))
	}
	return "this machine's memory"
}

// Bytes writes n bytes in GiB, or in MiB below one GiB: "1.0 GiB", "286.1 MiB".
func Bytes(n int64) string {
	if n >= 1<<30 {
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// Find returns the limits of this process. A malformed MEM_LIMIT or CPU_LIMIT is
// ignored, with a note to warn (nil: none).
func Find(warn io.Writer) Limits {
	return host{root: "/", pid: "self", getenv: os.Getenv, warn: warn}.limits()
}

// host is where limits are read: the real machine, or a test's made-up one.
type host struct {
	root   string // the directory /proc and /sys are under: "/", or a test's
	pid    string // whose cgroup: "self" or a process ID
	getenv func(string) string
	warn   io.Writer
}

func (h host) limits() Limits {
	var l Limits
	// On a tie the first named wins: the machine (no limit of its own is then known), and
	// MEM_LIMIT before the cgroup's (the instructor's figure, where a spawner sets both).
	consider := func(n int64, from string) {
		if n > 0 && (l.Memory == 0 || n < l.Memory) {
			l.Memory, l.MemoryFrom = n, from
		}
	}
	consider(h.machineMemory(), Machine)
	consider(h.memLimit(), "MEM_LIMIT")
	consider(h.cgroupMemory())
	l.CPU = h.cpuLimit()
	return l
}

// machineMemory is MemTotal of /proc/meminfo, in bytes (0: unknown).
func (h host) machineMemory() int64 {
	b, err := os.ReadFile(h.path("/proc/meminfo"))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err == nil && kib > 0 {
				return kib << 10
			}
		}
	}
	return 0
}

// memLimit is MEM_LIMIT in bytes (0: not set, or malformed).
func (h host) memLimit() int64 {
	s := h.getenv("MEM_LIMIT")
	if s == "" {
		return 0
	}
	n, ok := parseBytes(s)
	if !ok {
		h.note("MEM_LIMIT=%q is not a size in bytes (such as 1073741824, 512M or 1G): ignored", s)
		return 0
	}
	return n
}

// unitSuffixes are the suffixes JupyterHub's ByteSpecification accepts in a Spawner's
// mem_limit (the spawner itself passes plain bytes in MEM_LIMIT).
var unitSuffixes = map[byte]float64{'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30, 'T': 1 << 40}

// parseBytes reads a positive number of bytes: an integer, or a number with a suffix of
// unitSuffixes ("1.5G").
func parseBytes(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, n > 0
	}
	if s == "" {
		return 0, false
	}
	unit, ok := unitSuffixes[s[len(s)-1]]
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s[:len(s)-1]), 64)
	if err != nil || !(f > 0) || f*unit >= 1<<62 {
		return 0, false
	}
	return int64(f * unit), true
}

// cpuLimit is CPU_LIMIT in cores (0: not set, or malformed).
func (h host) cpuLimit() float64 {
	s := h.getenv("CPU_LIMIT")
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || !(f > 0) || math.IsInf(f, 0) {
		h.note("CPU_LIMIT=%q is not a number of cores (such as 2 or 0.5): ignored", s)
		return 0
	}
	return f
}

func (h host) note(format string, args ...any) {
	if h.warn != nil {
		fmt.Fprintf(h.warn, "gomatcalc: "+format+"\n", args...)
	}
}

// path is where the absolute path abs of the host is.
func (h host) path(abs string) string { return filepath.Join(h.root, abs) }

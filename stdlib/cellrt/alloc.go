package cellrt

import (
	"fmt"
	"reflect"
	"sync"

	"github.com/gomatcalc/gomatcalc/internal/limits"
)

// Len checks a slice length (or capacity) a cell gives make before the allocation is
// tried: Go ends the whole process, not just the cell, when memory cannot be had
// ("fatal error: runtime: out of memory"), so a slice larger than the memory the session
// may use (the server's limit, or else the machine's memory: see package limits) panics
// here instead, as a cell's error. n is any integer (or integral constant); elem is a zero
// element, for its size.
func Len(n any, elem any) int {
	return checkLen(n, elem, processLimits())
}

// processLimits are the limits of the session's process, read once: they are its
// environment's and its cgroup's, the same for every session it runs (and a note about a
// malformed MEM_LIMIT is the kernel's to print, not a cell's).
var processLimits = sync.OnceValue(func() limits.Limits { return limits.Find(nil) })

func checkLen(n, elem any, lim limits.Limits) int {
	length, ok := asInt(n)
	if !ok || length < 0 {
		// Not ours to judge: make reports it in Go's own words.
		return int(length)
	}
	size := int64(16) // an interface element
	if elem != nil {
		size = max(int64(reflect.TypeOf(elem).Size()), 1)
	}
	if lim.Memory > 0 && length > lim.Memory/size {
		panic(fmt.Sprintf("runtime error: makeslice: %d elements of %d bytes are more than %s",
			length, size, lim.MemoryText()))
	}
	return int(length)
}

func asInt(n any) (int64, bool) {
	v := reflect.ValueOf(n)
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if v.Uint() > 1<<62 {
			return 1 << 62, true
		}
		return int64(v.Uint()), true
	case reflect.Float32, reflect.Float64:
		return int64(v.Float()), true
	}
	return 0, false
}

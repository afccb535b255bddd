package cellrt

import (
	"fmt"
	"reflect"
	"syscall"
)

// Len checks a slice length (or capacity) a cell gives make before the allocation is
// tried: Go ends the whole process, not just the cell, when memory cannot be had
// ("fatal error: runtime: out of memory"), so a slice larger than the machine's memory
// panics here instead, as a cell's error. n is any integer (or integral constant); elem is
// a zero element, for its size.
func Len(n any, elem any) int {
	length, ok := asInt(n)
	if !ok || length < 0 {
		// Not ours to judge: make reports it in Go's own words.
		return int(length)
	}
	size := int64(16) // an interface element
	if elem != nil {
		size = max(int64(reflect.TypeOf(elem).Size()), 1)
	}
	if limit := memory(); limit > 0 && length > limit/size {
		panic(fmt.Sprintf("runtime error: makeslice: %d elements of %d bytes are more than this machine's memory (%s)",
			length, size, bytesText(limit)))
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

// memory is the machine's physical memory in bytes, 0 when unknown.
func memory() int64 {
	var info syscall.Sysinfo_t
	if err := syscall.Sysinfo(&info); err != nil {
		return 0
	}
	return int64(info.Totalram) * int64(info.Unit)
}

func bytesText(n int64) string {
	const gib = 1 << 30
	return fmt.Sprintf("%.1f GiB", float64(n)/gib)
}

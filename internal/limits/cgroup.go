package limits

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// cgroupMemory is the smallest memory limit set on the process's cgroup or one of its
// ancestors, in the v2 hierarchy and in v1's memory controller (a machine may mount both),
// and the file it was read from; 0 when none is set. A limit on an ancestor binds the
// process as much as its own.
func (h host) cgroupMemory() (int64, string) {
	paths := h.cgroupPaths()
	var least int64
	var from string
	for _, m := range h.cgroupMounts() {
		path, ok := paths[m.version]
		if !ok {
			continue
		}
		rel, ok := below(path, m.root)
		if !ok {
			continue // the process's cgroup is not in what this mount shows
		}
		file := "memory.max"
		if m.version == 1 {
			file = "memory.limit_in_bytes"
		}
		top := h.path(m.point)
		for dir := filepath.Join(top, rel); ; dir = filepath.Dir(dir) {
			if n := readLimit(filepath.Join(dir, file)); n > 0 && (least == 0 || n < least) {
				least, from = n, "cgroup "+file
			}
			if len(dir) <= len(top) {
				break
			}
		}
	}
	return least, from
}

// cgroupPaths are the process's cgroups (/proc/PID/cgroup) by the version of their
// hierarchy: 2 for the unified one ("0::/user.slice/..."), 1 for the one with the memory
// controller ("4:memory:/docker/abc").
func (h host) cgroupPaths() map[int]string {
	b, _ := os.ReadFile(h.path("/proc/" + h.pid + "/cgroup"))
	paths := map[int]string{}
	for line := range strings.Lines(string(b)) {
		id, rest, _ := strings.Cut(strings.TrimSuffix(line, "\n"), ":")
		controllers, path, ok := strings.Cut(rest, ":")
		switch {
		case !ok:
		case id == "0" && controllers == "":
			paths[2] = path
		case slices.Contains(strings.Split(controllers, ","), "memory"):
			paths[1] = path
		}
	}
	return paths
}

// cgroupMount is a mount of a cgroup hierarchy: v2's, or v1's with the memory controller.
type cgroupMount struct {
	version int
	root    string // the cgroup the mount shows at its top (a container's own, often)
	point   string // where it is mounted
}

// cgroupMounts reads the cgroup mounts of /proc/PID/mountinfo.
func (h host) cgroupMounts() []cgroupMount {
	b, _ := os.ReadFile(h.path("/proc/" + h.pid + "/mountinfo"))
	var mounts []cgroupMount
	for line := range strings.Lines(string(b)) {
		// "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:14 - cgroup cgroup rw,memory":
		// ID, parent, device, root, mount point, options and optional fields up to "-",
		// then the file system's type, its source and its options.
		own, fs, ok := strings.Cut(line, " - ")
		f, g := strings.Fields(own), strings.Fields(fs)
		if !ok || len(f) < 5 || len(g) < 3 {
			continue
		}
		m := cgroupMount{root: unescape(f[3]), point: unescape(f[4])}
		switch {
		case g[0] == "cgroup2":
			m.version = 2
		case g[0] == "cgroup" && slices.Contains(strings.Split(g[2], ","), "memory"):
			m.version = 1
		default:
			continue
		}
		mounts = append(mounts, m)
	}
	return mounts
}

// below is path relative to root ("/" for root itself), if path is root or under it.
func below(path, root string) (string, bool) {
	switch {
	case root == "/":
		return path, true
	case path == root:
		return "/", true
	}
	rest, ok := strings.CutPrefix(path, root+"/")
	return "/" + rest, ok
}

// unescape undoes mountinfo's octal escapes of a path's spaces, tabs, newlines and
// backslashes ("\040").
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// readLimit reads a memory limit file in bytes; v2's "max" and v1's "no limit" (2^63
// less a page) are none, 0.
func readLimit(file string) int64 {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || n <= 0 || n >= 1<<62 {
		return 0
	}
	return n
}

package limits

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	mib = 1 << 20
	gib = 1 << 30
	// v1's "no limit": 2^63 rounded down to a page.
	v1None = "9223372036854771712"
)

// fakeHost makes a root holding the given files (paths from /), for host.
func fakeHost(t *testing.T, files map[string]string, env map[string]string) (host, *bytes.Buffer) {
	t.Helper()
	root := t.TempDir()
	for name, text := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var notes bytes.Buffer
	return host{root: root, pid: "self", getenv: func(k string) string { return env[k] }, warn: &notes}, &notes
}

const meminfo16G = "MemTotal:       16777216 kB\nMemFree:         1000000 kB\n"

func TestMemoryLimitIsTheSmallestKnown(t *testing.T) {
	v2 := "30 22 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n"
	v1 := "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:14 - cgroup cgroup rw,memory\n" +
		"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	hybrid := "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n" + v1
	for _, c := range []struct {
		name  string
		files map[string]string
		env   map[string]string
		want  int64
		from  string
	}{
		{name: "nothing but the machine", files: map[string]string{"/proc/meminfo": meminfo16G},
			want: 16 * gib, from: Machine},
		{name: "nothing known at all", files: map[string]string{}, want: 0, from: ""},
		{name: "MEM_LIMIT", files: map[string]string{"/proc/meminfo": meminfo16G},
			env: map[string]string{"MEM_LIMIT": "300000000"}, want: 300000000, from: "MEM_LIMIT"},
		{name: "MEM_LIMIT above the machine's memory", files: map[string]string{"/proc/meminfo": meminfo16G},
			env: map[string]string{"MEM_LIMIT": "64G"}, want: 16 * gib, from: Machine},
		{name: "v2: an ancestor's limit binds, max means none", files: map[string]string{
			"/proc/meminfo":                                        meminfo16G,
			"/proc/self/mountinfo":                                 v2,
			"/proc/self/cgroup":                                    "0::/user.slice/user-1000.slice/session-3.scope\n",
			"/sys/fs/cgroup/user.slice/memory.max":                 "max\n",
			"/sys/fs/cgroup/user.slice/user-1000.slice/memory.max": "1073741824\n",
			"/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope/memory.max": "max\n",
		}, want: gib, from: "cgroup memory.max"},
		{name: "v2: its own limit, below MEM_LIMIT", files: map[string]string{
			"/proc/meminfo":                              meminfo16G,
			"/proc/self/mountinfo":                       v2,
			"/proc/self/cgroup":                          "0::/kubepods/pod1/c1\n",
			"/sys/fs/cgroup/kubepods/pod1/c1/memory.max": "536870912\n",
		}, env: map[string]string{"MEM_LIMIT": "1G"}, want: 512 * mib, from: "cgroup memory.max"},
		{name: "MEM_LIMIT equal to the cgroup's is named", files: map[string]string{
			"/proc/meminfo":                              meminfo16G,
			"/proc/self/mountinfo":                       v2,
			"/proc/self/cgroup":                          "0::/kubepods/pod1/c1\n",
			"/sys/fs/cgroup/kubepods/pod1/c1/memory.max": "1073741824\n",
		}, env: map[string]string{"MEM_LIMIT": "1073741824"}, want: gib, from: "MEM_LIMIT"},
		{name: "v1 memory controller, this machine's layout", files: map[string]string{
			"/proc/meminfo":                                               meminfo16G,
			"/proc/self/mountinfo":                                        v1,
			"/proc/self/cgroup":                                           "5:devices:/\n4:memory:/process_api/abc\n1:cpu:/\n0::/\n",
			"/sys/fs/cgroup/memory/memory.limit_in_bytes":                 v1None + "\n",
			"/sys/fs/cgroup/memory/process_api/memory.limit_in_bytes":     v1None + "\n",
			"/sys/fs/cgroup/memory/process_api/abc/memory.limit_in_bytes": "268435456\n",
			"/sys/fs/cgroup/cpu/process_api/abc/memory.limit_in_bytes":    "1\n", // not the memory controller's
		}, want: 256 * mib, from: "cgroup memory.limit_in_bytes"},
		{name: "v1 in a container: the mount shows the container's own cgroup", files: map[string]string{
			"/proc/meminfo":                               meminfo16G,
			"/proc/self/mountinfo":                        "1000 990 0:32 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory\n",
			"/proc/self/cgroup":                           "9:memory:/docker/abc\n",
			"/sys/fs/cgroup/memory/memory.limit_in_bytes": "134217728\n",
		}, want: 128 * mib, from: "cgroup memory.limit_in_bytes"},
		{name: "a cgroup outside what the mount shows is not read", files: map[string]string{
			"/proc/meminfo":                               meminfo16G,
			"/proc/self/mountinfo":                        "1000 990 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n",
			"/proc/self/cgroup":                           "9:memory:/docker/other\n",
			"/sys/fs/cgroup/memory/memory.limit_in_bytes": "134217728\n",
		}, want: 16 * gib, from: Machine},
		{name: "hybrid: no memory.max in the unified hierarchy, v1's limit", files: map[string]string{
			"/proc/meminfo":                                 meminfo16G,
			"/proc/self/mountinfo":                          hybrid,
			"/proc/self/cgroup":                             "4:memory:/a\n0::/a\n",
			"/sys/fs/cgroup/unified/a/cgroup.procs":         "",
			"/sys/fs/cgroup/memory/a/memory.limit_in_bytes": "805306368\n",
		}, want: 768 * mib, from: "cgroup memory.limit_in_bytes"},
		{name: "a mount point with a space", files: map[string]string{
			"/proc/meminfo":                  meminfo16G,
			"/proc/self/mountinfo":           `30 22 0:26 / /sys/fs/my\040cgroup rw - cgroup2 cgroup2 rw` + "\n",
			"/proc/self/cgroup":              "0::/x\n",
			"/sys/fs/my cgroup/x/memory.max": "1073741824\n",
		}, want: gib, from: "cgroup memory.max"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, notes := fakeHost(t, c.files, c.env)
			l := h.limits()
			if l.Memory != c.want || l.MemoryFrom != c.from {
				t.Errorf("%d bytes from %q, want %d from %q", l.Memory, l.MemoryFrom, c.want, c.from)
			}
			if notes.Len() > 0 {
				t.Errorf("notes: %s", notes)
			}
		})
	}
}

func TestMemLimitsForms(t *testing.T) {
	for _, c := range []struct {
		value string
		want  int64
	}{
		{"300000000", 300000000},
		{" 300000000\n", 300000000},
		{"64K", 64 << 10},
		{"512M", 512 * mib},
		{"1G", gib},
		{"1.5G", 3 * gib / 2},
		{"2T", 2 << 40},
		{"0.5 G", gib / 2},
	} {
		h, notes := fakeHost(t, map[string]string{}, map[string]string{"MEM_LIMIT": c.value})
		if got := h.memLimit(); got != c.want || notes.Len() > 0 {
			t.Errorf("MEM_LIMIT=%q: %d (notes %q), want %d", c.value, got, notes, c.want)
		}
	}
}

func TestAMalformedLimitIsIgnoredWithANote(t *testing.T) {
	for _, bad := range []string{"lots", "1GB", "1g", "-5", "0", "-1G", "G", "NaNG", "InfT", "99999999999T", "1e9"} {
		h, notes := fakeHost(t, map[string]string{"/proc/meminfo": meminfo16G}, map[string]string{"MEM_LIMIT": bad})
		l := h.limits()
		if l.Memory != 16*gib || l.MemoryFrom != Machine {
			t.Errorf("MEM_LIMIT=%q: %d from %q, want the machine's memory", bad, l.Memory, l.MemoryFrom)
		}
		if want := "MEM_LIMIT=" + strconv.Quote(bad) + " is not a size in bytes"; !strings.Contains(notes.String(), want) || !strings.Contains(notes.String(), "ignored") {
			t.Errorf("MEM_LIMIT=%q: note %q, want %q ... ignored", bad, notes, want)
		}
	}
	for _, bad := range []string{"two", "-1", "0", "Inf", "NaN", "1,5"} {
		h, notes := fakeHost(t, map[string]string{}, map[string]string{"CPU_LIMIT": bad})
		if l := h.limits(); l.CPU != 0 || !strings.Contains(notes.String(), "CPU_LIMIT="+strconv.Quote(bad)+" is not a number of cores") {
			t.Errorf("CPU_LIMIT=%q: %v, note %q", bad, l.CPU, notes)
		}
	}
}

func TestCPULimit(t *testing.T) {
	for value, want := range map[string]float64{"": 0, "2": 2, "0.5": 0.5, " 1.25 ": 1.25} {
		h, notes := fakeHost(t, map[string]string{}, map[string]string{"CPU_LIMIT": value})
		if got := h.limits().CPU; got != want || notes.Len() > 0 {
			t.Errorf("CPU_LIMIT=%q: %v (notes %q), want %v", value, got, notes, want)
		}
	}
}

func TestMemoryText(t *testing.T) {
	for _, c := range []struct {
		l    Limits
		want string
	}{
		{Limits{Memory: gib, MemoryFrom: "MEM_LIMIT"}, "this server's memory limit (1.0 GiB, MEM_LIMIT)"},
		{Limits{Memory: 300000000, MemoryFrom: "cgroup memory.max"}, "this server's memory limit (286.1 MiB, cgroup memory.max)"},
		{Limits{Memory: 47 * gib / 2, MemoryFrom: Machine}, "this machine's memory (23.5 GiB)"},
		{Limits{}, "this machine's memory"},
	} {
		if got := c.l.MemoryText(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.l, got, c.want)
		}
	}
}

// This machine's own files: /proc/meminfo says what sysinfo(2) says.
func TestThisMachine(t *testing.T) {
	var info syscall.Sysinfo_t
	if err := syscall.Sysinfo(&info); err != nil {
		t.Fatal(err)
	}
	ram := int64(info.Totalram) * int64(info.Unit)
	h := host{root: "/", pid: "self", getenv: func(string) string { return "" }}
	if got := h.machineMemory(); got != ram {
		t.Errorf("MemTotal %d bytes, sysinfo %d", got, ram)
	}
	l := h.limits()
	if l.Memory <= 0 || l.Memory > ram || (l.MemoryFrom == Machine) != (l.Memory == ram) {
		t.Errorf("%d bytes from %q, machine %d", l.Memory, l.MemoryFrom, ram)
	}
}

// A real cgroup v1 below this process's own, with a process in it (root only: the
// machine mounts the memory controller writable at /sys/fs/cgroup/memory).
func TestARealCgroupV1(t *testing.T) {
	own := ""
	b, _ := os.ReadFile("/proc/self/cgroup")
	for line := range strings.Lines(string(b)) {
		if _, path, ok := strings.Cut(strings.TrimSpace(line), ":memory:"); ok {
			own = path
		}
	}
	dir := filepath.Join("/sys/fs/cgroup/memory", own, "gomatcalc-limits-test-"+strconv.Itoa(os.Getpid()))
	if own == "" || os.Mkdir(dir, 0o755) != nil {
		t.Skip("no writable cgroup v1 memory controller at /sys/fs/cgroup/memory")
	}
	defer func() {
		// The kernel removes a cgroup once its last process has gone.
		for i := 0; i < 100 && os.Remove(dir) != nil; i++ {
			time.Sleep(10 * time.Millisecond)
		}
	}()
	const limit = 64 * mib
	if err := os.WriteFile(filepath.Join(dir, "memory.limit_in_bytes"), []byte(strconv.Itoa(limit)), 0); err != nil {
		t.Fatal(err)
	}
	sleep := exec.Command("sleep", "60")
	if err := sleep.Start(); err != nil {
		t.Skip("no sleep program:", err)
	}
	defer func() {
		sleep.Process.Kill()
		sleep.Wait()
	}()
	pid := strconv.Itoa(sleep.Process.Pid)
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(pid), 0); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	h := host{root: "/", pid: pid, getenv: func(k string) string { return env[k] }}
	if l := h.limits(); l.Memory != limit || l.MemoryFrom != "cgroup memory.limit_in_bytes" {
		t.Errorf("%d bytes from %q, want %d from the cgroup", l.Memory, l.MemoryFrom, limit)
	}
	env["MEM_LIMIT"] = "32M"
	if l := h.limits(); l.Memory != 32*mib || l.MemoryFrom != "MEM_LIMIT" {
		t.Errorf("with MEM_LIMIT=32M: %d bytes from %q", l.Memory, l.MemoryFrom)
	}
	// This process is not in that cgroup.
	if l := (host{root: "/", pid: "self", getenv: func(string) string { return "" }}).limits(); l.Memory == limit {
		t.Errorf("this process has the child's limit")
	}
}

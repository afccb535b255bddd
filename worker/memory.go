package worker

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gomatcalc/gomatcalc/internal/limits"
)

// How often the supervisor looks at a worker's memory: while a cell runs, often enough
// to stop a program it started near the limit; between cells seldom, for a wake-up costs
// an idle kernel more than the look itself (docs/reliability.md, Memory limits). The
// worker's own heap is reported as it grows (reportHeld) and looked at at once.
const (
	memoryEvery     = 100 * time.Millisecond
	memoryIdleEvery = time.Second
)

// watchMemory ends the worker when its memory passes the server's limit less what the
// kernel process itself uses: a loop of small allocations passes any guard, and without
// a cgroup nothing else would stop it before the machine runs out. The worker's memory is
// the RSS of its process group (the worker and the programs its cells started), or what
// its Go runtime says it holds if that is more. It looks every memoryEvery while a cell
// runs, every memoryIdleEvery between cells, and whenever p.memoryNews says a cell has
// started or the worker reported, until the worker ends; the Supervisor starts it with
// the worker's first cell.
func (p *process) watchMemory(lim limits.Limits) {
	pid := p.cmd.Process.Pid
	var others []int
	var kernel int64
	var looked time.Time // at the group's other members and the kernel's share
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-p.ended:
			return
		case <-timer.C:
		case <-p.memoryNews:
		}
		if time.Since(looked) >= time.Second { // these change slowly
			others, kernel, looked = groupMembers(pid), rss(os.Getpid()), time.Now()
		}
		used := max(rss(pid), int64(p.held.Load()))
		for _, o := range others {
			used += rss(o)
		}
		if used > lim.Memory-kernel {
			p.killForMemory(lim, used, kernel)
			return
		}
		if p.inCell() {
			timer.Reset(memoryEvery)
		} else {
			timer.Reset(memoryIdleEvery)
		}
	}
}

func (p *process) killForMemory(lim limits.Limits, used, kernel int64) {
	who := "the Go session"
	if p.inCell() {
		who = "the cell"
	}
	p.kill(ending{
		name: "MemoryLimit",
		msg:  fmt.Sprintf("%s used more memory than %s", who, lim.MemoryText()),
		hint: fmt.Sprintf("The session had taken %s when it was stopped (the kernel %s). Work on smaller data, set large variables you no longer need to nil, or ask your instructor for more memory.",
			limits.Bytes(used), limits.Bytes(kernel)),
	})
}

// inCell says whether a cell is running in p.
func (p *process) inCell() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.calls {
		if c.out != nil {
			return true
		}
	}
	return false
}

var pageSize = int64(os.Getpagesize())

// rss is the resident memory of process pid in bytes (/proc/PID/statm; 0 once it has
// gone).
func rss(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * pageSize
}

// maxMembers bounds the processes groupMembers finds: a cell that forks without end
// must not make each look at memory take longer.
const maxMembers = 1000

// groupMembers are the worker's descendants still in its process group pgid (what a
// kill of the group ends), found through /proc/PID/task/TID/children.
func groupMembers(pgid int) []int {
	var members []int
	var walk func(pid int)
	walk = func(pid int) {
		dir := "/proc/" + strconv.Itoa(pid) + "/task/"
		tasks, _ := os.ReadDir(dir)
		for _, task := range tasks {
			b, _ := os.ReadFile(dir + task.Name() + "/children")
			for _, field := range strings.Fields(string(b)) {
				child, err := strconv.Atoi(field)
				if err != nil || len(members) >= maxMembers {
					continue
				}
				if processGroup(child) == pgid {
					members = append(members, child)
				}
				walk(child)
			}
		}
	}
	walk(pgid)
	return members
}

// processGroup is the process group of pid (/proc/PID/stat; 0 once it has gone).
func processGroup(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// "PID (COMM) STATE PPID PGRP ...": COMM may hold spaces and parentheses.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 3 {
		return 0
	}
	pgrp, _ := strconv.Atoi(f[2])
	return pgrp
}

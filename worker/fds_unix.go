//go:build unix

package worker

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// inheritedFiles are the descriptors the supervisor gave the worker, closed on exec so
// that no program a cell starts holds the supervisor's pipes open.
func inheritedFiles() ([3]*os.File, error) {
	var files [3]*os.File
	for i, fd := range []int{requestsFD, eventsFD, stderrFD} {
		var st syscall.Stat_t
		if err := syscall.Fstat(fd, &st); err != nil {
			return files, errors.New("worker: no supervisor's pipes (a worker is started by gomatcalc kernel or gomatcalc run, not by hand)")
		}
		syscall.CloseOnExec(fd)
		files[i] = os.NewFile(uintptr(fd), []string{"requests", "events", "stderr"}[i])
	}
	return files, nil
}

// ownProcessGroup puts the worker in a process group of its own: a Ctrl-C in the terminal
// or a signal to the kernel's group does not reach it (interrupts are requests), and a
// kill takes the programs its cells started with it.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killGroup kills the worker and its process group.
func killGroup(p *os.Process) {
	syscall.Kill(-p.Pid, syscall.SIGKILL)
	p.Kill()
}

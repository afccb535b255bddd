//go:build !unix

package worker

import (
	"errors"
	"os"
	"os/exec"
)

// inheritedFiles: a worker needs descriptors beyond 0-2, which only Unix passes on.
func inheritedFiles() ([3]*os.File, error) {
	return [3]*os.File{}, errors.New("worker: a worker process needs Unix")
}

func ownProcessGroup(cmd *exec.Cmd) {}

func killGroup(p *os.Process) { p.Kill() }

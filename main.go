// Command gomatcalc is a Jupyter kernel for Go built for matrix calculus.
//
//	gomatcalc kernel CONNECTION_FILE   serve a kernel (what the kernelspec runs)
//	gomatcalc install [--user | --sys-prefix | --prefix DIR | --system]
//	gomatcalc run NOTEBOOK... [-o OUT | --inplace] [--html FILE] [--timeout D] [--allow-errors]
//	gomatcalc version
//	gomatcalc help
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/gomatcalc/gomatcalc/install"
	"github.com/gomatcalc/gomatcalc/internal/limits"
	"github.com/gomatcalc/gomatcalc/interp"
	"github.com/gomatcalc/gomatcalc/kernel"
	"github.com/gomatcalc/gomatcalc/kernel/lang"
	"github.com/gomatcalc/gomatcalc/worker"
)

const usage = `gomatcalc: a Jupyter kernel for Go, built for matrix calculus

usage:
  gomatcalc kernel CONNECTION_FILE                        serve a kernel (the kernelspec runs this)
  gomatcalc install [--user | --sys-prefix | --prefix DIR | --system]  install the "Go (matcalc)" kernelspec
  gomatcalc run NOTEBOOK... [-o OUT | --inplace] [--html FILE] [--timeout D] [--allow-errors]
                                                          run notebooks without Jupyter (nothing is
                                                          written without -o, --inplace or --html;
                                                          gomatcalc run -h tells more)
  gomatcalc version                                       print the version
  gomatcalc help                                          print this help
`

// usageError is a command line mistake: exit status 2, with the usage.
type usageError string

func (e usageError) Error() string { return string(e) }

func usagef(format string, args ...any) error { return usageError(fmt.Sprintf(format, args...)) }

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil:
	case errors.As(err, new(usageError)):
		fmt.Fprintf(os.Stderr, "gomatcalc: %v\n\n%s", err, usage)
		os.Exit(2)
	case errors.Is(err, errInterrupted):
		fmt.Fprintf(os.Stderr, "gomatcalc: %v\n", err)
		os.Exit(130)
	default:
		fmt.Fprintf(os.Stderr, "gomatcalc: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("no command")
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "kernel":
		return kernelCmd(args, stderr)
	case "install":
		return installCmd(args, stdout)
	case "run":
		return runCmd(args, stdout, stderr)
	case "worker": // the session's own process, started by kernel and run (not in the usage)
		if os.Getenv(workerEnv) != "1" {
			return usagef("worker is started by gomatcalc kernel and gomatcalc run, not by hand")
		}
		os.Unsetenv(workerEnv) // not passed on to programs the cells start
		return worker.Serve(func() (lang.Session, error) { return goSession() })
	case "version", "--version":
		if len(args) > 0 {
			return usagef("version takes no arguments")
		}
		fmt.Fprintln(stdout, "gomatcalc", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return usagef("unknown command %q", cmd)
}

// parseFlags parses a subcommand's flags, turning flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return usagef("%s: %v", fs.Name(), err)
	}
	return nil
}

func kernelCmd(args []string, stderr io.Writer) error {
	// The front end that started the kernel, before anything slow: if it dies while the
	// session loads, the kernel must notice too.
	parent := os.Getppid()
	fs := flag.NewFlagSet("kernel", flag.ContinueOnError)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("kernel needs exactly one CONNECTION_FILE")
	}
	conn, err := kernel.ReadConnectionFile(fs.Arg(0))
	if err != nil {
		return err
	}
	// SIGINT interrupts the running cell, as it does in a terminal; SIGTERM and the death
	// of the parent end the kernel (within a second even while a cell runs).
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	go exitWithParent(parent, stop)
	// The session runs in a worker process, which the kernel starts once it listens.
	session, err := supervisedSession("", stderr)
	if err != nil {
		return err
	}
	defer session.Close()
	k := kernel.New(conn, session, stderr)
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	go func() {
		for range interrupts {
			k.Interrupt()
		}
	}()
	_, err = k.Run(ctx)
	return err
}

// exitWithParent calls stop when parent, the process that started the kernel (the front
// end), is no longer its parent: it died, and a crashed front end leaves no kernel behind.
func exitWithParent(parent int, stop func()) {
	if parent == 1 {
		return // started by init or a service manager: no front end to outlive
	}
	for range time.Tick(250 * time.Millisecond) {
		if os.Getppid() != parent {
			stop()
			return
		}
	}
}

func installCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("install", flag.ContinueOnError)
	var where install.Where
	fs.BoolVar(&where.User, "user", false, "install for the current user (the default; honours JUPYTER_DATA_DIR)")
	fs.BoolVar(&where.SysPrefix, "sys-prefix", false, "install into the active Python environment")
	fs.StringVar(&where.Prefix, "prefix", "", "install into `DIR`/share/jupyter")
	system := fs.Bool("system", false, "install for every user of the machine: the binary as "+install.SystemPrefix+"/bin/gomatcalc, the kernelspec in "+install.SystemPrefix+"/share/jupyter (as root)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("install takes no arguments, got %q", fs.Arg(0))
	}
	chosen := 0
	for _, on := range []bool{where.User, where.SysPrefix, where.Prefix != "", *system} {
		if on {
			chosen++
		}
	}
	if chosen > 1 {
		return usagef("install takes one of --user, --sys-prefix, --prefix and --system")
	}
	if *system {
		where.Prefix, where.CopyBinary = install.SystemPrefix, true
	}
	binary, err := os.Executable()
	if err != nil {
		return err
	}
	if resolved, err := filepath.EvalSymlinks(binary); err == nil {
		binary = resolved
	}
	dir, err := install.Kernelspec(binary, where)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "installed kernelspec %s in %s\n", install.KernelName, dir)
	return nil
}

// version is the module version the binary was built from, or "devel".
func version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}

// supervisedSession is the Go session of the kernel and of gomatcalc run: in a worker
// process (gomatcalc worker) started in dir ("": this process's), so that what ends a
// process (a fatal error of the Go runtime) ends only the session, which the supervisor
// reports and starts afresh; and a session that uses more memory than the server's limit
// (MEM_LIMIT, the cgroup's) ends the same way.
func supervisedSession(dir string, log io.Writer) (*worker.Supervisor, error) {
	binary, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return worker.New(worker.Options{
		Command: func() *exec.Cmd {
			cmd := exec.Command(binary, "worker")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), workerEnv+"=1")
			return cmd
		},
		Info:   interp.Describe(version()),
		Log:    log,
		Limits: limits.Find(log),
	}), nil
}

// workerEnv marks the environment of a worker process. (A test binary ignores the worker
// argument: its TestMain looks for this.)
const workerEnv = "GOMATCALC_WORKER"

// goSession is the Go session a worker serves.
func goSession() (*interp.Session, error) {
	// Only yaegi writes to the standard logger (log.Panic as it gives up compiling some
	// code: "nil type"); the cell gets the error itself, so the lines are noise on the
	// terminal. Cells' own log calls go to the cell's stderr, not through it.
	log.SetOutput(io.Discard)
	return interp.New(interp.Options{Version: version()})
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gomatcalc/gomatcalc/notebook"
)

const runUsage = `usage: gomatcalc run NOTEBOOK... [-o OUT | --inplace] [--html FILE] [--timeout D] [--allow-errors]

Runs each notebook's code cells in order in a fresh Go session, as "Run All" in Jupyter
does, without Jupyter or Python, in the notebook's directory (as nbconvert does: a file
beside the notebook is read by its name). Progress and the first failing cell's line and error
go to stderr. Without -o, --inplace or --html nothing is written: the notebooks are only
run and checked. Every file is written atomically: an interrupted run never leaves a
half-written notebook.

  -o OUT          write the executed notebook to OUT (one notebook), or into the existing
                  directory OUT under its own name
  --inplace       write each executed notebook back to its own file
  --html FILE     write the executed notebook as a standalone HTML page (FILE, or an
                  existing directory); math through this machine's MathJax, else the web's
  --timeout D     fail a cell that runs longer than D (a Go duration: 30s, 5m)
  --allow-errors  run every cell even after one fails, and exit 0

Exit status: 0 when every cell ran (or --allow-errors), 1 when a cell failed or a
notebook could not be read or written, 2 for a command line mistake, 130 when
interrupted (Ctrl-C stops the running cell; the notebook it was in is not written).
`

// errInterrupted ends the command with exit status 130, as a shell reports Ctrl-C.
var errInterrupted = errors.New("interrupted")

type runOptions struct {
	out, html   string
	inplace     bool
	timeout     time.Duration
	allowErrors bool
}

func runCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	var o runOptions
	fs.StringVar(&o.out, "o", "", "")
	fs.BoolVar(&o.inplace, "inplace", false, "")
	fs.StringVar(&o.html, "html", "", "")
	fs.DurationVar(&o.timeout, "timeout", 0, "")
	fs.BoolVar(&o.allowErrors, "allow-errors", false, "")
	paths, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, runUsage)
		return nil
	}
	if err != nil {
		return err
	}
	if err := checkRunArgs(o, paths); err != nil {
		return err
	}
	// Every path is made absolute, and every destination decided, before any cell runs:
	// a cell may change the working directory (os.Chdir), and cells run in their
	// notebook's directory.
	names := append([]string(nil), paths...) // as given, for messages
	if err := absolute(&o.out, &o.html, paths); err != nil {
		return err
	}

	// Every notebook is read, and every destination checked, before any runs: a mistake
	// is reported at once, not after the others have run.
	notebooks := make([]*notebook.Notebook, len(paths))
	var refused []string
	for i, path := range paths {
		if notebooks[i], err = notebook.Read(path); err != nil {
			refused = append(refused, err.Error())
		}
	}
	dests := map[string]destinations{}
	for _, path := range paths {
		d := destinations{notebook: destination(o.out, path, ""), html: destination(o.html, path, ".html")}
		if o.inplace {
			d.notebook = path
		}
		dests[path] = d
		for _, dest := range []string{d.notebook, d.html} {
			if dir := filepath.Dir(dest); dest != "" && !isDir(dir) {
				refused = append(refused, fmt.Sprintf("%s: cannot write there: no directory %s", dest, dir))
			}
		}
	}
	if len(refused) > 0 {
		return errors.New(strings.Join(refused, "\n"))
	}

	// Ctrl-C (or SIGTERM) cancels the running cell; a second one ends the process at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()

	var failed []string
	for i, path := range paths {
		name := names[i]
		err := runNotebook(ctx, o, name, path, dests[path], notebooks[i], stderr)
		switch {
		case errors.Is(err, errInterrupted):
			return err
		case err != nil && (len(paths) == 1 || errors.Is(err, notebook.ErrStuck)):
			return fmt.Errorf("%s: %w", name, err)
		case err != nil:
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			failed = append(failed, name)
		}
	}
	switch {
	case len(failed) > 0:
		return fmt.Errorf("%d of %d notebooks failed: %s", len(failed), len(paths), strings.Join(failed, ", "))
	case o.out == "" && !o.inplace && o.html == "":
		fmt.Fprintf(stderr, "ran %s; nothing written (no -o, --inplace or --html)\n", plural(len(paths), "notebook"))
	}
	return nil
}

// runNotebook runs one notebook in a fresh session and writes what was asked for, also
// when a cell failed (the notebook then shows the error, as Jupyter would) but not when
// interrupted.
func runNotebook(ctx context.Context, o runOptions, name, path string, dests destinations, nb *notebook.Notebook, stderr io.Writer) error {
	code := 0
	for _, c := range nb.Cells {
		if c.Type == notebook.Code {
			code++
		}
	}
	fmt.Fprintf(stderr, "%s: %s, %d of code\n", name, plural(len(nb.Cells), "cell"), code)
	// A fresh worker per notebook, in the notebook's directory (as nbconvert runs a
	// notebook): nothing a notebook leaves running reaches the next one.
	session, err := supervisedSession(filepath.Dir(path), stderr)
	if err != nil {
		return err
	}
	session.Load()
	runner := &notebook.Runner{Timeout: o.timeout, AllowErrors: o.allowErrors, Progress: stderr}
	start := time.Now()
	res, runErr := runner.Run(ctx, nb, session)
	session.Close()
	if errors.Is(runErr, context.Canceled) {
		fmt.Fprintf(stderr, "%s: %v; nothing written\n", name, runErr)
		return errInterrupted
	}
	if err := writeResults(dests, name, path, nb, stderr); err != nil {
		return err
	}
	if runErr != nil {
		return runErr
	}
	if n := len(res.Failed); n > 0 {
		fmt.Fprintf(stderr, "%s: %s ran in %s, %d failed (--allow-errors)\n", name, plural(res.Ran, "cell"), time.Since(start).Round(time.Millisecond), n)
	} else {
		fmt.Fprintf(stderr, "%s: %s ran in %s\n", name, plural(res.Ran, "cell"), time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// destinations are where one notebook's results go ("": nowhere).
type destinations struct{ notebook, html string }

// absolute makes out, html and paths absolute.
func absolute(out, html *string, paths []string) error {
	for _, p := range append([]*string{out, html}, pointers(paths)...) {
		if *p == "" {
			continue
		}
		abs, err := filepath.Abs(*p)
		if err != nil {
			return err
		}
		*p = abs
	}
	return nil
}

func pointers(s []string) []*string {
	out := make([]*string, len(s))
	for i := range s {
		out[i] = &s[i]
	}
	return out
}

func writeResults(dests destinations, name, path string, nb *notebook.Notebook, stderr io.Writer) error {
	if out := dests.notebook; out != "" {
		if err := notebook.Write(out, nb); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "%s: wrote %s\n", name, out)
	}
	if page := dests.html; page != "" {
		var b strings.Builder
		title := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		if t, ok := nb.Metadata["title"].(string); ok && t != "" {
			title = t
		}
		if err := notebook.WriteHTML(&b, nb, title); err != nil {
			return err
		}
		if err := notebook.WriteFile(page, []byte(b.String())); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "%s: wrote %s\n", name, page)
	}
	return nil
}

// destination is where the output for the notebook at path goes when the flag says
// target: target itself, or, when it is an existing directory, a file there named after
// the notebook (with the extension ext, if set).
func destination(target, path, ext string) string {
	if target == "" || !isDir(target) {
		return target
	}
	name := filepath.Base(path)
	if ext != "" {
		name = strings.TrimSuffix(name, filepath.Ext(name)) + ext
	}
	return filepath.Join(target, name)
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

func checkRunArgs(o runOptions, paths []string) error {
	switch {
	case len(paths) == 0:
		return usagef("run needs at least one NOTEBOOK")
	case o.out != "" && o.inplace:
		return usagef("run takes -o or --inplace, not both")
	case o.out != "" && !isDir(o.out) && len(paths) > 1:
		return usagef("-o %s takes one notebook; to write several, give an existing directory", o.out)
	case o.html != "" && !isDir(o.html) && len(paths) > 1:
		return usagef("--html %s takes one notebook; to write several, give an existing directory", o.html)
	case o.timeout < 0:
		return usagef("--timeout must not be negative")
	}
	// Two notebooks must not be written to one file.
	seen := map[string]string{}
	for _, path := range paths {
		for _, dest := range []string{destination(o.out, path, ""), destination(o.html, path, ".html")} {
			if dest == "" {
				continue
			}
			key := filepath.Clean(dest)
			if other, ok := seen[key]; ok && other != path {
				return usagef("%s and %s would both be written to %s", other, path, dest)
			}
			seen[key] = path
		}
	}
	return nil
}

// parseInterleaved parses flags that may come before, between and after the positional
// arguments (the flag package stops at the first positional one); "--" ends the flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	fs.SetOutput(io.Discard)
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			return nil, err
		} else if err != nil {
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if consumed := args[:len(args)-len(rest)]; len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

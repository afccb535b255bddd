// Command roundtrip is a Go front end on loopback that measures a kernel's own time per
// execute request, for issue 15's speed benchmark (bench/run-speed). It starts the kernel
// command it is given on a fresh connection file, waits until iopub delivers, runs a few
// executes to warm up, then runs -n executes of -code and prints a JSON object with, for
// each execute in the order run:
//
//   - arrival_ms: from the request's header date (set by this client just before it
//     signs and sends) to the header date of the kernel's idle status: the kernel's time
//     from the request's arrival to idle, plus this client's send and the loopback hop;
//   - busy_ms: from the kernel's busy status to its idle status, both the kernel's own
//     dates: its time per request less reading and dispatching the request;
//   - times_ms: from sending the request to receiving its idle status here (the shell
//     reply is read after);
//
// and the CPU time the kernel and its child processes spent per execute (cpu_ms, from
// /proc: Linux only) and the last execute_result's text/plain. The dates are the machine's
// one wall clock, read by both processes. The client's share (zmq4, HMAC, JSON) is the
// same for every kernel: the floor kernel measured with it is the least a request costs.
//
//	roundtrip [-n 2000] [-code 1+1] -- KERNEL_COMMAND... {connection_file}...
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/gomatcalc/gomatcalc/bench/internal/jmsg"
)

// Result is what roundtrip prints (times in ms, in the order measured).
type Result struct {
	Runs      int       `json:"runs"`
	ArrivalMS []float64 `json:"arrival_ms"`
	BusyMS    []float64 `json:"busy_ms"`
	TimesMS   []float64 `json:"times_ms"`
	// CPUMS is the CPU time (user and system) of the kernel's process tree per execute.
	CPUMS  float64 `json:"cpu_ms"`
	Result string  `json:"result"`
}

// sample is one execute's times.
type sample struct {
	arrival, busy, roundTrip time.Duration
	result                   string
}

func main() {
	n := flag.Int("n", 2000, "timed executes")
	warmup := flag.Int("warmup", 50, "executes before the timed ones")
	code := flag.String("code", "1+1", "the cell")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: roundtrip [-n N] [-code CELL] -- KERNEL_COMMAND... {connection_file}...")
		os.Exit(2)
	}
	r, err := run(flag.Args(), *n, *warmup, *code)
	if err != nil {
		fmt.Fprintln(os.Stderr, "roundtrip:", err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(r)
}

// client is the front end's sockets and the messages iopub delivered.
type client struct {
	signer         *jmsg.Signer
	session        string
	shell, control zmq4.Socket
	iopub          chan *jmsg.Message
}

func run(argv []string, n, warmup int, code string) (*Result, error) {
	dir, err := os.MkdirTemp("", "roundtrip")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	conn, err := jmsg.NewLoopback()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "connection.json")
	if err := conn.Write(path); err != nil {
		return nil, err
	}
	args := slices.Clone(argv)
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "{connection_file}", path)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}()

	c, err := connect(conn)
	if err != nil {
		cmd.Process.Kill()
		return nil, err
	}
	defer c.shutdown()
	for range warmup {
		if _, err := c.execute(code); err != nil {
			return nil, err
		}
	}
	cpu0 := treeCPU(cmd.Process.Pid)
	samples := make([]sample, 0, n)
	for range n {
		s, err := c.execute(code)
		if err != nil {
			return nil, err
		}
		samples = append(samples, s)
	}
	cpu := treeCPU(cmd.Process.Pid) - cpu0
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	r := &Result{Runs: n, CPUMS: ms(cpu) / float64(n)}
	for _, s := range samples {
		r.ArrivalMS = append(r.ArrivalMS, ms(s.arrival))
		r.BusyMS = append(r.BusyMS, ms(s.busy))
		r.TimesMS = append(r.TimesMS, ms(s.roundTrip))
		r.Result = s.result
	}
	return r, nil
}

// connect dials shell, control and iopub, and waits until iopub delivers a status.
func connect(conn *jmsg.Connection) (*client, error) {
	ctx := context.Background()
	id := zmq4.WithID(zmq4.SocketIdentity(jmsg.NewID()))
	retry, retries := zmq4.WithDialerRetry(5*time.Millisecond), zmq4.WithDialerMaxRetries(2000)
	c := &client{signer: jmsg.NewSigner(conn.Key), session: jmsg.NewID(), iopub: make(chan *jmsg.Message, 64),
		shell: zmq4.NewDealer(ctx, id, retry, retries), control: zmq4.NewDealer(ctx, id, retry, retries)}
	sub := zmq4.NewSub(ctx, retry, retries)
	for _, s := range []struct {
		sock zmq4.Socket
		port int
	}{{c.shell, conn.ShellPort}, {c.control, conn.ControlPort}, {sub, conn.IOPubPort}} {
		if err := s.sock.Dial(conn.Endpoint(s.port)); err != nil {
			return nil, err
		}
	}
	sub.SetOption(zmq4.OptionSubscribe, "")
	// iopub has its own signer: a Signer serves one goroutine.
	go func(signer *jmsg.Signer) {
		for {
			raw, err := sub.Recv()
			if err != nil {
				close(c.iopub)
				return
			}
			if m, err := signer.Decode(raw.Frames); err == nil {
				c.iopub <- m
			}
		}
	}(jmsg.NewSigner(conn.Key))
	deadline := time.Now().Add(30 * time.Second)
	for {
		id, err := c.send(c.shell, "kernel_info_request", map[string]any{})
		if err != nil {
			return nil, err
		}
		if _, err := c.reply(c.shell, id); err != nil {
			return nil, err
		}
		select {
		case <-c.iopub:
			// Drop what else arrives (the other statuses of the requests so far).
			for {
				select {
				case <-c.iopub:
					continue
				case <-time.After(200 * time.Millisecond):
				}
				return c, nil
			}
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, errors.New("iopub delivered nothing in 30 s")
		}
	}
}

func (c *client) send(sock zmq4.Socket, msgType string, content any) (string, error) {
	id, _, err := c.sendDated(sock, msgType, content)
	return id, err
}

// sendDated sends a request dated now, and returns its id and date.
func (c *client) sendDated(sock zmq4.Socket, msgType string, content any) (string, time.Time, error) {
	m := &jmsg.Message{Header: jmsg.NewHeader(msgType, c.session)}
	m.Content, _ = json.Marshal(content)
	date := time.Now()
	m.Header.Date = date.UTC().Format(time.RFC3339Nano)
	frames, err := c.signer.Encode(m)
	if err != nil {
		return "", date, err
	}
	return m.Header.MsgID, date, sock.SendMulti(zmq4.NewMsgFrom(frames...))
}

// reply reads sock until the reply to request id.
func (c *client) reply(sock zmq4.Socket, id string) (*jmsg.Message, error) {
	for {
		raw, err := sock.Recv()
		if err != nil {
			return nil, err
		}
		m, err := c.signer.Decode(raw.Frames)
		if err != nil {
			return nil, err
		}
		if m.ParentID() == id {
			return m, nil
		}
	}
}

// execute runs code and returns its times and the text/plain of its execute_result.
func (c *client) execute(code string) (sample, error) {
	var s sample
	start := time.Now()
	id, sent, err := c.sendDated(c.shell, "execute_request", map[string]any{"code": code, "silent": false,
		"store_history": true, "user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true})
	if err != nil {
		return s, err
	}
	var busy time.Time
	timeout := time.After(30 * time.Second)
	for done := false; !done; {
		select {
		case m, ok := <-c.iopub:
			if !ok {
				return s, errors.New("iopub closed")
			}
			if m.ParentID() != id {
				continue
			}
			switch m.Header.MsgType {
			case "status":
				var st struct {
					State string `json:"execution_state"`
				}
				json.Unmarshal(m.Content, &st)
				date, err := time.Parse(time.RFC3339Nano, m.Header.Date)
				if err != nil {
					return s, fmt.Errorf("status date: %w", err)
				}
				switch st.State {
				case "busy":
					busy = date
				case "idle":
					s.roundTrip = time.Since(start)
					s.arrival, s.busy = date.Sub(sent), date.Sub(busy)
					done = true
				}
			case "execute_result":
				var r struct {
					Data map[string]string `json:"data"`
				}
				json.Unmarshal(m.Content, &r)
				s.result = r.Data["text/plain"]
			case "error":
				return s, fmt.Errorf("the cell failed: %s", m.Content)
			}
		case <-timeout:
			return s, errors.New("no idle status in 30 s")
		}
	}
	if busy.IsZero() {
		return s, errors.New("no busy status before idle")
	}
	_, err = c.reply(c.shell, id)
	return s, err
}

// shutdown asks the kernel to end.
func (c *client) shutdown() {
	if id, err := c.send(c.control, "shutdown_request", map[string]any{"restart": false}); err == nil {
		done := make(chan bool, 1)
		go func() { c.reply(c.control, id); done <- true }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
	}
	c.shell.Close()
	c.control.Close()
}

// treeCPU is the CPU time (user and system) of process pid and its descendants so far.
func treeCPU(pid int) time.Duration {
	children := map[int][]int{}
	ticks := map[int]int64{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// After the command's ")": state ppid ... utime(14) stime(15), counting from 1.
		s := string(data)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) < 13 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		u, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		children[ppid] = append(children[ppid], p)
		ticks[p] = u + st
	}
	var total int64
	for queue := []int{pid}; len(queue) > 0; queue = queue[1:] {
		total += ticks[queue[0]]
		queue = append(queue, children[queue[0]]...)
	}
	return time.Duration(total) * time.Second / clockTicks
}

// clockTicks is Linux's USER_HZ, the unit of /proc's CPU times.
const clockTicks = 100

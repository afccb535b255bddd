package kernel

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// fakeSession is a lang.Session whose cells are keywords, so that the protocol can be
// tested without an interpreter.
type fakeSession struct {
	executed atomic.Int32
	hang     chan struct{} // "hang" waits for it, deaf to interrupts
}

func (s *fakeSession) Execute(ctx context.Context, req lang.ExecuteRequest, out lang.Output) lang.ExecuteResult {
	s.executed.Add(1)
	switch req.Code {
	case "print":
		out.Stream("stdout", "a")
		out.Stream("stdout", "b")
		return lang.ExecuteResult{Value: lang.PlainText("v")}
	case "fail":
		return lang.ExecuteResult{Err: &lang.Error{Name: "E", Value: "failed", Traceback: []string{"tb"}}}
	case "slowfail":
		time.Sleep(slowFail)
		return lang.ExecuteResult{Err: &lang.Error{Name: "E", Value: "failed late"}}
	case "flood":
		line := strings.Repeat("x", 999) + "\n"
		for range 5000 {
			out.Stream("stdout", line)
		}
		return lang.ExecuteResult{}
	case "hang":
		<-s.hang
		return lang.ExecuteResult{}
	case "block":
		<-ctx.Done()
		return lang.ExecuteResult{Err: &lang.Error{Name: "Interrupted", Value: "interrupted"}}
	case "input", "print-then-input":
		prompt := "name? "
		if req.Code == "print-then-input" {
			out.Stream("stdout", "Hello.\nyour name? ")
			prompt = ""
		}
		line, err := out.Input(prompt, false)
		if err != nil {
			return lang.ExecuteResult{Err: &lang.Error{Name: "InputError", Value: err.Error()}}
		}
		return lang.ExecuteResult{Value: lang.PlainText(line)}
	}
	return lang.ExecuteResult{}
}

// slowFail is how long the fake session's "slowfail" cell runs.
const slowFail = 1200 * time.Millisecond

func (s *fakeSession) Complete(code string, cursor int) lang.Completion {
	return lang.Completion{Matches: []string{"é" + code[cursor:]}, Start: cursor, End: len(code)}
}
func (s *fakeSession) Inspect(string, int, int) lang.Inspection { return lang.Inspection{} }
func (s *fakeSession) IsComplete(string) lang.Completeness {
	return lang.Completeness{Status: lang.Incomplete, Indent: "  "}
}
func (s *fakeSession) Info() lang.Info {
	return lang.Info{Implementation: "fake", Language: lang.LanguageInfo{Name: "go"}}
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// client is a front end in Go: DEALER shell, control and stdin, SUB iopub.
type client struct {
	t                     testing.TB
	conn                  *ConnectionInfo
	signer                *signer
	shell, control, stdin zmq4.Socket
	iopub                 zmq4.Socket
	iopubMsgs             chan *Message
}

func startKernel(t testing.TB, session lang.Session) (*client, chan error) {
	t.Helper()
	c, done := startKernelWithoutIOPub(t, session)
	c.subscribe()
	return c, done
}

// subscribe connects the client's iopub and waits until it receives.
func (c *client) subscribe() {
	t := c.t
	t.Helper()
	if err := c.iopub.Dial(c.conn.endpoint(c.conn.IOPubPort)); err != nil {
		t.Fatal(err)
	}
	c.iopub.SetOption(zmq4.OptionSubscribe, "")
	go func() {
		for {
			raw, err := c.iopub.Recv()
			if err != nil {
				return
			}
			if m, err := decode(raw.Frames, c.signer); err == nil {
				c.iopubMsgs <- m
			}
		}
	}()
	// Wait until iopub is subscribed: kernel_info requests until a status arrives.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c.send(c.shell, "kernel_info_request", map[string]any{})
		c.recv(c.shell)
		select {
		case <-c.iopubMsgs:
			c.drainIOPub()
			return
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("iopub never delivered a message")
		}
	}
}

// startKernelWithoutIOPub starts a kernel and connects the client's shell, control and
// stdin; its iopub socket is made but not connected.
func startKernelWithoutIOPub(t testing.TB, session lang.Session) (*client, chan error) {
	t.Helper()
	return startKernelOn(t, session, testConnection(t))
}

// testConnection is a connection on free loopback ports with HMAC-SHA256 signatures.
func testConnection(t testing.TB) *ConnectionInfo {
	return &ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: "test-key", SignatureScheme: "hmac-sha256",
		ShellPort: freePort(t), ControlPort: freePort(t), StdinPort: freePort(t), IOPubPort: freePort(t), HBPort: freePort(t)}
}

// startKernelOn is startKernelWithoutIOPub on the connection conn.
func startKernelOn(t testing.TB, session lang.Session, conn *ConnectionInfo) (*client, chan error) {
	t.Helper()
	h, err := signatureHash(conn.SignatureScheme)
	if err != nil {
		t.Fatal(err)
	}
	k := New(conn, session, io.Discard)
	done := make(chan error, 1)
	go func() {
		_, err := k.Run(context.Background())
		done <- err
	}()

	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c := &client{t: t, conn: conn, signer: newSchemeSigner(conn.Key, h), iopubMsgs: make(chan *Message, 100)}
	id := zmq4.WithID(zmq4.SocketIdentity("client"))
	c.shell, c.control, c.stdin = zmq4.NewDealer(ctx, id), zmq4.NewDealer(ctx, id), zmq4.NewDealer(ctx, id)
	c.iopub = zmq4.NewSub(ctx)
	for _, s := range []struct {
		sock zmq4.Socket
		port int
	}{{c.shell, conn.ShellPort}, {c.control, conn.ControlPort}, {c.stdin, conn.StdinPort}} {
		if err := s.sock.Dial(conn.endpoint(s.port)); err != nil {
			t.Fatal(err)
		}
	}
	return c, done
}

func (c *client) drainIOPub() {
	for {
		select {
		case <-c.iopubMsgs:
		case <-time.After(200 * time.Millisecond):
			return
		}
	}
}

func (c *client) send(sock zmq4.Socket, msgType string, content any) string {
	c.t.Helper()
	m := &Message{Header: newHeader(msgType, "client-session")}
	m.Content, _ = json.Marshal(content)
	f, err := encode(m, c.signer)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := sock.SendMulti(zmq4.NewMsgFrom(f...)); err != nil {
		c.t.Fatal(err)
	}
	return m.Header.MsgID
}

func (c *client) recv(sock zmq4.Socket) *Message {
	c.t.Helper()
	type result struct {
		m   zmq4.Msg
		err error
	}
	ch := make(chan result, 1)
	go func() {
		m, err := sock.Recv()
		ch <- result{m, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			c.t.Fatal(r.err)
		}
		m, err := decode(r.m.Frames, c.signer)
		if err != nil {
			c.t.Fatalf("reply does not verify: %v", err)
		}
		return m
	case <-time.After(10 * time.Second):
		c.t.Fatal("no reply within 10s")
		return nil
	}
}

// iopubUntilIdle returns the iopub messages of request msgID up to its idle status.
func (c *client) iopubUntilIdle(msgID string) []*Message {
	c.t.Helper()
	var out []*Message
	for {
		select {
		case m := <-c.iopubMsgs:
			var parent Header
			json.Unmarshal(m.Parent, &parent)
			if parent.MsgID != msgID {
				continue
			}
			out = append(out, m)
			if m.Header.MsgType == "status" && content(c.t, m)["execution_state"] == "idle" {
				return out
			}
		case <-time.After(10 * time.Second):
			c.t.Fatalf("no idle status for %s", msgID)
		}
	}
}

func content(t testing.TB, m *Message) map[string]any {
	var v map[string]any
	if err := json.Unmarshal(m.Content, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func types(ms []*Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Header.MsgType)
	}
	return out
}

func parentID(m *Message) string {
	var h Header
	json.Unmarshal(m.Parent, &h)
	return h.MsgID
}

func TestExecuteMessageSequence(t *testing.T) {
	c, _ := startKernel(t, &fakeSession{})
	id := c.send(c.shell, "execute_request", map[string]any{"code": "print"})
	reply := c.recv(c.shell)
	if parentID(reply) != id || reply.Header.MsgType != "execute_reply" {
		t.Fatalf("reply %s to %s, want execute_reply to %s", reply.Header.MsgType, parentID(reply), id)
	}
	rc := content(t, reply)
	if rc["status"] != "ok" || rc["execution_count"] != 1.0 {
		t.Errorf("reply content %v", rc)
	}
	msgs := c.iopubUntilIdle(id)
	want := []string{"status", "execute_input", "stream", "execute_result", "status"}
	if got := types(msgs); !slices.Equal(got, want) {
		t.Fatalf("iopub %v, want %v", got, want)
	}
	if s := content(t, msgs[2]); s["text"] != "ab" || s["name"] != "stdout" {
		t.Errorf("the two writes must arrive as one batched stream: %v", s)
	}
	if r := content(t, msgs[3]); r["execution_count"] != 1.0 {
		t.Errorf("execute_result %v", r)
	}
}

func TestErrorReplyAndIOPubError(t *testing.T) {
	c, _ := startKernel(t, &fakeSession{})
	id := c.send(c.shell, "execute_request", map[string]any{"code": "fail"})
	rc := content(t, c.recv(c.shell))
	if rc["status"] != "error" || rc["ename"] != "E" || rc["evalue"] != "failed" {
		t.Errorf("reply %v", rc)
	}
	msgs := c.iopubUntilIdle(id)
	if got := types(msgs); !slices.Equal(got, []string{"status", "execute_input", "error", "status"}) {
		t.Errorf("iopub %v", got)
	}
}

func TestInterruptOnControlWhileACellRuns(t *testing.T) {
	c, _ := startKernel(t, &fakeSession{})
	c.send(c.shell, "execute_request", map[string]any{"code": "block"})
	time.Sleep(100 * time.Millisecond)
	c.send(c.control, "interrupt_request", map[string]any{})
	if r := c.recv(c.control); r.Header.MsgType != "interrupt_reply" {
		t.Errorf("control answered %s", r.Header.MsgType)
	}
	rc := content(t, c.recv(c.shell))
	if rc["ename"] != "Interrupted" {
		t.Errorf("execute reply %v", rc)
	}
}

// fmt.Print("your name? ") then fmt.Scanln: the unfinished line goes as the prompt of
// the input request, not as stream text (which could arrive after the box).
func TestAnUnfinishedLineIsTheInputPrompt(t *testing.T) {
	c, _ := startKernel(t, &fakeSession{})
	c.send(c.shell, "execute_request", map[string]any{"code": "print-then-input", "allow_stdin": true})
	req := c.recv(c.stdin)
	if req.Header.MsgType != "input_request" || content(t, req)["prompt"] != "your name? " {
		t.Fatalf("stdin got %s %s", req.Header.MsgType, req.Content)
	}
	c.send(c.stdin, "input_reply", map[string]any{"value": "Ada"})
	c.recv(c.shell)
	var printed string
	for _, m := range c.iopubUntilIdle(parentID(req)) {
		if m.Header.MsgType == "stream" {
			printed += content(t, m)["text"].(string)
		}
	}
	if printed != "Hello.\n" {
		t.Errorf("stream text %q, want only the finished line", printed)
	}
}

func TestInputRequestOnStdin(t *testing.T) {
	c, _ := startKernel(t, &fakeSession{})
	c.send(c.shell, "execute_request", map[string]any{"code": "input", "allow_stdin": true})
	req := c.recv(c.stdin)
	if req.Header.MsgType != "input_request" || content(t, req)["prompt"] != "name? " {
		t.Fatalf("stdin got %s %s", req.Header.MsgType, req.Content)
	}
	c.send(c.stdin, "input_reply", map[string]any{"value": "Ada"})
	id := parentID(req)
	c.recv(c.shell)
	for _, m := range c.iopubUntilIdle(id) {
		if m.Header.MsgType == "execute_result" {
			if data := content(t, m)["data"].(map[string]any); data["text/plain"] != "Ada" {
				t.Errorf("result %v", data)
			}
			return
		}
	}
	t.Error("no execute_result")
}

func TestStdinRefusedWhenNotAllowed(t *testing.T) {
	c, _ := startKernel(t, &fakeSession{})
	c.send(c.shell, "execute_request", map[string]any{"code": "input", "allow_stdin": false})
	rc := content(t, c.recv(c.shell))
	if rc["ename"] != "InputError" {
		t.Errorf("reply %v", rc)
	}
}

func TestCompleteCursorInCodePoints(t *testing.T) {
	c, _ := startKernel(t, &fakeSession{})
	// "éé" is 2 code points and 4 bytes: the session sees byte offsets, the front end
	// code points.
	c.send(c.shell, "complete_request", map[string]any{"code": "ééab", "cursor_pos": 2})
	rc := content(t, c.recv(c.shell))
	if rc["cursor_start"] != 2.0 || rc["cursor_end"] != 4.0 {
		t.Errorf("cursor_start/end %v %v, want 2 4", rc["cursor_start"], rc["cursor_end"])
	}
	if m := rc["matches"].([]any); len(m) != 1 || m[0] != "éab" {
		t.Errorf("matches %v", m)
	}
}

func TestIsCompleteIndent(t *testing.T) {
	c, _ := startKernel(t, &fakeSession{})
	c.send(c.shell, "is_complete_request", map[string]any{"code": "func f() {"})
	rc := content(t, c.recv(c.shell))
	if rc["status"] != "incomplete" || rc["indent"] != "  " {
		t.Errorf("reply %v", rc)
	}
}

func TestForgedAndMalformedMessagesAreDropped(t *testing.T) {
	s := &fakeSession{}
	c, _ := startKernel(t, s)
	forged := &Message{Header: newHeader("execute_request", "attacker"), Content: json.RawMessage(`{"code":"print"}`)}
	f, _ := encode(forged, newSigner("wrong-key"))
	c.shell.SendMulti(zmq4.NewMsgFrom(f...))
	c.shell.SendMulti(zmq4.NewMsgFrom([]byte("no delimiter")))
	c.shell.SendMulti(zmq4.NewMsgFrom([]byte(delimiter), []byte("x"), []byte("{")))
	// A bad content type for a known request gets an error reply, not a crash.
	c.send(c.shell, "complete_request", map[string]any{"code": 5})
	if rc := content(t, c.recv(c.shell)); rc["status"] != "error" {
		t.Errorf("bad content: %v", rc)
	}
	c.send(c.shell, "kernel_info_request", map[string]any{})
	if r := c.recv(c.shell); r.Header.MsgType != "kernel_info_reply" {
		t.Fatalf("got %s", r.Header.MsgType)
	}
	if n := s.executed.Load(); n != 0 {
		t.Errorf("%d forged executes ran", n)
	}
}

func TestHeartbeatEchoes(t *testing.T) {
	c, _ := startKernel(t, &fakeSession{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req := zmq4.NewReq(ctx)
	defer req.Close()
	if err := req.Dial(c.conn.endpoint(c.conn.HBPort)); err != nil {
		t.Fatal(err)
	}
	if err := req.Send(zmq4.NewMsgString("ping")); err != nil {
		t.Fatal(err)
	}
	m, err := req.Recv()
	if err != nil || string(m.Bytes()) != "ping" {
		t.Errorf("heartbeat answered %q, %v", m.Bytes(), err)
	}
}

func TestShutdownEndsRun(t *testing.T) {
	c, done := startKernel(t, &fakeSession{})
	c.send(c.control, "shutdown_request", map[string]any{"restart": true})
	r := c.recv(c.control)
	if rc := content(t, r); r.Header.MsgType != "shutdown_reply" || rc["restart"] != true {
		t.Errorf("got %s %v", r.Header.MsgType, rc)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after shutdown")
	}
}

// BenchmarkExecuteRoundTrip measures, with a Go front end on loopback, an execute
// request from send to its idle status: the kernel's protocol overhead around a cell. It
// also reports the live heap the kernel keeps per execute (kept-B/op: history and
// whatever else would leak), with a session that keeps nothing.
func BenchmarkExecuteRoundTrip(b *testing.B) {
	c, _ := startKernel(b, &fakeSession{})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := c.send(c.shell, "execute_request", map[string]any{"code": "print"})
		c.iopubUntilIdle(id)
		c.recv(c.shell)
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(b.N), "kept-B/op")
}

// panicSession fails inside Complete, as a bug would.
type panicSession struct{ fakeSession }

func (*panicSession) Complete(string, int) lang.Completion { panic("bug") }

func TestAPanicInTheSessionGetsAnErrorReply(t *testing.T) {
	c, _ := startKernel(t, &panicSession{})
	c.send(c.shell, "complete_request", map[string]any{"code": "x", "cursor_pos": 1})
	r := c.recv(c.shell)
	if rc := content(t, r); r.Header.MsgType != "complete_reply" || rc["status"] != "error" || rc["ename"] != "InternalError" {
		t.Errorf("got %s %v", r.Header.MsgType, rc)
	}
	c.send(c.shell, "kernel_info_request", map[string]any{})
	if r := c.recv(c.shell); r.Header.MsgType != "kernel_info_reply" {
		t.Errorf("kernel stopped answering: %s", r.Header.MsgType)
	}
}

// sendDated sends an execute_request of code with the given session and date.
func (c *client) sendDated(code, session string, date time.Time) string {
	c.t.Helper()
	return c.sendDatedAs(code, session, date.UTC().Format(time.RFC3339Nano))
}

// sendDatedAs is sendDated with the date as the front end writes it.
func (c *client) sendDatedAs(code, session, date string) string {
	c.t.Helper()
	m := &Message{Header: newHeader("execute_request", session)}
	m.Header.Date = date
	m.Content, _ = json.Marshal(map[string]any{"code": code})
	f, err := encode(m, c.signer)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.shell.SendMulti(zmq4.NewMsgFrom(f...)); err != nil {
		c.t.Fatal(err)
	}
	return m.Header.MsgID
}

// replies reads n shell replies and returns their statuses by request id.
func (c *client) replies(n int) map[string]string {
	c.t.Helper()
	out := map[string]string{}
	for len(out) < n {
		r := c.recv(c.shell)
		out[parentID(r)] = content(c.t, r)["status"].(string)
	}
	return out
}

// TestRunAllIsAbortedEvenWhenSentAfterTheFailure is "Run All" in a browser: the front
// end sends a failing cell and, while it still works through the other cells, more
// requests that reach the kernel after the cell failed. None may run; a request sent after
// the front end got the error reply must.
func TestRunAllIsAbortedEvenWhenSentAfterTheFailure(t *testing.T) {
	s := &fakeSession{}
	c, _ := startKernel(t, s)
	fail := c.send(c.shell, "execute_request", map[string]any{"code": "fail"})
	var later []string
	for range 3 {
		time.Sleep(10 * time.Millisecond) // the browser's work between two cells
		later = append(later, c.send(c.shell, "execute_request", map[string]any{"code": "print"}))
	}
	got := c.replies(4)
	if got[fail] != "error" {
		t.Errorf("failing cell: %s", got[fail])
	}
	for i, id := range later {
		if got[id] != "aborted" {
			t.Errorf("request %d of the burst: %s, want aborted", i+2, got[id])
		}
	}
	// The front end has the error reply: what it sends now runs at once.
	after := c.send(c.shell, "execute_request", map[string]any{"code": "print"})
	if got := c.replies(1); got[after] != "ok" {
		t.Errorf("request after the error reply: %s, want ok", got[after])
	}
	if n := s.executed.Load(); n != 2 {
		t.Errorf("%d cells executed, want the failing one and the last", n)
	}
}

// TestDelayedRequestsOfTheBurstAreAbortedWhateverTheClock: a request of the burst that
// reaches the kernel only after the error reply went out (held up on the way) is known by
// its date, compared with the failed request's date, so a front end's clock may be off.
func TestDelayedRequestsOfTheBurstAreAbortedWhateverTheClock(t *testing.T) {
	for _, offset := range []time.Duration{0, -time.Hour, time.Hour} {
		t.Run(offset.String(), func(t *testing.T) {
			s := &fakeSession{}
			c, _ := startKernel(t, s)
			session := "browser-" + offset.String()
			first := time.Now().Add(offset)
			fail := c.sendDated("fail", session, first)
			if got := c.replies(1); got[fail] != "error" {
				t.Fatalf("failing cell: %s", got[fail])
			}
			// Sent 5 ms after the failing request, arriving after its reply.
			delayed := c.sendDated("print", session, first.Add(5*time.Millisecond))
			if got := c.replies(1); got[delayed] != "aborted" {
				t.Errorf("delayed request of the burst: %s, want aborted", got[delayed])
			}
			// Another front end's clock says nothing about this one's.
			other := c.sendDated("print", "another-session", first.Add(-time.Minute))
			if got := c.replies(1); got[other] != "ok" {
				t.Errorf("another session's request: %s, want ok", got[other])
			}
			// Dated as sent now, on the same clock: after the reply, so it runs.
			now := c.sendDated("print", session, time.Now().Add(offset))
			if got := c.replies(1); got[now] != "ok" {
				t.Errorf("request sent after the reply: %s, want ok", got[now])
			}
		})
	}
}

// TestOneSecondDatesNeverAbortARequestSentAfterTheReply: a front end whose dates have
// whole seconds dates the failing cell and the cell it sends on seeing the error alike;
// that cell must run. Where a whole second cannot cover the reply's time (a failing cell
// that ran longer), a request so dated is still known as one of the burst.
func TestOneSecondDatesNeverAbortARequestSentAfterTheReply(t *testing.T) {
	for _, layout := range []string{"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05.000000Z07:00"} {
		t.Run(layout, func(t *testing.T) {
			c, _ := startKernel(t, &fakeSession{})
			date := time.Now().UTC().Truncate(time.Second).Format(layout) // this second, as such a clock shows it
			fail := c.sendDatedAs("fail", "seconds", date)
			if got := c.replies(1); got[fail] != "error" {
				t.Fatalf("failing cell: %s", got[fail])
			}
			after := c.sendDatedAs("print", "seconds", date)
			if got := c.replies(1); got[after] != "ok" {
				t.Errorf("request sent on seeing the error reply, in the same second: %s, want ok", got[after])
			}

			fail = c.sendDatedAs("slowfail", "seconds", date)
			if got := c.replies(1); got[fail] != "error" {
				t.Fatalf("slow failing cell: %s", got[fail])
			}
			delayed := c.sendDatedAs("print", "seconds", date)
			if got := c.replies(1); got[delayed] != "aborted" {
				t.Errorf("a request dated within a second of a cell that failed after %s: %s, want aborted", slowFail, got[delayed])
			}
		})
	}
}

func TestDateResolution(t *testing.T) {
	for date, want := range map[string]time.Duration{
		"2026-12-02T10:00:01Z":             time.Second,
		"2026-12-02T10:00:01.000000Z":      time.Second,
		"2026-12-02T10:00:01.5Z":           100 * time.Millisecond,
		"2026-12-02T10:00:01.230Z":         10 * time.Millisecond,
		"2026-12-02T10:00:01.123Z":         time.Millisecond,
		"2026-12-02T10:00:01.123456+01:00": time.Microsecond,
		"2026-12-02T10:00:01.123456789Z":   time.Nanosecond,
	} {
		if got := dateResolution(date); got != want {
			t.Errorf("%s: %s, want %s", date, got, want)
		}
	}
}

func TestStopOnErrorFalseDoesNotAbort(t *testing.T) {
	c, _ := startKernel(t, &fakeSession{})
	fail := c.send(c.shell, "execute_request", map[string]any{"code": "fail", "stop_on_error": false})
	next := c.send(c.shell, "execute_request", map[string]any{"code": "print"})
	got := c.replies(2)
	if got[fail] != "error" || got[next] != "ok" {
		t.Errorf("got %v", got)
	}
}

func TestShutdownEndsRunEvenWhenTheCellIgnoresInterrupts(t *testing.T) {
	s := &fakeSession{hang: make(chan struct{})}
	defer close(s.hang)
	c, done := startKernel(t, s)
	c.send(c.shell, "execute_request", map[string]any{"code": "hang"})
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	c.send(c.control, "shutdown_request", map[string]any{"restart": false})
	if r := c.recv(c.control); r.Header.MsgType != "shutdown_reply" {
		t.Fatalf("got %s", r.Header.MsgType)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
		t.Logf("Run returned %s after the shutdown request", time.Since(start).Round(time.Millisecond))
	case <-time.After(stopGrace + 5*time.Second):
		t.Fatal("Run did not return while a cell ignored the interrupt")
	}
}

// loadingSession records whether the shell port was listening when Load was called.
type loadingSession struct {
	fakeSession
	shell     string
	listening chan bool
}

func (s *loadingSession) Load() {
	conn, err := net.Dial("tcp", s.shell)
	if err == nil {
		conn.Close()
	}
	s.listening <- err == nil
}

// A session that loads in the background (a worker process) is started once the kernel
// listens: started before, it slows the binding down, and a front end's first
// connection is refused and retried only 100 ms later.
func TestALoaderIsLoadedOnceTheKernelListens(t *testing.T) {
	conn := testConnection(t)
	s := &loadingSession{shell: net.JoinHostPort(conn.IP, strconv.Itoa(conn.ShellPort)), listening: make(chan bool, 1)}
	startKernelOn(t, s, conn)
	select {
	case ok := <-s.listening:
		if !ok {
			t.Error("Load was called before the shell socket listened")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Load was never called")
	}
}

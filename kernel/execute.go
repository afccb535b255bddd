package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// executeContent is the content of an execute_request.
type executeContent struct {
	Code            string            `json:"code"`
	Silent          bool              `json:"silent"`
	StoreHistory    *bool             `json:"store_history"`
	UserExpressions map[string]string `json:"user_expressions"`
	AllowStdin      *bool             `json:"allow_stdin"`
	StopOnError     *bool             `json:"stop_on_error"`
}

// Stop on error. When a cell fails with stop_on_error, the execute requests the front end
// sent before it saw the error reply are aborted, and those it sent afterwards run. "Run
// All" sends every cell at once, but a browser does work between cells, so in a kernel
// this fast the first cell can fail before the others are even sent: arrival alone cannot
// tell them from a request made after the error (nbclient sends its next cell right after
// the reply). So:
//
//   - the error reply waits until execute requests have stopped arriving for burstQuiet
//     (at most burstMaxHold): a request that arrived before the reply was sent is aborted;
//   - a request of the same session that arrives later is aborted when its date is closer
//     to the failed request's date than the time the kernel took from receiving the failed
//     request to replying, less the dates' resolution: no front end can have seen the
//     reply by then, whatever its clock's offset, since the reply needs that time plus a
//     round trip. The resolution is what the two dates' digits show (1 s for
//     "10:00:01Z"), so a front end whose dates have whole seconds gets a request aborted
//     only when the failed cell took more than a second. Dates are compared only with
//     dates of the same front end, and only shortly after the failure.
const (
	burstQuiet    = 50 * time.Millisecond
	burstMaxHold  = 2 * time.Second
	burstDateSlop = 2 * time.Millisecond // the least resolution assumed (browsers' dates have 1 ms)
	burstDateSpan = 10 * time.Second     // later than this after a failure, dates are not compared
)

// failure is the last cell that failed with stop_on_error.
type failure struct {
	replied  time.Time // when its error reply was sent
	received time.Time // when its request arrived
	sent     time.Time // its request's date; zero when it had none
	date     string    // the date as the front end wrote it
	session  string
}

// dateResolution is the finest unit a date's digits show: 1 s for "10:00:01Z" and for
// "10:00:01.000000Z", 10 ms for "10:00:01.230Z". It is never finer than the front end's
// clock, which keeps the date rule on the side of running a request.
func dateResolution(date string) time.Duration {
	var digits string
	if i := strings.IndexByte(date, '.'); i >= 0 {
		digits = date[i+1:]
		if end := strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }); end >= 0 {
			digits = digits[:end]
		}
	}
	res := time.Second
	for range len(strings.TrimRight(digits, "0")) {
		res /= 10
	}
	return res
}

// holdForBurst returns once no execute request has arrived for burstQuiet (counting from
// received, the failed request's arrival), or after burstMaxHold, or at shutdown.
func (k *Kernel) holdForBurst(received time.Time) {
	deadline := time.Now().Add(burstMaxHold)
	for {
		last := received
		if t := time.Unix(0, k.lastExecute.Load()); t.After(last) {
			last = t
		}
		wait := min(burstQuiet-time.Since(last), time.Until(deadline))
		if wait <= 0 {
			return
		}
		select {
		case <-time.After(wait):
		case <-k.stopping:
			return
		case <-k.ctx.Done():
			return
		}
	}
}

// sentBeforeFailure reports whether execute request m was sent before its front end
// could have seen the error reply of the last cell that failed with stop_on_error.
func (k *Kernel) sentBeforeFailure(m *Message) bool {
	f := k.failed
	if f.replied.IsZero() {
		return false
	}
	if m.Received.Before(f.replied) {
		return true
	}
	if f.sent.IsZero() || m.Header.Session != f.session || m.Received.After(f.replied.Add(burstDateSpan)) {
		return false
	}
	sent, err := time.Parse(time.RFC3339Nano, m.Header.Date)
	slop := max(dateResolution(f.date), dateResolution(m.Header.Date), burstDateSlop)
	return err == nil && sent.Sub(f.sent) < f.replied.Sub(f.received)-slop
}

// orTrue is a boolean field whose default is true.
func orTrue(b *bool) bool { return b == nil || *b }

func (k *Kernel) execute(sock *router, m *Message) {
	var c executeContent
	if !k.decodeContent(sock, m, "execute_reply", &c) {
		return
	}
	storeHistory := orTrue(c.StoreHistory) && !c.Silent
	if k.sentBeforeFailure(m) {
		// An earlier cell failed with stop_on_error: requests queued behind it are aborted.
		k.reply(sock, m, "execute_reply", map[string]any{
			"status": "aborted", "execution_count": k.executionCount})
		return
	}
	if storeHistory {
		k.executionCount++
	}
	count := k.executionCount
	if !c.Silent {
		k.publish("execute_input", m, map[string]any{"code": c.Code, "execution_count": count})
	}

	ctx, cancel := context.WithCancel(k.ctx)
	k.mu.Lock()
	k.cancelCell = cancel
	k.mu.Unlock()
	out := newCellOutput(ctx, k, m, orTrue(c.AllowStdin))
	res := k.session.Execute(ctx, lang.ExecuteRequest{
		Code:            c.Code,
		Silent:          c.Silent,
		StoreHistory:    storeHistory,
		AllowStdin:      orTrue(c.AllowStdin),
		UserExpressions: c.UserExpressions,
		ExecutionCount:  count,
	}, out)
	k.mu.Lock()
	k.cancelCell = nil
	k.mu.Unlock()
	cancel()
	out.close()
	if res.Value != nil {
		res.Value = res.Value.Limited()
	}

	if storeHistory {
		k.history.add(count, c.Code, plainText(res.Value))
	}
	if res.Err != nil {
		if orTrue(c.StopOnError) {
			// Nothing of the failure is sent before the burst of requests it ends is in.
			k.holdForBurst(m.Received)
			k.failed = failure{replied: time.Now(), received: m.Received, date: m.Header.Date, session: m.Header.Session}
			if sent, err := time.Parse(time.RFC3339Nano, m.Header.Date); err == nil {
				k.failed.sent = sent
			}
		}
		reply := errorContent(res.Err)
		k.publish("error", m, map[string]any{
			"ename": reply["ename"], "evalue": reply["evalue"], "traceback": reply["traceback"]})
		reply["execution_count"] = count
		reply["user_expressions"] = map[string]any{}
		reply["payload"] = []any{}
		k.reply(sock, m, "execute_reply", reply)
		return
	}
	if res.Value != nil && !c.Silent {
		k.publish("execute_result", m, map[string]any{
			"execution_count": count, "data": res.Value, "metadata": orEmptyMap(res.Metadata)})
	}
	payload := []any{}
	if res.Page != nil {
		payload = append(payload, map[string]any{"source": "page", "data": res.Page, "start": 0})
	}
	k.reply(sock, m, "execute_reply", map[string]any{
		"status":           "ok",
		"execution_count":  count,
		"payload":          payload,
		"user_expressions": userExpressions(res.UserExpressions),
	})
}

func userExpressions(results map[string]lang.ExpressionResult) map[string]any {
	out := map[string]any{}
	for name, r := range results {
		if r.Err != nil {
			out[name] = errorContent(r.Err)
			continue
		}
		out[name] = map[string]any{"status": "ok", "data": r.Value, "metadata": map[string]any{}}
	}
	return out
}

func orEmptyMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func plainText(b lang.Bundle) string {
	s, _ := b["text/plain"].(string)
	return s
}

// Stream batching: text waits at most streamDelay, or until streamMax bytes are pending,
// so that a cell printing in a tight loop sends a few large messages, not a flood.
const (
	streamDelay = 50 * time.Millisecond
	streamMax   = 64 << 10
)

// A cell's stream text (stdout and stderr together) stops at streamLimit with a note;
// what it prints after that is counted, not sent. (One display or result bigger than
// lang.BundleLimit is shown as its text/plain cut, with a note: Bundle.Limited.) Notebooks
// keep every output, and a front end slows to a crawl long before these sizes.
const streamLimit = lang.TextLimit

// cellOutput is the lang.Output of one execute_request: it publishes with the request as
// parent, batches stream text and enforces the output limits.
type cellOutput struct {
	k          *Kernel
	parent     *Message
	ctx        context.Context
	allowStdin bool

	mu       sync.Mutex
	name     string // stream of the pending text
	pending  strings.Builder
	timer    *time.Timer
	closed   bool
	streamed int  // bytes of stream text sent or pending
	dropped  int  // bytes of stream text over streamLimit
	midLine  bool // the stream text sent so far does not end with a newline
}

func newCellOutput(ctx context.Context, k *Kernel, parent *Message, allowStdin bool) *cellOutput {
	return &cellOutput{k: k, parent: parent, ctx: ctx, allowStdin: allowStdin}
}

func (o *cellOutput) Stream(name, text string) {
	if text == "" {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	// Text after the reply (a goroutine the cell started) is still published under the
	// cell, as ipykernel does: a notebook shows it there. The cell's limit still holds.
	if o.dropped > 0 {
		o.dropped += len(text)
		return
	}
	if room := streamLimit - o.streamed; len(text) > room {
		cut := room
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		o.dropped = len(text) - cut
		text = text[:cut]
		defer o.streamNote(fmt.Sprintf("[gomatcalc: this cell printed more than %d MB; the rest of its output is not shown]\n", streamLimit/1_000_000))
	}
	o.streamed += len(text)
	if o.pending.Len() > 0 && o.name != name {
		o.flushLocked()
	}
	o.name = name
	o.pending.WriteString(text)
	if o.pending.Len() >= streamMax {
		o.flushLocked()
		return
	}
	if o.timer == nil {
		o.timer = time.AfterFunc(streamDelay, o.flush)
	}
}

// streamNote sends text on stderr at once, on a line of its own.
func (o *cellOutput) streamNote(text string) {
	o.flushLocked()
	if o.midLine {
		text = "\n" + text
	}
	o.k.publish("stream", o.parent, map[string]string{"name": "stderr", "text": text})
	o.midLine = false
}

// takeUnfinishedLineLocked removes the last line of the pending stdout text when it has
// no newline yet, and returns it.
func (o *cellOutput) takeUnfinishedLineLocked() string {
	text := o.pending.String()
	if o.name != "stdout" || text == "" || strings.HasSuffix(text, "\n") {
		return ""
	}
	cut := strings.LastIndex(text, "\n") + 1
	o.pending.Reset()
	o.pending.WriteString(text[:cut])
	return text[cut:]
}

func (o *cellOutput) flush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushLocked()
}

func (o *cellOutput) flushLocked() {
	if o.timer != nil {
		o.timer.Stop()
		o.timer = nil
	}
	if o.pending.Len() == 0 {
		return
	}
	text := o.pending.String()
	o.k.publish("stream", o.parent, map[string]string{"name": o.name, "text": text})
	o.midLine = !strings.HasSuffix(text, "\n")
	o.pending.Reset()
}

// close flushes and stops publishing displays and clears: they belong to the running
// cell. Stream text still goes out (see Stream).
func (o *cellOutput) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.dropped > 0 && !o.closed {
		o.streamNote(fmt.Sprintf("[gomatcalc: %s of output not shown]\n", lang.ByteSize(o.dropped)))
	}
	o.flushLocked()
	o.closed = true
}

func (o *cellOutput) Display(d lang.Display) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return
	}
	o.flushLocked()
	d.Data = d.Data.Limited()
	msgType := "display_data"
	if d.Update {
		msgType = "update_display_data"
	}
	transient := map[string]any{}
	if d.ID != "" {
		transient["display_id"] = d.ID
	}
	o.k.publish(msgType, o.parent, map[string]any{
		"data": d.Data, "metadata": orEmptyMap(d.Metadata), "transient": transient})
}

func (o *cellOutput) Clear(wait bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return
	}
	o.flushLocked()
	o.k.publish("clear_output", o.parent, map[string]bool{"wait": wait})
}

// errInterrupted is returned by Input when the cell is interrupted while it waits.
var errInterrupted = errors.New("interrupted while waiting for input")

func (o *cellOutput) Input(prompt string, password bool) (string, error) {
	if !o.allowStdin {
		return "", lang.ErrNoStdin
	}
	o.mu.Lock()
	if prompt == "" {
		// fmt.Print("your name? ") before fmt.Scanln: the unfinished line is the prompt,
		// as ipykernel's input() has it, beside the box the front end shows (printed, it
		// could arrive after the box, on another socket).
		prompt = o.takeUnfinishedLineLocked()
	}
	o.flushLocked()
	o.mu.Unlock()
	// A reply left over from an earlier, interrupted request is not for this one.
	select {
	case <-o.k.stdinReply:
	default:
	}
	req := o.k.newMessage("input_request", o.parent, map[string]any{"prompt": prompt, "password": password})
	// On stdin the front end is known by the identity it presented on shell (see routes).
	if len(req.Identities) > 0 {
		req.Identities = slices.Clone(req.Identities)
		req.Identities[0] = presentedIdentity(req.Identities[0])
	}
	o.k.stdin.send(req, o.k.log)
	select {
	case r := <-o.k.stdinReply:
		var c struct {
			Value string `json:"value"`
		}
		if err := json.Unmarshal(r.Content, &c); err != nil {
			return "", err
		}
		return c.Value, nil
	case <-o.ctx.Done():
		return "", errInterrupted
	}
}

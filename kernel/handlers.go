package kernel

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"unicode/utf8"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// handle answers one request, between busy and idle statuses on iopub.
func (k *Kernel) handle(sock *router, m *Message) {
	k.publishStatus("busy", m)
	defer k.publishStatus("idle", m)
	defer func() {
		// A bug in a handler or the session must not take the kernel down; the front end
		// gets an error reply instead of waiting for ever.
		if r := recover(); r != nil {
			buf := make([]byte, 8192)
			k.log.Printf("%s: panic while handling %s: %v\n%s", sock.name, m.Header.MsgType, r, buf[:runtime.Stack(buf, false)])
			if t, ok := strings.CutSuffix(m.Header.MsgType, "_request"); ok {
				k.reply(sock, m, t+"_reply", errorContent(&lang.Error{
					Name: "InternalError", Value: fmt.Sprintf("the kernel failed on %s: %v", m.Header.MsgType, r)}))
			}
		}
	}()

	switch t := m.Header.MsgType; t {
	case "kernel_info_request":
		k.reply(sock, m, "kernel_info_reply", k.kernelInfo())
	case "execute_request":
		k.execute(sock, m)
	case "complete_request":
		k.complete(sock, m)
	case "inspect_request":
		k.inspect(sock, m)
	case "is_complete_request":
		k.isComplete(sock, m)
	case "history_request":
		k.historyRequest(sock, m)
	case "comm_info_request":
		k.reply(sock, m, "comm_info_reply", map[string]any{"status": "ok", "comms": map[string]any{}})
	case "comm_open":
		// No comm targets exist: the spec asks to close the comm at once.
		var c struct {
			CommID string `json:"comm_id"`
		}
		json.Unmarshal(m.Content, &c)
		k.publish("comm_close", m, map[string]any{"comm_id": c.CommID, "data": map[string]any{}})
	case "comm_msg", "comm_close":
		// Messages to comms that do not exist are accepted and ignored.
	case "connect_request":
		c := k.conn
		k.reply(sock, m, "connect_reply", map[string]any{"status": "ok", "shell_port": c.ShellPort,
			"iopub_port": c.IOPubPort, "stdin_port": c.StdinPort, "hb_port": c.HBPort, "control_port": c.ControlPort})
	case "interrupt_request":
		k.Interrupt()
		k.reply(sock, m, "interrupt_reply", map[string]any{"status": "ok"})
	case "shutdown_request":
		var c struct {
			Restart bool `json:"restart"`
		}
		json.Unmarshal(m.Content, &c)
		content := map[string]any{"status": "ok", "restart": c.Restart}
		k.reply(sock, m, "shutdown_reply", content)
		k.publish("shutdown_reply", m, content)
		k.shutdown(c.Restart)
	default:
		k.log.Printf("%s: unknown message type %q; ignored", sock.name, t)
	}
}

func (k *Kernel) kernelInfo() map[string]any {
	info := k.session.Info()
	links := info.HelpLinks
	if links == nil {
		links = []lang.HelpLink{}
	}
	return map[string]any{
		"status":                 "ok",
		"protocol_version":       ProtocolVersion,
		"implementation":         info.Implementation,
		"implementation_version": info.ImplementationVersion,
		"language_info":          info.Language,
		"banner":                 info.Banner,
		"help_links":             links,
		"debugger":               false,
	}
}

// codeRequest is the content of complete and inspect requests.
type codeRequest struct {
	Code        string `json:"code"`
	CursorPos   int    `json:"cursor_pos"`
	DetailLevel int    `json:"detail_level"`
}

func (k *Kernel) complete(sock *router, m *Message) {
	var req codeRequest
	if !k.decodeContent(sock, m, "complete_reply", &req) {
		return
	}
	c := k.session.Complete(req.Code, byteOffset(req.Code, req.CursorPos))
	matches := c.Matches
	if matches == nil {
		matches = []string{}
	}
	metadata := c.Metadata
	if metadata == nil {
		metadata = map[string]any{}
	}
	k.reply(sock, m, "complete_reply", map[string]any{
		"status":       "ok",
		"matches":      matches,
		"cursor_start": runeOffset(req.Code, c.Start),
		"cursor_end":   runeOffset(req.Code, c.End),
		"metadata":     metadata,
	})
}

func (k *Kernel) inspect(sock *router, m *Message) {
	var req codeRequest
	if !k.decodeContent(sock, m, "inspect_reply", &req) {
		return
	}
	in := k.session.Inspect(req.Code, byteOffset(req.Code, req.CursorPos), req.DetailLevel)
	data := in.Data
	if data == nil {
		data = lang.Bundle{}
	}
	k.reply(sock, m, "inspect_reply", map[string]any{
		"status": "ok", "found": in.Found, "data": data, "metadata": map[string]any{},
	})
}

func (k *Kernel) isComplete(sock *router, m *Message) {
	var req codeRequest
	if !k.decodeContent(sock, m, "is_complete_reply", &req) {
		return
	}
	c := k.session.IsComplete(req.Code)
	content := map[string]any{"status": c.Status}
	if c.Status == lang.Incomplete {
		content["indent"] = c.Indent
	}
	k.reply(sock, m, "is_complete_reply", content)
}

// decodeContent decodes m's content into v; when it cannot, it sends an error reply of
// type replyType and reports false.
func (k *Kernel) decodeContent(sock *router, m *Message, replyType string, v any) bool {
	if err := json.Unmarshal(m.Content, v); err != nil {
		k.log.Printf("%s: bad %s content: %v", sock.name, m.Header.MsgType, err)
		k.reply(sock, m, replyType, errorContent(&lang.Error{
			Name: "BadRequest", Value: "cannot decode " + m.Header.MsgType + ": " + err.Error(),
		}))
		return false
	}
	return true
}

func errorContent(e *lang.Error) map[string]any {
	tb := e.Traceback
	if tb == nil {
		tb = []string{}
	}
	return map[string]any{"status": "error", "ename": e.Name, "evalue": e.Value, "traceback": tb}
}

// byteOffset converts a cursor in Unicode code points (the protocol's unit since 5.2)
// to a byte offset into code.
func byteOffset(code string, cursor int) int {
	if cursor <= 0 {
		return 0
	}
	n := 0
	for i := range code {
		if n == cursor {
			return i
		}
		n++
	}
	return len(code)
}

// runeOffset converts a byte offset into code to code points.
func runeOffset(code string, offset int) int {
	if offset > len(code) {
		offset = len(code)
	}
	if offset < 0 {
		offset = 0
	}
	return utf8.RuneCountInString(code[:offset])
}

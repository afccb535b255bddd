package kernel

import (
	"regexp"
	"strings"
	"sync"
)

// historySession is the number of this kernel's one history session.
const historySession = 1

// history keeps the cells run in this kernel, for history_request.
type history struct {
	mu      sync.Mutex
	entries []historyEntry
}

type historyEntry struct {
	line   int
	input  string
	output string
}

func newHistory() *history { return &history{} }

func (h *history) add(line int, input, output string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.entries = append(h.entries, historyEntry{line, input, output})
}

// historyRequest is the content of a history_request.
type historyRequest struct {
	Output         bool   `json:"output"`
	Raw            bool   `json:"raw"`
	HistAccessType string `json:"hist_access_type"`
	Session        int    `json:"session"`
	Start          int    `json:"start"`
	Stop           int    `json:"stop"`
	N              int    `json:"n"`
	Pattern        string `json:"pattern"`
	Unique         bool   `json:"unique"`
}

// query returns the entries a request selects, oldest first.
func (h *history) query(r historyRequest) []historyEntry {
	h.mu.Lock()
	all := append([]historyEntry(nil), h.entries...)
	h.mu.Unlock()

	var sel []historyEntry
	switch r.HistAccessType {
	case "tail":
		sel = all
	case "range":
		// Sessions count back from the current one (0 or 1) with negative numbers;
		// only the current one is kept.
		if r.Session != 0 && r.Session != historySession {
			return nil
		}
		for _, e := range all {
			if e.line >= r.Start && (r.Stop <= 0 || e.line < r.Stop) {
				sel = append(sel, e)
			}
		}
	case "search":
		match := globRegexp(r.Pattern)
		seen := map[string]bool{}
		for i := len(all) - 1; i >= 0; i-- {
			e := all[i]
			if !match.MatchString(e.input) {
				continue
			}
			if r.Unique && seen[e.input] {
				continue
			}
			seen[e.input] = true
			sel = append([]historyEntry{e}, sel...)
		}
	}
	if r.HistAccessType != "range" && r.N > 0 && len(sel) > r.N {
		sel = sel[len(sel)-r.N:]
	}
	return sel
}

func (k *Kernel) historyRequest(sock *router, m *Message) {
	var r historyRequest
	if !k.decodeContent(sock, m, "history_reply", &r) {
		return
	}
	rows := []any{}
	for _, e := range k.history.query(r) {
		var cell any = e.input
		if r.Output {
			var out any
			if e.output != "" {
				out = e.output
			}
			cell = []any{e.input, out}
		}
		rows = append(rows, []any{historySession, e.line, cell})
	}
	k.reply(sock, m, "history_reply", map[string]any{"status": "ok", "history": rows})
}

// globRegexp compiles a glob as IPython's history search reads it (sqlite GLOB): * is
// any text, newlines included, and ? any one character. An empty glob matches all.
func globRegexp(glob string) *regexp.Regexp {
	if glob == "" {
		glob = "*"
	}
	var b strings.Builder
	b.WriteString(`(?s)^`)
	for _, r := range glob {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

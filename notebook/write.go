package notebook

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Marshal encodes nb as Jupyter saves a notebook: keys sorted, one-space indent,
// multiline strings as lists of lines, a final newline, so that a notebook run here
// diffs cleanly against one saved by Jupyter.
func Marshal(nb *Notebook) ([]byte, error) {
	top := map[string]any{}
	for k, v := range nb.extra {
		top[k] = v
	}
	cells := make([]any, len(nb.Cells))
	for i, c := range nb.Cells {
		cells[i] = cellJSON(c)
	}
	top["nbformat"] = nb.Format
	top["nbformat_minor"] = nb.FormatMinor
	top["metadata"] = orEmpty(nb.Metadata)
	top["cells"] = cells

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(top); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func cellJSON(c *Cell) map[string]any {
	m := map[string]any{
		"id":        c.ID,
		"cell_type": c.Type,
		"metadata":  orEmpty(c.Metadata),
		"source":    lines(c.Source),
	}
	if c.Type != Code {
		if c.Attachments != nil {
			m["attachments"] = c.Attachments
		}
		return m
	}
	m["execution_count"] = count(c.ExecutionCount)
	outs := make([]any, len(c.Outputs))
	for i, o := range c.Outputs {
		outs[i] = outputJSON(o)
	}
	m["outputs"] = outs
	return m
}

func outputJSON(o *Output) map[string]any {
	m := map[string]any{"output_type": o.Type}
	switch o.Type {
	case Stream:
		m["name"] = o.Name
		m["text"] = lines(o.Text)
	case DisplayData, ExecuteResult:
		data := map[string]any{}
		for mime, v := range o.Data {
			if s, ok := v.(string); ok && splitMime(mime) {
				v = lines(s)
			}
			data[mime] = v
		}
		m["data"] = data
		m["metadata"] = orEmpty(o.Metadata)
		if o.Type == ExecuteResult {
			m["execution_count"] = count(o.ExecutionCount)
		}
	case ErrorOutput:
		m["ename"] = o.EName
		m["evalue"] = o.EValue
		tb := o.Traceback
		if tb == nil {
			tb = []string{}
		}
		m["traceback"] = tb
	}
	return m
}

// splitMime reports whether Jupyter saves a MIME type's text as a list of lines.
func splitMime(mime string) bool {
	return strings.HasPrefix(mime, "text/") || mime == "image/svg+xml" || mime == "application/javascript"
}

// lines splits text after each newline, as nbformat saves multiline strings.
func lines(s string) []string {
	out := []string{}
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// count is an execution count, null for none.
func count(n int) any {
	if n <= 0 {
		return nil
	}
	return n
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

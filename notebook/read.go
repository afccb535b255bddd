package notebook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Read reads and checks the notebook at path. Its errors name the file.
func Read(path string) (*Notebook, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse decodes a notebook. It refuses what is not an nbformat 4 notebook and a notebook
// of another language than Go; name (the file) starts each error.
func Parse(name string, data []byte) (*Notebook, error) {
	nb, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if kernel := otherKernel(nb.Metadata); kernel != "" {
		return nil, fmt.Errorf("%s: the notebook is for %s, not Go: choose the \"Go (matcalc)\" kernel in Jupyter first", name, kernel)
	}
	ensureIDs(nb)
	return nb, nil
}

// notNotebook starts the errors about files that are no notebook at all.
const notNotebook = "not a Jupyter notebook: "

func parse(data []byte) (*Notebook, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // metadata numbers are written back as they were
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		return nil, errors.New(notNotebook + jsonError(data, err))
	}
	if dec.More() {
		return nil, errors.New(notNotebook + "text after the JSON object")
	}
	if top == nil {
		return nil, errors.New(notNotebook + "the JSON is not an object")
	}
	major, ok := number(top["nbformat"])
	if !ok {
		return nil, errors.New(notNotebook + "no nbformat version")
	}
	minor, _ := number(top["nbformat_minor"])
	switch {
	case major < 4:
		return nil, fmt.Errorf("nbformat %d is too old: open and save the notebook in Jupyter to upgrade it to nbformat 4", major)
	case major > 4:
		return nil, fmt.Errorf("nbformat %d is newer than this version of gomatcalc reads (4)", major)
	}
	nb := &Notebook{Format: major, FormatMinor: minor, extra: map[string]any{}}
	var err error
	if nb.Metadata, err = object(top["metadata"], "metadata"); err != nil {
		return nil, err
	}
	cells, ok := top["cells"].([]any)
	if !ok {
		return nil, errors.New(notNotebook + "no list of cells")
	}
	for i, v := range cells {
		c, err := parseCell(v)
		if err != nil {
			return nil, fmt.Errorf("cell %d: %w", i+1, err)
		}
		nb.Cells = append(nb.Cells, c)
	}
	for k, v := range top {
		switch k {
		case "nbformat", "nbformat_minor", "metadata", "cells":
		default:
			nb.extra[k] = v
		}
	}
	return nb, nil
}

// jsonError words a decoding error with the line it happened on.
func jsonError(data []byte, err error) string {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		line := 1 + bytes.Count(data[:min(int(syntax.Offset), len(data))], []byte("\n"))
		return fmt.Sprintf("invalid JSON at line %d: %v", line, err)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "the file is empty or cut short"
	}
	return "invalid JSON: " + err.Error()
}

func parseCell(v any) (*Cell, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a JSON object")
	}
	c := &Cell{}
	c.Type, _ = m["cell_type"].(string)
	switch c.Type {
	case Code, Markdown, Raw:
	default:
		return nil, fmt.Errorf("unknown cell_type %q", c.Type)
	}
	c.ID, _ = m["id"].(string)
	var err error
	if c.Source, err = multiline(m["source"], "source"); err != nil {
		return nil, err
	}
	if c.Metadata, err = object(m["metadata"], "metadata"); err != nil {
		return nil, err
	}
	if c.Type != Code {
		if a, ok := m["attachments"]; ok && a != nil {
			if c.Attachments, err = object(a, "attachments"); err != nil {
				return nil, err
			}
		}
		return c, nil
	}
	c.ExecutionCount, _ = number(m["execution_count"])
	outs, ok := m["outputs"].([]any)
	if !ok && m["outputs"] != nil {
		return nil, errors.New("outputs is not a list")
	}
	for i, o := range outs {
		out, err := parseOutput(o)
		if err != nil {
			return nil, fmt.Errorf("output %d: %w", i+1, err)
		}
		c.Outputs = append(c.Outputs, out)
	}
	return c, nil
}

func parseOutput(v any) (*Output, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a JSON object")
	}
	o := &Output{}
	o.Type, _ = m["output_type"].(string)
	var err error
	switch o.Type {
	case Stream:
		o.Name, _ = m["name"].(string)
		o.Text, err = multiline(m["text"], "text")
	case DisplayData, ExecuteResult:
		if o.Data, err = object(m["data"], "data"); err != nil {
			return nil, err
		}
		o.Metadata, err = object(m["metadata"], "metadata")
		o.ExecutionCount, _ = number(m["execution_count"])
		for mime, v := range o.Data {
			if isJSONMime(mime) {
				continue
			}
			if o.Data[mime], err = multiline(v, mime); err != nil {
				return nil, err
			}
		}
	case ErrorOutput:
		o.EName, _ = m["ename"].(string)
		o.EValue, _ = m["evalue"].(string)
		tb, _ := m["traceback"].([]any)
		for _, line := range tb {
			s, _ := line.(string)
			o.Traceback = append(o.Traceback, s)
		}
	default:
		return nil, fmt.Errorf("unknown output_type %q", o.Type)
	}
	return o, err
}

// isJSONMime reports whether a MIME type's data is JSON (an object), not text.
func isJSONMime(mime string) bool {
	return mime == "application/json" || strings.HasSuffix(mime, "+json")
}

// multiline decodes nbformat's multiline string: a string or a list of lines.
func multiline(v any, field string) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case []any:
		var b strings.Builder
		for _, line := range v {
			s, ok := line.(string)
			if !ok {
				return "", fmt.Errorf("%s is not a string or a list of strings", field)
			}
			b.WriteString(s)
		}
		return b.String(), nil
	}
	return "", fmt.Errorf("%s is not a string or a list of strings", field)
}

// object decodes a JSON object field; a missing one is empty.
func object(v any, field string) (map[string]any, error) {
	switch v := v.(type) {
	case nil:
		return map[string]any{}, nil
	case map[string]any:
		return v, nil
	}
	return nil, fmt.Errorf("%s is not a JSON object", field)
}

// number decodes a JSON integer.
func number(v any) (int, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return int(i), err == nil
}

// otherKernel names the kernel of a notebook written for another language, or returns
// "" for a Go notebook (or one that does not say).
func otherKernel(meta map[string]any) string {
	spec, _ := meta["kernelspec"].(map[string]any)
	kernel, _ := spec["name"].(string)
	info, _ := meta["language_info"].(map[string]any)
	language, _ := info["name"].(string)
	if kernel == "gomatcalc" || strings.EqualFold(language, "go") || kernel == "" && language == "" {
		return ""
	}
	if kernel == "" {
		return fmt.Sprintf("language %q", language)
	}
	if display, _ := spec["display_name"].(string); display != "" {
		return fmt.Sprintf("kernel %q (%s)", kernel, display)
	}
	return fmt.Sprintf("kernel %q", kernel)
}

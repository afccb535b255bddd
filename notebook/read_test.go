package notebook

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const goNotebook = `{
 "cells": [
  {"cell_type": "markdown", "id": "intro", "metadata": {}, "source": ["# Title\n", "text"]},
  {"cell_type": "code", "id": "sq", "metadata": {"tags": ["x"]}, "execution_count": 3,
   "source": "x := 2.0\nx*x", "outputs": [
    {"output_type": "execute_result", "execution_count": 3, "metadata": {}, "data": {"text/plain": ["4"]}},
    {"output_type": "stream", "name": "stdout", "text": ["a\n", "b\n"]},
    {"output_type": "error", "ename": "panic", "evalue": "boom", "traceback": ["t1", "t2"]},
    {"output_type": "display_data", "metadata": {"image/png": {"width": 10}},
     "data": {"image/png": "iVBOR\nw0=", "application/json": {"a": [1, 2.5]}, "text/plain": "x"}}
  ]}
 ],
 "metadata": {"kernelspec": {"name": "gomatcalc", "display_name": "Go (matcalc)", "language": "go"}, "custom": 1.50},
 "nbformat": 4,
 "nbformat_minor": 5
}`

func TestParseAGoNotebook(t *testing.T) {
	nb, err := Parse("x.ipynb", []byte(goNotebook))
	if err != nil {
		t.Fatal(err)
	}
	if len(nb.Cells) != 2 || nb.Cells[0].Source != "# Title\ntext" || nb.Cells[1].Source != "x := 2.0\nx*x" {
		t.Fatalf("cells %+v", nb.Cells)
	}
	c := nb.Cells[1]
	if c.ID != "sq" || c.ExecutionCount != 3 || len(c.Outputs) != 4 {
		t.Fatalf("code cell %+v", c)
	}
	if o := c.Outputs[1]; o.Text != "a\nb\n" || o.Name != "stdout" {
		t.Errorf("stream %+v", o)
	}
	if o := c.Outputs[2]; !reflect.DeepEqual(o.Traceback, []string{"t1", "t2"}) {
		t.Errorf("error %+v", o)
	}
	if o := c.Outputs[3]; o.Data["image/png"] != "iVBOR\nw0=" {
		t.Errorf("display %+v", o)
	}
}

// TestMarshalRoundTrips writes a notebook back as Jupyter saves it and reads it again.
func TestMarshalRoundTrips(t *testing.T) {
	nb, err := Parse("x.ipynb", []byte(goNotebook))
	if err != nil {
		t.Fatal(err)
	}
	data, err := Marshal(nb)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse("x.ipynb", data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(nb, again) {
		t.Errorf("changed on a round trip:\n%s", data)
	}
	// Jupyter's layout: lists of lines, numbers as written, no escaped HTML, "\n" at the end.
	for _, want := range []string{"\"source\": [\n    \"x := 2.0\\n\",\n    \"x*x\"\n   ]", `"custom": 1.50`,
		`"application/json": {`, "\"nbformat_minor\": 5\n}\n"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("output lacks %q:\n%s", want, data)
		}
	}
	var generic map[string]any
	json.Unmarshal(data, &generic)
	cell := generic["cells"].([]any)[1].(map[string]any)
	result := cell["outputs"].([]any)[0].(map[string]any)
	if _, ok := result["metadata"].(map[string]any); !ok || result["execution_count"] != 3.0 {
		t.Errorf("execute_result %v", result)
	}
}

func TestMarshalOfANewOutput(t *testing.T) {
	nb := codeNotebook("x")
	nb.Cells[0].Outputs = []*Output{{Type: ErrorOutput, EName: "panic", EValue: "boom"},
		{Type: DisplayData, Data: map[string]any{"text/html": "<b>a</b>\n<i>b</i>"}}}
	data, err := Marshal(nb)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"traceback": []`, `"metadata": {}`, `"<b>a</b>\n",`, `"execution_count": null`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("output lacks %s:\n%s", want, data)
		}
	}
}

func TestIDsAreAddedToOldNotebooks(t *testing.T) {
	src := `{"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [
		{"cell_type": "code", "metadata": {}, "source": "1", "outputs": [], "execution_count": null},
		{"cell_type": "markdown", "metadata": {}, "source": "a"},
		{"cell_type": "raw", "id": "keep", "metadata": {}, "source": "b"},
		{"cell_type": "raw", "id": "keep", "metadata": {}, "source": "c"},
		{"cell_type": "raw", "id": "bad id!", "metadata": {}, "source": "d"}]}`
	nb, err := Parse("old.ipynb", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if nb.FormatMinor != 5 {
		t.Errorf("nbformat_minor %d, want 5", nb.FormatMinor)
	}
	seen := map[string]bool{}
	for _, c := range nb.Cells {
		if !validID.MatchString(c.ID) || seen[c.ID] {
			t.Errorf("id %q is invalid or repeated", c.ID)
		}
		seen[c.ID] = true
	}
	if nb.Cells[2].ID != "keep" {
		t.Errorf("a valid id was changed to %q", nb.Cells[2].ID)
	}
}

func TestNotNotebooksAreRefused(t *testing.T) {
	for src, want := range map[string]string{
		"":                "not a Jupyter notebook: the file is empty",
		`{"cells": [`:     "not a Jupyter notebook: the file is empty or cut short",
		"{\n\"a\": 1,\n}": "invalid JSON at line 3",
		`[1, 2]`:          "not a Jupyter notebook",
		`{"a": 1}`:        "no nbformat version",
		`{"nbformat": 3, "nbformat_minor": 0, "worksheets": []}`:                                                  "nbformat 3 is too old",
		`{"nbformat": 5, "nbformat_minor": 0, "cells": []}`:                                                       "nbformat 5 is newer",
		`{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}`:                                                    "no list of cells",
		`{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "heading", "source": ""}]}`: "cell 1: unknown cell_type \"heading\"",
		`{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": 3}]}`:     "cell 1: source is not a string",
	} {
		_, err := Parse("hw.ipynb", []byte(src))
		if err == nil || !strings.HasPrefix(err.Error(), "hw.ipynb: ") || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error naming hw.ipynb and saying %q", src, err, want)
		}
	}
}

func TestOtherLanguagesAreRefused(t *testing.T) {
	notebook := func(meta string) []byte {
		return []byte(`{"nbformat": 4, "nbformat_minor": 5, "cells": [], "metadata": ` + meta + `}`)
	}
	for meta, want := range map[string]string{
		`{"kernelspec": {"name": "python3", "display_name": "Python 3"}, "language_info": {"name": "python"}}`: `kernel "python3" (Python 3), not Go`,
		`{"kernelspec": {"name": "ir"}}`:       `kernel "ir", not Go`,
		`{"language_info": {"name": "julia"}}`: `language "julia", not Go`,
	} {
		_, err := Parse("py.ipynb", notebook(meta))
		if err == nil || !strings.HasPrefix(err.Error(), "py.ipynb: ") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", meta, err, want)
		}
	}
	for _, meta := range []string{
		`{"kernelspec": {"name": "gomatcalc"}}`,
		`{"kernelspec": {"name": "gophernotes"}, "language_info": {"name": "go"}}`,
		`{"language_info": {"name": "go"}}`,
		`{}`, // a notebook that does not say
	} {
		if _, err := Parse("go.ipynb", notebook(meta)); err != nil {
			t.Errorf("%s: %v", meta, err)
		}
	}
}

func TestReadNamesAMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.ipynb")
	if _, err := Read(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("got %v", err)
	}
	os.WriteFile(path, []byte("# not json"), 0o644)
	if _, err := Read(path); err == nil || !strings.HasPrefix(err.Error(), path+": not a Jupyter notebook") {
		t.Errorf("got %v", err)
	}
}

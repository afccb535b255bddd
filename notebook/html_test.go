package notebook

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/chroma/v2"
)

func page(t *testing.T, nb *Notebook) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, nb, "Lecture <1>"); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func contains(t *testing.T, page string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
}

func TestHTMLMarkdownKeepsMath(t *testing.T) {
	nb := &Notebook{Cells: []*Cell{{ID: "m", Type: Markdown, Source: "# Gradients\n\n" +
		"**bold** and $a_1 * b_2 < c$ and `$x$ code`; costs $5 and $10; an escaped \\$.\n\n" +
		"$$\n\\nabla f = \\begin{pmatrix} x_1 \\\\ x_2 \\end{pmatrix}\n$$\n\n" +
		"| a | b |\n|---|---|\n| 1 | 2 |\n\n<div class=\"note\">raw html</div>\n"}}}
	p := page(t, nb)
	contains(t, p,
		"<title>Lecture &lt;1&gt;</title>",
		"<h1>Gradients</h1>",
		"<strong>bold</strong>",
		"$a_1 * b_2 &lt; c$", // not emphasis, and escaped
		"<code>$x$ code</code>",
		"costs $5 and $10;",
		"escaped $.",
		"$$\n\\nabla f = \\begin{pmatrix} x_1 \\\\ x_2 \\end{pmatrix}\n$$", // \\ stays \\
		"<table>",
		`<div class="note">raw html</div>`,
		"MathJax.js?config=TeX-AMS_CHTML-full",
	)
}

func TestHTMLOutputs(t *testing.T) {
	nb := codeNotebook("s := \"<b>\"\nfmt.Println(s)")
	nb.Cells[0].ExecutionCount = 3
	nb.Cells[0].Outputs = []*Output{
		{Type: Stream, Name: "stdout", Text: "<b> & co\n"},
		{Type: DisplayData, Data: map[string]any{"text/html": "<table><tr><td>5</td></tr></table>", "text/plain": "5"}},
		{Type: DisplayData, Data: map[string]any{"image/svg+xml": "<svg width=\"4\"></svg>", "text/plain": "<SVG>"}},
		{Type: DisplayData, Data: map[string]any{"image/png": "iVBORw0KGgo=\n", "text/plain": "<PNG>"},
			Metadata: map[string]any{"image/png": map[string]any{"width": 20}}},
		{Type: DisplayData, Data: map[string]any{"text/latex": "$$x^2 < y$$", "text/plain": "x^2"}},
		{Type: DisplayData, Data: map[string]any{"text/markdown": "*it*", "text/plain": "it"}},
		{Type: DisplayData, Data: map[string]any{"application/json": map[string]any{"k": "<v>"}, "text/plain": "{}"}},
		{Type: ExecuteResult, ExecutionCount: 3, Data: map[string]any{"text/plain": "a < b"}},
		{Type: ErrorOutput, EName: "panic", EValue: "x", Traceback: []string{"\x1b[31mpanic: <x>\x1b[0m", "  at line 2"}},
	}
	p := page(t, nb)
	contains(t, p,
		"In&nbsp;[3]:",
		// The source highlighted as Go (chroma's classes), escaped.
		`<pre class="chroma">`, `<span class="s">&#34;&lt;b&gt;&#34;</span>`, `<span class="nx">fmt</span>`, ".chroma .s {",
		"<pre class=\"stdout\">&lt;b&gt; &amp; co\n</pre>",
		"<table><tr><td>5</td></tr></table>",
		"<svg width=\"4\"></svg>",
		"<img src=\"data:image/png;base64,iVBORw0KGgo=\" width=\"20\" alt=\"\">",
		"<div class=\"latex\">$$x^2 &lt; y$$</div>",
		"<em>it</em>",
		"&#34;k&#34;: &#34;&lt;v&gt;&#34;",
		"Out[3]:",
		"<pre>a &lt; b</pre>",
		"<pre class=\"error\">panic: &lt;x&gt;\n  at line 2</pre>",
	)
	// The richest form alone is shown.
	if strings.Contains(p, "<pre>5</pre>") || strings.Contains(p, "&lt;SVG&gt;") {
		t.Errorf("a plain-text form was shown beside a richer one:\n%s", p)
	}
}

func TestHTMLAttachmentsAndRawCells(t *testing.T) {
	nb := &Notebook{Cells: []*Cell{
		{ID: "m", Type: Markdown, Source: "![plot](attachment:p.png)",
			Attachments: map[string]any{"p.png": map[string]any{"image/png": []any{"iVBO", "Rw=="}}}},
		{ID: "r1", Type: Raw, Source: "<p>for html</p>", Metadata: map[string]any{"format": "text/html"}},
		{ID: "r2", Type: Raw, Source: "\\section{latex only}", Metadata: map[string]any{"format": "text/latex"}},
	}}
	p := page(t, nb)
	contains(t, p, `<img src="data:image/png;base64,iVBORw==" alt="plot">`, "<p>for html</p>")
	if strings.Contains(p, "latex only") {
		t.Errorf("a raw cell for LaTeX shows in the page")
	}
}

// Tabs are 4 wide, as Go is read; MathJax comes from this machine when it has a copy
// (Debian's libjs-mathjax), with the web as the fallback.
func TestHTMLTabsAndMathJax(t *testing.T) {
	nb := codeNotebook("func f() {\n\treturn\n}")
	contains(t, page(t, nb), "tab-size: 4", "\t", `<span class="kd">func</span>`,
		// The session's tables carry classes, not styles (an untrusted notebook drops
		// styles): the page gives them their alignment.
		".gomatcalc-matrix td, .gomatcalc-table td { text-align: right; font-family: monospace; }")

	was := localMathJax
	defer func() { localMathJax = was }()
	localMathJax = filepath.Join(t.TempDir(), "MathJax.js")
	if p := page(t, nb); !strings.Contains(p, `src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/MathJax.js`) || strings.Contains(p, "file://") {
		t.Errorf("without a local MathJax the page must load the CDN's alone")
	}
	os.WriteFile(localMathJax, []byte("//"), 0o644)
	contains(t, page(t, nb), `src="file://`+localMathJax+`?config=TeX-AMS_CHTML-full,Safe" onerror=`, "s.src = 'https://cdnjs.cloudflare.com/")
}

// Every byte of a cell is in the highlighted page once, whatever go/scanner makes of it:
// magics, help requests, unterminated literals, carriage returns in raw strings.
func TestGoTokensKeepEveryByte(t *testing.T) {
	for _, src := range []string{
		"%time\nx := 1",
		"?mat.NewDense",
		"s := \"unterminated\nfmt.Println(s)",
		"r := `a\r\nb` + \"é\" // ünï\n/* open",
		"x := 0x1F + 1e-3i + 'c' &^ y",
		"",
	} {
		var b strings.Builder
		for _, tok := range goTokens(src) {
			b.WriteString(tok.Value)
		}
		if b.String() != src {
			t.Errorf("goTokens(%q) joined is %q", src, b.String())
		}
	}
}

// Names are classed as chroma's Go lexer classes them.
func TestGoTokensClasses(t *testing.T) {
	got := map[string]chroma.TokenType{}
	for _, tok := range goTokens("var n float64 = len(xs) + f (2)\nreturn nil") {
		got[tok.Value] = tok.Type
	}
	for text, want := range map[string]chroma.TokenType{
		"var": chroma.KeywordDeclaration, "float64": chroma.KeywordType, "len": chroma.NameBuiltin,
		"xs": chroma.NameOther, "f": chroma.NameFunction, "2": chroma.LiteralNumberInteger,
		"return": chroma.Keyword, "nil": chroma.KeywordConstant, "+": chroma.Operator, "(": chroma.Punctuation,
	} {
		if got[text] != want {
			t.Errorf("%q is %v, want %v", text, got[text], want)
		}
	}
}

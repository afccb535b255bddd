package notebook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/gomatcalc/gomatcalc/internal/markdown"
)

// mathJaxConfig configures MathJax 2 as nbconvert's HTML export does.
const mathJaxConfig = `<script type="text/x-mathjax-config">
MathJax.Hub.Config({
  tex2jax: {inlineMath: [['$','$'], ['\\(','\\)']], displayMath: [['$$','$$'], ['\\[','\\]']],
            processEscapes: true, processEnvironments: true},
  displayAlign: 'center',
  "HTML-CSS": {availableFonts: [], preferredFont: null, webFont: 'STIX-Web'}
});
</script>
`

// MathJax from the web (nbconvert's), and the copy Debian's libjs-mathjax installs, which
// a page read offline on this machine uses first.
const (
	mathJaxCDN   = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
	mathJaxQuery = "?config=TeX-AMS_CHTML-full,Safe"
)

var localMathJax = "/usr/share/javascript/mathjax/MathJax.js"

// mathJaxScript loads MathJax: the local copy when there is one, falling back to the web
// when the page is read elsewhere.
func mathJaxScript() string {
	if _, err := os.Stat(localMathJax); err != nil {
		return mathJaxConfig + `<script src="` + mathJaxCDN + `"></script>` + "\n"
	}
	local := (&url.URL{Scheme: "file", Path: localMathJax}).String() + mathJaxQuery
	return mathJaxConfig + fmt.Sprintf(`<script src="%s" onerror="var s = document.createElement('script'); s.src = '%s'; document.head.appendChild(s)"></script>`, local, mathJaxCDN) + "\n"
}

const style = `<style>
body { font-family: system-ui, sans-serif; line-height: 1.5; margin: 0; color: #212121; }
main { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
.cell { margin: 1rem 0; }
.input, .output { display: flex; gap: 0.5rem; }
.prompt { flex: 0 0 5.5rem; text-align: right; font-family: monospace; font-size: 0.85rem; color: #303f9f; padding-top: 0.4rem; }
.output .prompt { color: #d84315; }
.body { flex: 1; min-width: 0; overflow-x: auto; }
pre { margin: 0; padding: 0.4rem; font-size: 0.85rem; white-space: pre-wrap; word-break: break-word; tab-size: 4; -moz-tab-size: 4; }
.input pre { background: #f5f5f5; border: 1px solid #e0e0e0; border-radius: 2px; }
.stderr { background: #fdd; }
.error { background: #fdd; color: #b71c1c; }
.markdown img, .output img { max-width: 100%; }
table { border-collapse: collapse; }
td, th { border: 1px solid #ccc; padding: 0.2rem 0.5rem; }
.gomatcalc-matrix td, .gomatcalc-table td { text-align: right; font-family: monospace; }
.gomatcalc-matrix td.gomatcalc-ellipsis { text-align: center; }
.gomatcalc-matrix caption, .gomatcalc-table caption { caption-side: top; text-align: left; white-space: nowrap; }
</style>
`

// WriteHTML writes nb as a standalone HTML page: markdown cells rendered, code cells
// with their source (highlighted as Go) and outputs. Outputs in HTML and SVG are inlined,
// PNG and JPEG images as data URIs, LaTeX left for MathJax (this machine's copy when it
// has one, else from a CDN), and any other text escaped in <pre>.
func WriteHTML(w io.Writer, nb *Notebook, title string) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"+
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"+
		"<meta name=\"generator\" content=\"gomatcalc run\">\n<title>%s</title>\n", html.EscapeString(title))
	b.WriteString(style)
	b.WriteString(goStyle)
	b.WriteString(mathJaxScript())
	b.WriteString("</head>\n<body>\n<main>\n")
	for _, c := range nb.Cells {
		if err := writeCell(&b, c); err != nil {
			return err
		}
	}
	b.WriteString("</main>\n</body>\n</html>\n")
	_, err := w.Write(b.Bytes())
	return err
}

func writeCell(b *bytes.Buffer, c *Cell) error {
	id := html.EscapeString(c.ID)
	switch c.Type {
	case Markdown:
		body, err := markdown.HTML(c.Source, attachmentURIs(c.Attachments))
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "<div class=\"cell markdown\" id=\"%s\">\n%s</div>\n", id, body)
	case Raw:
		// As nbconvert: a raw cell shows only when it is meant for HTML.
		if format, _ := c.Metadata["format"].(string); format == "text/html" {
			fmt.Fprintf(b, "<div class=\"cell raw\" id=\"%s\">\n%s\n</div>\n", id, c.Source)
		}
	case Code:
		fmt.Fprintf(b, "<div class=\"cell code\" id=\"%s\">\n<div class=\"input\"><div class=\"prompt\">In&nbsp;[%s]:</div>"+
			"<div class=\"body\">%s</div></div>\n",
			id, countText(c.ExecutionCount), highlightGo(c.Source))
		for _, o := range c.Outputs {
			if err := writeOutput(b, o); err != nil {
				return err
			}
		}
		b.WriteString("</div>\n")
	}
	return nil
}

// attachmentURIs are the data URIs of a cell's image attachments, by name.
func attachmentURIs(attachments map[string]any) map[string]string {
	uris := map[string]string{}
	for name, v := range attachments {
		bundle, _ := v.(map[string]any)
		for mime, data := range bundle {
			if text, err := multiline(data, mime); err == nil && strings.HasPrefix(mime, "image/") {
				uris[name] = "data:" + mime + ";base64," + strings.ReplaceAll(text, "\n", "")
				break
			}
		}
	}
	return uris
}

func countText(n int) string {
	if n <= 0 {
		return "&nbsp;"
	}
	return fmt.Sprint(n)
}

func writeOutput(b *bytes.Buffer, o *Output) error {
	prompt := ""
	if o.Type == ExecuteResult {
		prompt = "Out[" + countText(o.ExecutionCount) + "]:"
	}
	fmt.Fprintf(b, "<div class=\"output\"><div class=\"prompt\">%s</div><div class=\"body\">", prompt)
	switch o.Type {
	case Stream:
		fmt.Fprintf(b, "<pre class=\"%s\">%s</pre>", html.EscapeString(o.Name), html.EscapeString(stripANSI(o.Text)))
	case ErrorOutput:
		text := strings.Join(o.Traceback, "\n")
		if text == "" {
			text = o.EName + ": " + o.EValue
		}
		fmt.Fprintf(b, "<pre class=\"error\">%s</pre>", html.EscapeString(stripANSI(text)))
	case DisplayData, ExecuteResult:
		if err := writeBundle(b, o.Data, o.Metadata); err != nil {
			return err
		}
	}
	b.WriteString("</div></div>\n")
	return nil
}

// mimeOrder is the order in which a bundle's forms are preferred: the richest first.
var mimeOrder = []string{"text/html", "text/markdown", "image/svg+xml", "image/png", "image/jpeg",
	"image/gif", "text/latex", "application/json", "text/plain"}

func writeBundle(b *bytes.Buffer, data, metadata map[string]any) error {
	for _, mime := range mimeOrder {
		v, ok := data[mime]
		if !ok {
			continue
		}
		s, _ := v.(string)
		switch mime {
		case "text/html", "image/svg+xml":
			b.WriteString(s)
		case "text/markdown":
			body, err := markdown.HTML(s, nil)
			if err != nil {
				return err
			}
			fmt.Fprintf(b, "<div class=\"markdown\">%s</div>", body)
		case "image/png", "image/jpeg", "image/gif":
			fmt.Fprintf(b, "<img src=\"data:%s;base64,%s\"%s alt=\"\">", mime,
				html.EscapeString(strings.ReplaceAll(s, "\n", "")), imageSize(metadata, mime))
		case "text/latex":
			fmt.Fprintf(b, "<div class=\"latex\">%s</div>", html.EscapeString(s))
		case "application/json":
			var text bytes.Buffer
			enc := json.NewEncoder(&text)
			enc.SetEscapeHTML(false) // escaped below, once
			enc.SetIndent("", "  ")
			if err := enc.Encode(v); err != nil {
				return err
			}
			fmt.Fprintf(b, "<pre class=\"json\">%s</pre>", html.EscapeString(strings.TrimSpace(text.String())))
		case "text/plain":
			fmt.Fprintf(b, "<pre>%s</pre>", html.EscapeString(stripANSI(s)))
		}
		return nil
	}
	return nil
}

// imageSize is the width and height attributes an image's metadata asks for.
func imageSize(metadata map[string]any, mime string) string {
	m, _ := metadata[mime].(map[string]any)
	var attrs string
	for _, k := range []string{"width", "height"} {
		if v, ok := m[k]; ok {
			attrs += fmt.Sprintf(" %s=\"%s\"", k, html.EscapeString(fmt.Sprint(v)))
		}
	}
	return attrs
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;?]*[ -/]*[@-~]")

// stripANSI removes terminal colour codes, which tracebacks may hold.
func stripANSI(s string) string {
	return ansi.ReplaceAllString(s, "")
}

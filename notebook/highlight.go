package notebook

import (
	"html"
	"strings"

	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
)

// goFormatter writes highlighted Go as classes, whose colours goStyle gives once a page.
var goFormatter = chromahtml.New(chromahtml.WithClasses(true), chromahtml.TabWidth(4))

// goStyle is the stylesheet of goFormatter's classes (chroma's "github" style).
var goStyle = func() string {
	var b strings.Builder
	b.WriteString("<style>\n")
	if err := goFormatter.WriteCSS(&b, styles.Get("github")); err != nil {
		return ""
	}
	b.WriteString("</style>\n")
	return b.String()
}()

// highlightGo is src as a highlighted <pre>, or escaped plain when chroma cannot lex it.
func highlightGo(src string) string {
	plain := "<pre><code class=\"language-go\">" + html.EscapeString(src) + "</code></pre>"
	it, err := lexers.Get("go").Tokenise(nil, src)
	if err != nil {
		return plain
	}
	var b strings.Builder
	if err := goFormatter.Format(&b, styles.Get("github"), it); err != nil {
		return plain
	}
	return b.String()
}

// Package markdown renders Markdown as Jupyter does: GitHub's Markdown, raw HTML allowed,
// and $...$ and $$...$$ math left intact for MathJax. The HTML export of notebooks and
// display.Markdown (whose HTML form an untrusted notebook shows) share it.
package markdown

import (
	"bytes"
	"html"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	goldhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// HTML renders a markdown cell (or a text/markdown output) as Jupyter does. An image
// that names a cell attachment ("attachment:x.png") gets the data URI attachments gives
// for the name (nil: none).
func HTML(src string, attachments map[string]string) (string, error) {
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(
			parser.WithInlineParsers(util.Prioritized(mathParser{}, 50)),
			parser.WithASTTransformers(util.Prioritized(attachmentLinks(attachments), 100)),
		),
		goldmark.WithRendererOptions(
			goldhtml.WithUnsafe(),
			renderer.WithNodeRenderers(util.Prioritized(mathRenderer{}, 50)),
		),
	)
	var buf bytes.Buffer
	err := md.Convert([]byte(src), &buf)
	return buf.String(), err
}

// mathNode is TeX between $ or $$ delimiters, kept as written.
type mathNode struct {
	ast.BaseInline
	tex     []byte
	display bool
}

var kindMath = ast.NewNodeKind("Math")

func (n *mathNode) Kind() ast.NodeKind { return kindMath }

func (n *mathNode) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"TeX": string(n.tex)}, nil)
}

// mathParser finds math where Markdown would otherwise take \, _ and * for its own:
// "$$" opens display math up to the next "$$" (across lines); "$" opens inline math
// when followed by a non-blank, and closes at a "$" after a non-blank and not before a
// digit (pandoc's rule, so that "$5 and $10" stay text).
type mathParser struct{}

func (mathParser) Trigger() []byte { return []byte{'$'} }

func (mathParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, _ := block.PeekLine()
	display := len(line) > 1 && line[1] == '$'
	open := 1
	if display {
		open = 2
	}
	if !display && (len(line) < 2 || isBlank(line[1])) {
		return nil
	}
	startLine, startPos := block.Position()
	block.Advance(open)
	var tex []byte
	for {
		line, _ := block.PeekLine()
		if line == nil {
			block.SetPosition(startLine, startPos)
			return nil
		}
		for i := 0; i < len(line); i++ {
			switch {
			case line[i] == '\\':
				i++ // an escaped character, such as \$, does not close
			case line[i] != '$':
			case display && i+1 < len(line) && line[i+1] == '$':
				tex = append(tex, line[:i]...)
				block.Advance(i + 2)
				return &mathNode{tex: tex, display: true}
			case !display && len(tex)+i > 0 && !isBlank(lastByte(tex, line[:i])) && !(i+1 < len(line) && isDigit(line[i+1])):
				tex = append(tex, line[:i]...)
				block.Advance(i + 1)
				return &mathNode{tex: tex}
			}
		}
		tex = append(tex, line...)
		block.AdvanceLine()
	}
}

// lastByte is the byte before a closing $: the last of line, or else of tex.
func lastByte(tex, line []byte) byte {
	if len(line) > 0 {
		return line[len(line)-1]
	}
	return tex[len(tex)-1]
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// mathRenderer writes math back with its delimiters, HTML-escaped, for MathJax.
type mathRenderer struct{}

func (mathRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindMath, func(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			m := n.(*mathNode)
			delim := "$"
			if m.display {
				delim = "$$"
			}
			w.WriteString(delim + html.EscapeString(string(m.tex)) + delim)
		}
		return ast.WalkSkipChildren, nil
	})
}

// attachmentLinks points images at a cell's attachments ("attachment:name") to their
// data URIs.
type attachmentLinks map[string]string

func (a attachmentLinks) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	if len(a) == 0 {
		return
	}
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		img, ok := n.(*ast.Image)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		name, ok := strings.CutPrefix(string(img.Destination), "attachment:")
		if !ok {
			return ast.WalkContinue, nil
		}
		if uri, ok := a[name]; ok {
			img.Destination = []byte(uri)
		}
		return ast.WalkContinue, nil
	})
}

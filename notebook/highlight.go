package notebook

import (
	"go/scanner"
	"go/token"
	"go/types"
	"html"
	"strings"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
)

// Cells are lexed by go/scanner and formatted by chroma. chroma's own lexers and styles
// packages are not imported: they build every lexer and style they have when the
// program starts (27 ms of the kernel's start, for a page only `gomatcalc run --html`
// writes).

// goFormatter writes highlighted Go as classes, whose colours goStyle gives once a page.
var goFormatter = chromahtml.New(chromahtml.WithClasses(true), chromahtml.TabWidth(4))

// githubStyle is chroma's "github" style, the entries Go's tokens use.
var githubStyle = chroma.MustNewStyle("github", chroma.StyleEntries{
	chroma.Error:          "#f6f8fa bg:#82071e",
	chroma.Background:     "bg:#f7f7f7",
	chroma.Keyword:        "#cf222e",
	chroma.KeywordType:    "#cf222e",
	chroma.NameBuiltin:    "#6639ba",
	chroma.NameFunction:   "#6639ba",
	chroma.NameOther:      "#1f2328",
	chroma.LiteralString:  "#0a3069",
	chroma.LiteralNumber:  "#0550ae",
	chroma.Operator:       "#0550ae",
	chroma.Comment:        "#57606a",
	chroma.Punctuation:    "#1f2328",
	chroma.TextWhitespace: "#ffffff",
})

// goStyle is the stylesheet of goFormatter's classes.
var goStyle = func() string {
	var b strings.Builder
	b.WriteString("<style>\n")
	if err := goFormatter.WriteCSS(&b, githubStyle); err != nil {
		return ""
	}
	b.WriteString("</style>\n")
	return b.String()
}()

// highlightGo is src as a highlighted <pre>, or escaped plain when it cannot be formatted.
func highlightGo(src string) string {
	var b strings.Builder
	if err := goFormatter.Format(&b, githubStyle, chroma.Literator(goTokens(src)...)); err != nil {
		return "<pre><code class=\"language-go\">" + html.EscapeString(src) + "</code></pre>"
	}
	return b.String()
}

// goTokens splits src into chroma tokens, every byte of src in one of them: what
// go/scanner does not read (spaces, a magic's `%`, an unterminated string) is plain text.
func goTokens(src string) []chroma.Token {
	var s scanner.Scanner
	file := token.NewFileSet().AddFile("", -1, len(src))
	s.Init(file, []byte(src), func(token.Position, string) {}, scanner.ScanComments)

	var out []chroma.Token
	emit := func(t chroma.TokenType, text string) {
		if text != "" {
			out = append(out, chroma.Token{Type: t, Value: text})
		}
	}
	done := 0 // bytes of src emitted
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.SEMICOLON && lit == "\n" {
			continue // inserted by the scanner, not in the text
		}
		off := file.Offset(pos)
		if off < done {
			continue
		}
		emit(chroma.Text, src[done:off])
		text := tokenText(src[off:], tok, lit)
		done = off + len(text)
		emit(goTokenType(tok, text, src[done:]), text)
	}
	emit(chroma.Text, src[done:])
	return out
}

// tokenText is the source text of the token starting src.
func tokenText(src string, tok token.Token, lit string) string {
	switch {
	case tok == token.STRING && strings.HasPrefix(src, "`"):
		// lit has no carriage returns; the text may.
		if end := strings.IndexByte(src[1:], '`'); end >= 0 {
			return src[:end+2]
		}
		return src
	case tok.IsLiteral() || tok == token.COMMENT:
		if strings.HasPrefix(src, lit) {
			return lit
		}
	case tok.IsOperator() || tok.IsKeyword():
		return tok.String()
	}
	// ILLEGAL and anything unforeseen: the one byte, shown as it is.
	return src[:1]
}

// goTokenType is the chroma type of a Go token, classed as chroma's Go lexer classes it.
func goTokenType(tok token.Token, text, rest string) chroma.TokenType {
	switch tok {
	case token.COMMENT:
		if strings.HasPrefix(text, "/*") {
			return chroma.CommentMultiline
		}
		return chroma.CommentSingle
	case token.PACKAGE, token.IMPORT:
		return chroma.KeywordNamespace
	case token.VAR, token.FUNC, token.STRUCT, token.MAP, token.CHAN, token.TYPE, token.INTERFACE, token.CONST:
		return chroma.KeywordDeclaration
	case token.INT:
		return chroma.LiteralNumberInteger
	case token.FLOAT:
		return chroma.LiteralNumberFloat
	case token.IMAG:
		return chroma.LiteralNumber
	case token.CHAR:
		return chroma.LiteralStringChar
	case token.STRING:
		return chroma.LiteralString
	case token.IDENT:
		return identType(text, strings.HasPrefix(strings.TrimLeft(rest, " \t"), "("))
	case token.LPAREN, token.RPAREN, token.LBRACK, token.RBRACK, token.LBRACE, token.RBRACE,
		token.COMMA, token.SEMICOLON, token.PERIOD, token.COLON, token.NOT, token.TILDE:
		return chroma.Punctuation
	}
	switch {
	case tok.IsKeyword():
		return chroma.Keyword
	case tok.IsOperator():
		return chroma.Operator
	}
	return chroma.Text
}

// identType classes a name: constants, types, builtins and called functions.
func identType(name string, called bool) chroma.TokenType {
	switch name {
	case "true", "false", "iota", "nil":
		return chroma.KeywordConstant
	}
	if _, ok := types.Universe.Lookup(name).(*types.Builtin); ok && called {
		return chroma.NameBuiltin
	}
	if _, ok := types.Universe.Lookup(name).(*types.TypeName); ok {
		return chroma.KeywordType
	}
	if called {
		return chroma.NameFunction
	}
	return chroma.NameOther
}

package caffe

import (
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/prototext"
)

// LayerPosition returns the 1-based line and column (in characters, as
// prototext counts them) of the name field of the layer called name in the
// prototxt text: the `name:` directly inside a top-level `layer { }` or
// `layers { }` block. It answers 0, 0 when no layer has that name or the
// text cannot be scanned that far.
func LayerPosition(text []byte, name string) (line, column int) {
	sc := scanner{src: text, line: 1, col: 1}
	depth, inLayer := 0, false
	var last [2]token // the two tokens before the current one
	for {
		t := sc.next()
		switch {
		case t.kind == tokEOF:
			return 0, 0
		case t.text == "{":
			if depth == 0 {
				// layer { or layer: {
				w := last[1]
				if w.text == ":" {
					w = last[0]
				}
				inLayer = w.kind == tokWord && (w.text == "layer" || w.text == "layers")
			}
			depth++
		case t.text == "}":
			if depth--; depth < 0 {
				return 0, 0
			}
		case t.kind == tokString && depth == 1 && inLayer && last[0].text == "name" && last[1].text == ":":
			// The real parser decodes the literal, escapes and all.
			var n NetParameter
			if prototext.Unmarshal([]byte("name: "+t.text), &n) == nil && n.GetName() == name {
				return last[0].line, last[0].col
			}
		}
		last[0], last[1] = last[1], t
	}
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokWord
	tokString
	tokPunct
)

type token struct {
	kind      tokKind
	text      string // strings with their quotes
	line, col int
}

// scanner splits prototxt text into words (identifiers, numbers),
// quoted strings and punctuation, skipping spaces and # comments, and
// tracks the line and column (in runes) of each.
type scanner struct {
	src       []byte
	pos       int
	line, col int
}

func (s *scanner) peek() rune {
	if s.pos >= len(s.src) {
		return -1
	}
	r, _ := utf8.DecodeRune(s.src[s.pos:])
	return r
}

func (s *scanner) advance() {
	r, n := utf8.DecodeRune(s.src[s.pos:])
	s.pos += n
	if r == '\n' {
		s.line, s.col = s.line+1, 1
	} else {
		s.col++
	}
}

func (s *scanner) next() token {
	for {
		r := s.peek()
		switch {
		case r < 0:
			return token{kind: tokEOF}
		case r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v':
			s.advance()
			continue
		case r == '#':
			for r := s.peek(); r >= 0 && r != '\n'; r = s.peek() {
				s.advance()
			}
			continue
		}
		t := token{line: s.line, col: s.col}
		start := s.pos
		switch {
		case r == '"' || r == '\'':
			t.kind = tokString
			s.advance()
			for c := s.peek(); c >= 0 && c != r && c != '\n'; c = s.peek() {
				s.advance()
				if c == '\\' && s.peek() >= 0 {
					s.advance()
				}
			}
			if s.peek() == r {
				s.advance()
			}
		case isWord(r):
			t.kind = tokWord
			for isWord(s.peek()) {
				s.advance()
			}
		default:
			t.kind = tokPunct
			s.advance()
		}
		t.text = string(s.src[start:s.pos])
		return t
	}
}

func isWord(r rune) bool {
	return r == '_' || r == '.' || r == '-' || r == '+' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0x80
}

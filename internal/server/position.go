package server

import (
	"bytes"
	"regexp"
	"strconv"
)

// Placing an error in an uploaded text file (a Caffe prototxt), so that the
// Scope editor can mark the line it comes from.

var (
	// prototext's syntax errors say "(line 3:7)".
	linePattern = regexp.MustCompile(`\(line (\d+):(\d+)\)`)
	// importer and analysis errors name the layer: `layer "conv1"`, `node "conv1"`.
	layerPattern = regexp.MustCompile(`(?:layer|node) "((?:[^"\\]|\\.)*)"`)
)

// sourcePosition returns the 1-based line and column in src that msg is
// about, or 0, 0: the position of a syntax error, else the `name: "…"`
// line of the first layer msg names. Only text sources are searched.
func sourcePosition(src []byte, msg string) (line, column int) {
	if m := linePattern.FindStringSubmatch(msg); m != nil {
		l, err1 := strconv.Atoi(m[1])
		c, err2 := strconv.Atoi(m[2])
		if err1 == nil && err2 == nil && l > 0 {
			return l, max(c, 0)
		}
	}
	if bytes.IndexByte(src, 0) >= 0 { // binary: no lines to show
		return 0, 0
	}
	m := layerPattern.FindStringSubmatch(msg)
	if m == nil {
		return 0, 0
	}
	name, err := strconv.Unquote(`"` + m[1] + `"`)
	if err != nil {
		return 0, 0
	}
	re, err := regexp.Compile(`(?m)^([ \t]*(?:layers?\s*\{\s*)?)name\s*:\s*["']` + regexp.QuoteMeta(name) + `["']`)
	if err != nil {
		return 0, 0
	}
	loc := re.FindSubmatchIndex(src)
	if loc == nil {
		return 0, 0
	}
	at := loc[3] // where "name" starts
	line = 1 + bytes.Count(src[:at], []byte("\n"))
	column = 1 + at - (bytes.LastIndexByte(src[:at], '\n') + 1)
	return line, column
}

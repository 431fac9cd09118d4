package tfjs

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
)

// graphDef is the modelTopology of a TF.js graph model: a TensorFlow
// GraphDef written as JSON by tfjs-converter (protobuf's JSON mapping:
// int64 values are strings, bytes are base64).
type graphDef struct {
	Node []gNode `json:"node"`
	// Library holds TF functions (control flow written as functions);
	// convscope reads only the main graph.
	Library json.RawMessage `json:"library,omitempty"`
}

type gNode struct {
	Name  string           `json:"name"`
	Op    string           `json:"op"`
	Input []string         `json:"input"`
	Attr  map[string]gAttr `json:"attr"`
}

// gAttr is a TensorFlow AttrValue: one of its fields is set.
type gAttr struct {
	S      *string  `json:"s,omitempty"` // base64
	I      *jsonInt `json:"i,omitempty"`
	F      *jsonNum `json:"f,omitempty"`
	B      *bool    `json:"b,omitempty"`
	Type   string   `json:"type,omitempty"`
	Shape  *gShape  `json:"shape,omitempty"`
	List   *gList   `json:"list,omitempty"`
	Tensor *struct {
		Dtype       string  `json:"dtype"`
		TensorShape *gShape `json:"tensorShape"`
	} `json:"tensor,omitempty"`
}

type gShape struct {
	Dim []struct {
		Size jsonInt `json:"size"`
	} `json:"dim"`
	UnknownRank bool `json:"unknownRank,omitempty"`
}

type gList struct {
	S    []string  `json:"s,omitempty"`
	I    []jsonInt `json:"i,omitempty"`
	F    []jsonNum `json:"f,omitempty"`
	B    []bool    `json:"b,omitempty"`
	Type []string  `json:"type,omitempty"`
}

// jsonInt is an int64 written as a JSON string ("3") or number.
type jsonInt int64

func (j *jsonInt) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("integer %q: %w", s, err)
		}
		*j = jsonInt(v)
		return nil
	}
	var v int64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*j = jsonInt(v)
	return nil
}

// jsonNum is a float written as a JSON number or as a string ("NaN",
// "Infinity", as protobuf's JSON mapping writes them).
type jsonNum float64

func (j *jsonNum) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("number %q: %w", s, err)
		}
		*j = jsonNum(v)
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*j = jsonNum(v)
	return nil
}

// str decodes attribute name's string (base64 in the JSON); def when absent.
func (n *gNode) str(name, def string) string {
	a, ok := n.Attr[name]
	if !ok || a.S == nil {
		return def
	}
	b, err := base64.StdEncoding.DecodeString(*a.S)
	if err != nil {
		return *a.S
	}
	return string(b)
}

func (n *gNode) integer(name string, def int64) int64 {
	if a, ok := n.Attr[name]; ok && a.I != nil {
		return int64(*a.I)
	}
	return def
}

func (n *gNode) float(name string, def float32) float32 {
	if a, ok := n.Attr[name]; ok && a.F != nil {
		return float32(*a.F)
	}
	return def
}

func (n *gNode) boolean(name string) bool {
	a, ok := n.Attr[name]
	return ok && a.B != nil && *a.B
}

func (n *gNode) ints(name string) []int64 {
	a, ok := n.Attr[name]
	if !ok || a.List == nil {
		return nil
	}
	out := make([]int64, len(a.List.I))
	for i, v := range a.List.I {
		out[i] = int64(v)
	}
	return out
}

func (n *gNode) strs(name string) []string {
	a, ok := n.Attr[name]
	if !ok || a.List == nil {
		return nil
	}
	out := make([]string, len(a.List.S))
	for i, s := range a.List.S {
		if b, err := base64.StdEncoding.DecodeString(s); err == nil {
			s = string(b)
		}
		out[i] = s
	}
	return out
}

// attrTexts renders the attributes for display (an unknown node's).
func (n *gNode) attrTexts() map[string]string {
	if len(n.Attr) == 0 {
		return nil
	}
	m := map[string]string{}
	for k, a := range n.Attr {
		var s string
		switch {
		case a.S != nil:
			s = n.str(k, "")
		case a.I != nil:
			s = fmt.Sprint(int64(*a.I))
		case a.F != nil:
			s = fmt.Sprint(float64(*a.F))
		case a.B != nil:
			s = fmt.Sprint(*a.B)
		case a.Type != "":
			s = a.Type
		case a.List != nil && len(a.List.I) > 0:
			s = fmt.Sprint(n.ints(k))
		case a.List != nil && len(a.List.S) > 0:
			s = fmt.Sprint(n.strs(k))
		case a.List != nil && len(a.List.F) > 0:
			s = fmt.Sprint(a.List.F)
		case a.Shape != nil:
			s = fmt.Sprint(shapeDims(a.Shape))
		default:
			continue
		}
		if len(s) > 200 {
			s = s[:200] + "…"
		}
		m[k] = s
	}
	return m
}

func shapeDims(s *gShape) []int64 {
	if s == nil || s.UnknownRank {
		return nil
	}
	out := make([]int64, len(s.Dim))
	for i, d := range s.Dim {
		out[i] = int64(d.Size)
	}
	return out
}

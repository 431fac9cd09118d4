package format

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/convscope/convscope/internal/graph"
)

// Options tune an import.
type Options struct {
	// Budget bounds the tensor data the importer materialises (nil: the
	// default budget).
	Budget *Budget
	// Input, if set, is the size of the model's first input per image
	// (C,H,W for an image): it fills the dimensions the file leaves free
	// (ONNX dim_param, Keras null) and must agree with the ones it fixes.
	Input []int
}

// DefaultSide is the height and width suggested for an image input whose
// size the file leaves free.
const DefaultSide = 224

// FreeSizeError reports a model input whose size the file leaves free and
// that no size was given for.
type FreeSizeError struct {
	Input string
	// Shape is the per-image shape, -1 where free.
	Shape graph.Shape
	// Suggest is a size that fits the fixed dimensions (free channels 3,
	// free sides DefaultSide).
	Suggest []int
}

func (e *FreeSizeError) Error() string {
	return fmt.Sprintf("input %q leaves its size open (%s); give one with --input %s (API: input=%s)",
		e.Input, freeString(e.Shape), JoinSize(e.Suggest), JoinSize(e.Suggest))
}

// JoinSize writes a size as "3,224,224".
func JoinSize(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = strconv.Itoa(d)
	}
	return strings.Join(parts, ",")
}

func freeString(s graph.Shape) string {
	parts := make([]string, len(s))
	for i, d := range s {
		if d <= 0 {
			parts[i] = "?"
		} else {
			parts[i] = strconv.Itoa(d)
		}
	}
	return strings.Join(parts, "×")
}

// FillInput returns the batch-first shape of input name with its free
// (non-positive) per-image dimensions set from size. A nil size leaves a
// shape with free dimensions refused with a *FreeSizeError; a size that
// disagrees with a dimension the model fixes, or has another rank, is an
// error naming both. The batch dimension (the first) is kept as it is.
func FillInput(name string, shape graph.Shape, size []int) (graph.Shape, error) {
	if len(shape) == 0 {
		return shape, nil
	}
	per := shape[1:]
	if size == nil {
		for _, d := range per {
			if d <= 0 {
				return nil, &FreeSizeError{Input: name, Shape: append(graph.Shape{}, per...), Suggest: suggestSize(per)}
			}
		}
		return shape, nil
	}
	if len(size) != len(per) {
		return nil, fmt.Errorf("input %q has %d dimensions per image (%s); the input size given, %s, has %d", name, len(per), freeString(per), JoinSize(size), len(size))
	}
	out := append(graph.Shape{}, shape...)
	for i, d := range per {
		if d > 0 && d != size[i] {
			return nil, fmt.Errorf("input %q: the model fixes its size to %s; the input size given, %s, differs in dimension %d (%d, not %d)", name, freeString(per), JoinSize(size), i+1, size[i], d)
		}
		out[i+1] = size[i]
	}
	return out, nil
}

// suggestSize fills the free dimensions of a per-image shape: a free
// channel count of an image (rank 3) with 3, free sides with DefaultSide.
func suggestSize(per graph.Shape) []int {
	s := make([]int, len(per))
	for i, d := range per {
		switch {
		case d > 0:
			s[i] = d
		case i == 0 && len(per) == 3:
			s[i] = 3
		default:
			s[i] = DefaultSide
		}
	}
	return s
}

package format

// A SyntaxError is an error at a place in a text model file (a Caffe
// prototxt): errors.As finds its position in a wrapped error. Its message
// is Err's, which states the position itself.
type SyntaxError struct {
	Line, Column int // 1-based; Column 0 when unknown
	Err          error
}

func (e *SyntaxError) Error() string { return e.Err.Error() }
func (e *SyntaxError) Unwrap() error { return e.Err }

package server

import (
	"fmt"
	"net/url"

	"github.com/convscope/convscope/internal/analyze"
)

// withConvention applies ?count=macs|flops&include=bias,norm,… (the
// counting convention of the "ops" figures, analyze.Convention) to a, which
// may be a cached preset analysis: a copy is returned when they differ from
// the default.
func withConvention(a *scopeAnalysis, q url.Values) (*scopeAnalysis, error) {
	c, err := analyze.ParseConvention(q.Get("count"), q.Get("include"))
	if err != nil {
		return nil, fmt.Errorf("?count=%s&include=%s: %v", q.Get("count"), q.Get("include"), err)
	}
	if c.IsDefault() {
		return a, nil
	}
	rep := *a.report
	rep.Convention = c
	b := *a
	b.report = &rep
	b.JSONReport = analyze.JSON(&rep, a.Format)
	return &b, nil
}

package tfjs

import (
	"math"

	"github.com/convscope/convscope/internal/graph"
)

// fuseHardActivations rewrites the hard sigmoid and hard swish as TF
// writes Keras's MobileNetV3 (relu6(x + 3)·(1/6), and x times that) into
// one HardSigmoid or HardSwish node each, so that the Explainer shows one
// activation and not four element-wise steps. The rewritten node keeps the
// last step's name; the steps before it and their constants go when
// nothing else reads them.
func fuseHardActivations(g *graph.Graph) {
	prod := map[string]*graph.Node{}
	uses := map[string]int{}
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			prod[o] = n
		}
		for _, in := range n.Inputs {
			uses[in]++
		}
	}
	for _, o := range g.Outputs {
		uses[o]++
	}
	scalar := func(v string, want float64) bool {
		p := prod[v]
		if p == nil {
			return false
		}
		t := p.Param("value")
		_, ok := p.Op.(*graph.Const)
		return ok && t != nil && len(t.Data) == 1 && math.Abs(float64(t.Data[0])-want) <= 1e-6*math.Abs(want)
	}
	elt := func(v string, kind graph.EltwiseKind) *graph.Node {
		p := prod[v]
		if p == nil || uses[v] != 1 || len(p.Inputs) != 2 {
			return nil
		}
		if e, ok := p.Op.(*graph.Eltwise); ok && e.Type == kind && len(e.Coeffs) == 0 {
			return p
		}
		return nil
	}
	// other returns the input of a two-input node that is not the scalar c.
	other := func(n *graph.Node, c float64) (string, string, bool) {
		switch {
		case scalar(n.Inputs[1], c):
			return n.Inputs[0], n.Inputs[1], true
		case scalar(n.Inputs[0], c):
			return n.Inputs[1], n.Inputs[0], true
		}
		return "", "", false
	}
	gone := map[*graph.Node]bool{}
	drop := func(n *graph.Node, consts ...string) {
		gone[n] = true
		for _, in := range n.Inputs {
			uses[in]--
		}
		for _, c := range consts {
			if uses[c] == 0 {
				gone[prod[c]] = true
			}
		}
	}
	for _, s := range g.Nodes {
		// s = r·(1/6) or r/6, r = relu6(a), a = x + 3.
		e, ok := s.Op.(*graph.Eltwise)
		if !ok || len(s.Inputs) != 2 || len(e.Coeffs) > 0 || (e.Type != graph.EltMul && e.Type != graph.EltDiv) {
			continue
		}
		var r, c6 string
		if e.Type == graph.EltMul {
			r, c6, ok = other(s, 1.0/6)
		} else if ok = scalar(s.Inputs[1], 6); ok {
			r, c6 = s.Inputs[0], s.Inputs[1]
		}
		rn := prod[r]
		if !ok || rn == nil || uses[r] != 1 {
			continue
		}
		if act, isAct := rn.Op.(*graph.Activation); !isAct || act.Func != graph.Relu6 {
			continue
		}
		an := elt(rn.Inputs[0], graph.EltAdd)
		if an == nil {
			continue
		}
		x, c3, ok := other(an, 3)
		if !ok {
			continue
		}
		drop(s, c6)
		drop(rn)
		drop(an, c3)
		gone[s] = false
		s.Op, s.Type, s.Inputs = &graph.Activation{Func: graph.HardSigmoid, Alpha: 1.0 / 6, Beta: 0.5}, "HardSigmoid", []string{x}
		uses[x]++
	}
	for _, m := range g.Nodes {
		// m = x·h, h = HardSigmoid(x).
		e, ok := m.Op.(*graph.Eltwise)
		if gone[m] || !ok || e.Type != graph.EltMul || len(m.Inputs) != 2 || len(e.Coeffs) > 0 {
			continue
		}
		for k := 0; k < 2; k++ {
			x, h := m.Inputs[1-k], m.Inputs[k]
			hn := prod[h]
			if hn == nil || uses[h] != 1 || len(hn.Inputs) != 1 || hn.Inputs[0] != x {
				continue
			}
			if act, isAct := hn.Op.(*graph.Activation); !isAct || act.Func != graph.HardSigmoid || act.Alpha != 1.0/6 || act.Beta != 0.5 {
				continue
			}
			drop(hn)
			uses[h]--
			m.Op, m.Type, m.Inputs = &graph.Activation{Func: graph.HardSwish}, "HardSwish", []string{x}
			break
		}
	}
	kept := g.Nodes[:0]
	for _, n := range g.Nodes {
		if !gone[n] {
			kept = append(kept, n)
		}
	}
	g.Nodes = kept
}

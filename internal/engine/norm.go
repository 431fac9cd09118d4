package engine

import (
	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/tensor"
)

var _ = register((*Program).planLayerNorm)

func (p *Program) planLayerNorm(n *graph.Node, op *graph.LayerNorm) (func(), error) {
	x := p.in(n, 0)
	red, err := op.Resolve(len(x.Shape))
	if err != nil {
		return nil, err
	}
	y := p.out(n, 0)
	s, b := data(n.Param("scale")), data(n.Param("bias"))
	return func() { tensor.LayerNorm(y.Data, x.Data, x.Shape, red, s, b, op.Epsilon) }, nil
}

var _ = register((*Program).planGroupNorm)

func (p *Program) planGroupNorm(n *graph.Node, op *graph.GroupNorm) (func(), error) {
	x := p.in(n, 0)
	nn, c, plane := channels(x.Shape)
	y := p.out(n, 0)
	s, b := data(n.Param("scale")), data(n.Param("bias"))
	return func() { tensor.GroupNorm(y.Data, x.Data, nn, c, plane, op.Groups, s, b, op.Epsilon) }, nil
}

var _ = register((*Program).planL2Norm)

func (p *Program) planL2Norm(n *graph.Node, op *graph.L2Norm) (func(), error) {
	x := p.in(n, 0)
	nn, c, plane := channels(x.Shape)
	y := p.out(n, 0)
	s := data(n.Param("scale"))
	return func() { tensor.L2Norm(y.Data, x.Data, nn, c, plane, op.AcrossSpatial, op.Epsilon, s) }, nil
}

package engine

import (
	"fmt"

	"github.com/convscope/convscope/internal/graph"
	"github.com/convscope/convscope/internal/tensor"
)

var reductions = map[graph.ReduceFunc]tensor.ReduceOp{
	graph.ReduceMean: tensor.RedMean, graph.ReduceMax: tensor.RedMax, graph.ReduceMin: tensor.RedMin,
	graph.ReduceSum: tensor.RedSum, graph.ReduceProd: tensor.RedProd, graph.ReduceL1: tensor.RedL1,
	graph.ReduceL2: tensor.RedL2, graph.ReduceSumSquare: tensor.RedSumSquare, graph.ReduceLogSumExp: tensor.RedLogSumExp,
}

var _ = register((*Program).planReduce)

func (p *Program) planReduce(n *graph.Node, op *graph.Reduce) (func(), error) {
	f, ok := reductions[op.Func]
	if !ok {
		return nil, fmt.Errorf("the engine has no reduction %q", op.Func)
	}
	x := p.in(n, 0)
	red, err := op.Resolve(len(x.Shape))
	if err != nil {
		return nil, err
	}
	y := p.out(n, 0)
	return func() { tensor.Reduce(y.Data, x.Data, x.Shape, red, f) }, nil
}

var _ = register((*Program).planExpand)

// planExpand broadcasts by adding a zero scalar (tensor.Broadcast).
func (p *Program) planExpand(n *graph.Node, _ *graph.Expand) (func(), error) {
	x, y := p.in(n, 0), p.out(n, 0)
	zero, one := []float32{0}, []int{1}
	return func() { tensor.Broadcast(y.Data, x.Data, x.Shape, zero, one, y.Shape, tensor.BinAdd, 1, 1) }, nil
}

var _ = register((*Program).planStepSlice)

// planStepSlice gathers the entries Start, Start+Step, … of the axis.
func (p *Program) planStepSlice(n *graph.Node, op *graph.StepSlice) (func(), error) {
	idx := make([]int, op.Count)
	for i := range idx {
		idx[i] = op.Start + i*op.Step
	}
	return p.gather(n, op.Axis, idx)
}

var _ = register((*Program).planGather)

func (p *Program) planGather(n *graph.Node, op *graph.Gather) (func(), error) {
	xs := p.in(n, 0).Shape
	axis, err := graph.NormAxis(op.Axis, len(xs))
	if err != nil {
		return nil, err
	}
	idx, err := op.Resolve(xs[axis])
	if err != nil {
		return nil, err
	}
	return p.gather(n, axis, idx)
}

// gather plans taking the entries idx of an axis of the node's input.
func (p *Program) gather(n *graph.Node, axis int, idx []int) (func(), error) {
	x := p.in(n, 0)
	xs := x.Shape
	axis, err := graph.NormAxis(axis, len(xs))
	if err != nil {
		return nil, err
	}
	y := p.out(n, 0)
	outer, inner := tensor.Numel(xs[:axis]), tensor.Numel(xs[axis+1:])
	return func() { tensor.Gather(y.Data, x.Data, outer, xs[axis], inner, idx) }, nil
}

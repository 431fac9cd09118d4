// Package train trains graph IR models in pure Go: a forward pass in
// training mode, backward passes for every operator the engine executes,
// Softmax + cross-entropy fused at the output, SGD with momentum and Adam
// with weight decay and a learning-rate schedule, mini-batches split over
// all cores, reproducible for a given seed.
//
// # Conventions
//
//   - The graph is trained in place: a [Net] reads and updates the
//     *graph.Tensor parameters of the graph it was built from, so saving the
//     graph (for instance with tfjs.Write) saves the trained model.
//     BatchNorm's "mean" and "var" are running statistics, updated in
//     training mode as running = m·running + (1−m)·batch with m =
//     [Options.BNMomentum] (0.9 by default; the batch variance is the
//     unbiased one, as in PyTorch). They are not learnable parameters.
//   - Layout is NCHW float32, as everywhere in convscope. Every value of the
//     graph has a buffer for the largest batch and, when a parameter depends
//     on it, a gradient buffer of the same size. Buffers are allocated once;
//     a training step allocates nothing of the model's size.
//   - Convolutions run per image and group on the packed GEMM kernels of
//     package tensor, without storing column matrices: Y = W·cols (+ bias)
//     as a direct convolution (tensor.ConvAddSerial), dWᵀ = cols·dYᵀ with
//     the columns packed straight from the image
//     (tensor.ConvWeightGradSerial), and, for stride-1 undilated
//     convolutions, dX += dY ⋆ flip(W), the full correlation of the output
//     gradient with the flipped kernels (again tensor.ConvAddSerial); other
//     geometries compute dCols = Wᵀ·dY with tensor.Gemm followed by Col2Im.
//     These run on the calling goroutine: the parallelism is over images.
//     Dense layers are one tensor.Gemm per shard of the batch.
//   - The loss is the mean cross-entropy over the batch. When the graph's
//     output is a Softmax (or LogSoftmax) over the classes, the loss is
//     computed from its input (the logits) and the gradient dL/dz =
//     (softmax(z) − onehot)/n is written there directly; otherwise the
//     output is taken as logits.
//   - Parallelism and determinism: a batch of n images is cut into S =
//     min(n, [Options.Shards]) contiguous shards (8 by default, independent
//     of the number of cores). Each layer's work is spread over
//     [Options.Workers] goroutines shard by shard; each shard accumulates its
//     own parameter gradients and batch statistics, and shards are summed in
//     shard order. The result is therefore bit-identical for the same seed
//     whatever the number of workers, as long as Shards is the same.
//   - Weight decay applies to Conv and Dense weights only (not to biases or
//     BatchNorm parameters): decoupled (AdamW) with Adam, added to the
//     gradient (L2) with SGD.
//   - Training mode differs from inference only in BatchNorm (batch
//     statistics) and Dropout (inverted dropout with a mask drawn from the
//     seed, the step and the image index). In inference mode a Net computes
//     what the engine computes, up to float32 rounding (tested).
package train

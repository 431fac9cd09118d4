# default-model regenerates the embedded default model in
# internal/zoo/defaultmodel: Tiny VGG (64×64×3) trained from scratch on
# Fashion-MNIST by `convscope train`, with its ten example images, then
# prints its test accuracy. Needs `apt-get install dataset-fashion-mnist`.
# It takes about 20 minutes on 2 idle cores (22 min when it was shipped, see
# docs/training.md); the result is the same on every run with the same code
# (fixed seed).
DEFAULT_MODEL_FLAGS = --dataset fashion-mnist --epochs 10 --batch 32 --lr 2e-3 --warmup 300 --val 0.05 --seed 1
DEFAULT_MODEL_OUT = bin/default-model

.PHONY: default-model
default-model:
	rm -rf $(DEFAULT_MODEL_OUT)
	go run ./cmd/convscope train $(DEFAULT_MODEL_FLAGS) --out $(DEFAULT_MODEL_OUT)
	rm -rf internal/zoo/defaultmodel/examples
	mkdir -p internal/zoo/defaultmodel/examples
	cp $(DEFAULT_MODEL_OUT)/model.json $(DEFAULT_MODEL_OUT)/group1-shard1of1.bin internal/zoo/defaultmodel/
	cp $(DEFAULT_MODEL_OUT)/examples/*.png internal/zoo/defaultmodel/examples/
	cp $(DEFAULT_MODEL_OUT)/metrics.json docs/default-model-metrics.json
	cp $(DEFAULT_MODEL_OUT)/curves.svg docs/default-model-curves.svg
	go run ./cmd/convscope eval --dataset fashion-mnist

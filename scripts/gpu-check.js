/**
 * The GPU check of the SUN pipeline: on a machine with an NVIDIA GPU, segments one phantom on the CPU (float32, the
 * reference) and with ONNX Runtime's CUDA provider in float32 and in float16 (the card's fp16 variant), and prints,
 * as one JSON line each: the provider and precision each run got, seconds and Mvoxel/s, and how far its labels agree
 * with the CPU's (fraction of voxels, Dice per class). Exits 1 when CUDA did not run or float32 on CUDA agrees with
 * the CPU on fewer than 99.9 % of the voxels; fp16's agreement is reported (its Dice change goes into the card).
 *
 * Needs the CUDA provider next to onnxruntime-node (scripts/install-onnxruntime-cuda.sh) and the built library.
 *
 * Expected on a working GPU machine (figures depend on the card):
 *   {"run":"cpu fp32","provider":"cpu","precision":"fp32","seconds":...,"mvoxelPerSecond":...}
 *   {"run":"cuda fp32","provider":"cuda","precision":"fp32","seconds":...,"mvoxelPerSecond":...,"agreement":0.999..,"dicePerClass":[...]}
 *   {"run":"cuda fp16","provider":"cuda","precision":"fp16",...,"agreement":0.99..,"dicePerClass":[...]}
 *   {"ok":true}
 * Without CUDA: {"run":"cuda fp32","ok":false,"reason":"no execution provider started (cuda: ...)"} and exit 1.
 *
 * @example
 * bash scripts/install-onnxruntime-cuda.sh && npx tsc -b packages/kernel-lib
 * node scripts/gpu-check.js [--size 192] [--axes 9]
 */
const { resolve } = require('path');
const { parseArgs } = require('util');

const lib = require(resolve(__dirname, '..', 'packages', 'kernel-lib', 'lib'));

async function main() {
  const { values } = parseArgs({ options: { size: { type: 'string', default: '192' }, axes: { type: 'string', default: '9' } } });
  const size = Number(values.size);
  const axes = Number(values.axes);
  const { image } = await lib.implantPhantom({ size, seed: 1005, stage: 8 });
  let reference;
  for (const [device, precision] of [['cpu', 'fp32'], ['cuda', 'fp32'], ['cuda', 'fp16']]) {
    const run = `${device} ${precision}`;
    let model;
    try {
      model = await lib.SegmentationModel.load('sun-implant', { device, precision });
    } catch (error) {
      // device 'cuda' never falls back: a typed error says why it did not start.
      console.log(JSON.stringify({ run, ok: false, reason: error.reason ?? error.message }));
      process.exitCode = 1;
      return;
    }
    await lib.segment(image.slab(0, Math.min(size, 16)), { model, axes: 1, progress: false }); // warm-up: the first calls plan the session
    const result = await lib.segment(image, { model, axes, progress: false });
    const s = result.stats;
    const line = { run, provider: model.provider, precision: model.precision, threads: s.threads, shape: s.shape, axes, seconds: +s.seconds.toFixed(2), inferenceSeconds: +s.inferenceSeconds.toFixed(2), mvoxelPerSecond: +(s.voxelsPerSecond / 1e6).toFixed(3) };
    if (!reference) {
      reference = result.labels;
    } else {
      let same = 0;
      for (let p = 0; p < image.size; p++) same += reference.data[p] === result.labels.data[p] ? 1 : 0;
      const metrics = lib.segmentationMetrics(result.labels, reference, { surface: false });
      line.agreement = +(same / image.size).toFixed(6);
      line.dicePerClass = metrics.classes.map(c => +c.dice.toFixed(5));
      if (precision === 'fp32' && line.agreement < 0.999) process.exitCode = 1;
    }
    console.log(JSON.stringify(line));
  }
  console.log(JSON.stringify({ ok: !process.exitCode }));
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});

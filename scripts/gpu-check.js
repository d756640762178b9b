/**
 * The GPU check of the SUN pipeline: on a machine with an NVIDIA GPU, segments one phantom on the CPU and with ONNX
 * Runtime's CUDA provider and prints, as one JSON line each: the provider each run got (and why CUDA was skipped, if
 * it was), seconds and Mvoxel/s, and how far the GPU labels agree with the CPU labels (fraction of voxels, Dice per
 * class). Exits 1 when CUDA did not run or the labels agree on fewer than 99.9 % of the voxels.
 *
 * Needs the CUDA provider next to onnxruntime-node (scripts/install-onnxruntime-cuda.sh) and the built library.
 *
 * Expected on a working GPU machine (figures depend on the card):
 *   {"run":"cpu","provider":"cpu","seconds":...,"mvoxelPerSecond":...}
 *   {"run":"cuda","provider":"cuda","seconds":...,"mvoxelPerSecond":...}     (many times the CPU's)
 *   {"agreement":0.999..,"dicePerClass":[1,0.99..,0.99..,0.99..],"ok":true}
 * Without CUDA: {"run":"cuda","ok":false,"reason":"no execution provider started (cuda: ...)"} and exit 1.
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
  const labels = {};
  for (const device of ['cpu', 'cuda']) {
    let model;
    try {
      model = await lib.SegmentationModel.load('sun-implant', { device });
    } catch (error) {
      // device 'cuda' never falls back: a typed error says why it did not start.
      console.log(JSON.stringify({ run: device, ok: false, reason: error.reason ?? error.message }));
      process.exitCode = 1;
      return;
    }
    await lib.segment(image.slab(0, Math.min(size, 16)), { model, axes: 1, progress: false }); // warm-up: the first calls plan the session
    const result = await lib.segment(image, { model, axes, progress: false });
    labels[device] = result.labels;
    const s = result.stats;
    console.log(JSON.stringify({ run: device, provider: model.provider, skipped: model.skipped, threads: s.threads, shape: s.shape, axes, seconds: +s.seconds.toFixed(2), inferenceSeconds: +s.inferenceSeconds.toFixed(2), mvoxelPerSecond: +(s.voxelsPerSecond / 1e6).toFixed(3) }));
  }
  let same = 0;
  for (let p = 0; p < image.size; p++) same += labels.cpu.data[p] === labels.cuda.data[p] ? 1 : 0;
  const metrics = lib.segmentationMetrics(labels.cuda, labels.cpu, { surface: false });
  const agreement = same / image.size;
  const ok = agreement >= 0.999;
  console.log(JSON.stringify({ agreement: +agreement.toFixed(6), dicePerClass: metrics.classes.map(c => +c.dice.toFixed(5)), ok }));
  if (!ok) process.exitCode = 1;
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});

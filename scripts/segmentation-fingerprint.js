/**
 * Fingerprints what the SUN pipeline produces, so that a refactoring can show it changed nothing: segments two
 * held-out phantoms (seeds 1001 and 1002, 80³; held-out seeds are >= 1000) with 9 axes soft and hard and 3 axes soft,
 * and prints a SHA-256 prefix of the labels and of the confidence plus fused probabilities of each run.
 * Run it with the built library of two commits and compare the lines.
 *
 * @example
 * node scripts/segmentation-fingerprint.js packages/kernel-lib/lib
 * git worktree add /tmp/before <commit> && (cd /tmp/before && ln -s "$PWD/../main/node_modules" . && npx tsc -b packages/kernel-lib)
 * node scripts/segmentation-fingerprint.js /tmp/before/packages/kernel-lib/lib
 */
const { createHash } = require('crypto');
const { resolve } = require('path');

const lib = require(resolve(process.argv[2] ?? 'packages/kernel-lib/lib'));
const RUNS = [[9, 'soft'], [9, 'hard'], [3, 'soft']];

async function main() {
  for (const seed of [1001, 1002]) {
    const phantom = await lib.implantPhantom({ size: 80, seed });
    for (const [axes, voting] of RUNS) {
      const result = await lib.segment(phantom.image, { axes, voting, threads: 1, outputs: { confidence: true, probabilities: true } });
      const maps = createHash('sha256').update(result.confidence.data);
      for (const probability of result.probabilities) maps.update(probability.data);
      const labels = createHash('sha256').update(result.labels.data).digest('hex').slice(0, 16);
      console.log(`seed ${seed} axes ${axes} ${voting}: labels ${labels} confidence+probabilities ${maps.digest('hex').slice(0, 16)}`);
    }
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});

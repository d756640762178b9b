/**
 * The held-out plan of a model card: the phantoms its training kept aside (seeds >= 1000), read from
 * `training.data.heldout.phantoms`, whose names the training recipe writes (models/train/phantoms.py,
 * `phantom_name`: s<seed>_<family>_n<size>_w<weeks>_<material>_f<flux>_r<rings>_p<phase>_<window>).
 * Benchmarks evaluate on exactly this plan, so that their figures and the card's speak of the same set.
 *
 * @example
 * for (const p of heldOutPlan(model.card)) { const { image, labels } = await heldOutPhantom(p); ... }
 */
import { ModelCardError } from '../errors';
import type { ModelCard } from '../models';
import { implantPhantom, QIM3D_BONE_PATH, readBoneTiff, realBonePhantom, type ImplantMaterial, type Phantom, type RampWindow } from '../phantom';

/** One held-out phantom of the card's plan. */
export interface HeldOutPhantom {
  name: string;
  seed: number;
  family: 'synthetic' | 'real-bone';
  size: number;
  stage: number;
  material: ImplantMaterial;
  flux: number;
  rings: number;
  phase: number;
  window: RampWindow;
}

const NAME = /^s(\d+)_(synthetic|real-bone)_n(\d+)_w([\d.]+)_(Mg-\d+Gd)_f(\d+)_r([\d.]+)_p([\d.]+)_([a-z-]+)$/;

/** The card's held-out phantoms; throws ModelCardError when the card has no plan or a name does not parse. */
export function heldOutPlan(card: ModelCard, path = `${card.name}/model.json`): HeldOutPhantom[] {
  const names = (card.raw as any)?.training?.data?.heldout?.phantoms;
  if (!Array.isArray(names) || names.length === 0) throw new ModelCardError(path, 'training.data.heldout.phantoms', 'lists no held-out phantoms to evaluate on');
  return names.map((name: unknown) => {
    const m = typeof name === 'string' ? NAME.exec(name) : null;
    if (!m) throw new ModelCardError(path, 'training.data.heldout.phantoms', `${JSON.stringify(name)} is not a phantom name of the training recipe`);
    return {
      name: name as string,
      seed: Number(m[1]),
      family: m[2] as HeldOutPhantom['family'],
      size: Number(m[3]),
      stage: Number(m[4]),
      material: m[5] as ImplantMaterial,
      flux: Number(m[6]),
      rings: Number(m[7]),
      phase: Number(m[8]),
      window: m[9] as RampWindow
    };
  });
}

/** Makes a held-out phantom as the training recipe does (`mdlma phantom` with the same options). */
export async function heldOutPhantom(p: HeldOutPhantom): Promise<Phantom> {
  const options = { seed: p.seed, stage: p.stage, material: p.material, flux: p.flux, ringArtifacts: p.rings, phaseContrast: p.phase, window: p.window };
  return p.family === 'real-bone' ? realBonePhantom({ ...options, bone: readBoneTiff(QIM3D_BONE_PATH) }) : implantPhantom({ ...options, size: p.size });
}

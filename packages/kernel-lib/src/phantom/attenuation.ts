/**
 * Linear attenuation coefficients (1/cm) of the phantom's materials at ~38 keV, the photon
 * energy of the PETRA III P05 SRµCT scans of Mg-xGd screws (Baltruschat et al., Sci Rep
 * 11:24237, 2021).
 *
 * Mass attenuation coefficients are from the NIST XCOM / X-ray mass attenuation tables,
 * interpolated log-log between the tabulated 30 and 40 keV values; element mixtures use
 * mass-weighted sums. They are good to ~10 %, which is all a phantom needs: what matters
 * is the order RM > DL ~ bone > tissue and the DL's overlap with both neighbours.
 *
 * @example
 * const mu = materialAttenuation('Mg-10Gd');   // { residual: 2.62, degradationDense: 2.6, ... }
 */

/** Implant materials the phantom knows: the degrading Mg-Gd alloys and the non-degrading controls. */
export type ImplantMaterial = 'Mg-5Gd' | 'Mg-10Gd' | 'Ti' | 'PEEK';

/** All implant materials. */
export const IMPLANT_MATERIALS: readonly ImplantMaterial[] = ['Mg-5Gd', 'Mg-10Gd', 'Ti', 'PEEK'];

/** Attenuation (1/cm at 38 keV) of every material in a phantom. */
export interface MaterialAttenuation {
  /** Air around the sample. */
  air: number;
  /** Embedding resin (PMMA/epoxy) and soft tissue, fibrous tissue in gaps. */
  tissue: number;
  /** Bone marrow. */
  marrow: number;
  /** Mineralised bone (mean; the anatomy varies it by about ±10 %). */
  bone: number;
  /** The undegraded implant (residual material, RM). */
  residual: number;
  /** Fully dense degradation products with the implant's Gd retained (the DL is porous: 35-100 % of this). */
  degradationDense: number;
}

/** Mass attenuation coefficients (cm²/g) at 38 keV used below. */
export const MASS_ATTENUATION_38KEV = {
  // Mg: NIST 30 keV ~0.96, 40 keV ~0.46 (photoelectric scaled from Al by Z^4/A).
  Mg: 0.54,
  // Gd: below its K edge (50.24 keV), so L-shell absorption only; scaled from the
  // tabulated neighbours (W, Ba) by Z^4/A and E^-2.8.
  Gd: 9.0,
  // ICRU-44 cortical bone: NIST 30 keV 1.331, 40 keV 0.6655.
  boneCortical: 0.753,
  // Water: NIST 30 keV 0.3756, 40 keV 0.2683.
  water: 0.285,
  // Mg(OH)2 (41.7 % Mg, 54.9 % O, 3.5 % H by mass; O 0.255 cm²/g at 38 keV).
  brucite: 0.386,
  // Ti: NIST 30 keV ~4.97, 40 keV ~2.21.
  Ti: 2.6
} as const;

/** The attenuation table for a phantom with an implant of `material`. */
export function materialAttenuation(material: ImplantMaterial): MaterialAttenuation {
  const m = MASS_ATTENUATION_38KEV;
  const common = {
    air: 0,
    // Soft tissue (1.06 g/cm³) and PMMA (1.19 g/cm³, ~0.245 cm²/g) both come out at ~0.29-0.30.
    tissue: m.water * 1.05,
    marrow: m.water * 0.98,
    // Cortical bone, 1.92 g/cm³ (ICRU-44); rat bone tissue is slightly more mineralised.
    bone: m.boneCortical * 1.95
  };
  switch (material) {
    case 'Mg-5Gd':
    case 'Mg-10Gd': {
      const gd = material === 'Mg-5Gd' ? 0.05 : 0.1;
      // Alloy density from volume-additive mixing of Mg (1.74 g/cm³) and Gd (7.90 g/cm³).
      const density = 1 / ((1 - gd) / 1.74 + gd / 7.9);
      const residual = density * ((1 - gd) * m.Mg + gd * m.Gd);
      // Degradation products: Mg(OH)2 (2.37 g/cm³) with carbonates/phosphates, which keep
      // the alloy's Gd in place (Gd is enriched in the DL): brucite + the Gd mass per cm³ of alloy.
      const degradationDense = 2.37 * m.brucite + density * gd * m.Gd;
      return { ...common, residual, degradationDense };
    }
    case 'Ti':
      return { ...common, residual: 4.51 * m.Ti, degradationDense: 4.51 * m.Ti };
    case 'PEEK':
      // PEEK, 1.32 g/cm³, about water-like per gram at this energy.
      return { ...common, residual: 1.32 * m.water * 0.85, degradationDense: 1.32 * m.water * 0.85 };
  }
}

/** Whether a material degrades in the body (Mg alloys) or is a permanent control (Ti, PEEK). */
export function isDegradable(material: ImplantMaterial): boolean {
  return material === 'Mg-5Gd' || material === 'Mg-10Gd';
}

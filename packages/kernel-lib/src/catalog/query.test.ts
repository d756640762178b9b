import { CatalogRequestError } from '../errors';
import { checkFullqueryWhere, datasetWhere, fullqueryFields, matchesFullqueryExtras, needsFullquery } from './query';
import type { DatasetV3 } from './types';

describe('a search as SciCat queries', () => {
  it('structured conditions become one v4 where', () => {
    expect(datasetWhere({ beamline: 'P05', material: 'Mg-10Gd', healingWeeks: 8, from: '2024-01-01' })).toEqual({
      $and: [
        { creationLocation: { $regex: 'P05$', $options: 'i' } },
        { 'scientificMetadata.material': 'Mg-10Gd' },
        { 'scientificMetadata.healingTime.value': 8 },
        { creationTime: { $gte: '2024-01-01' } }
      ]
    });
    expect(datasetWhere({ type: 'derived' })).toEqual({ type: 'derived' });
    expect(datasetWhere({})).toEqual({});
    expect(datasetWhere({ beamline: 'P0.5' })).toEqual({ creationLocation: { $regex: 'P0\\.5$', $options: 'i' } });
  });

  it('free text or scientific conditions need fullquery, with the rest as its fields', () => {
    expect(needsFullquery({ beamline: 'P05' })).toBe(false);
    expect(needsFullquery({ text: 'rat' })).toBe(true);
    expect(fullqueryFields({ text: 'rat', type: 'raw', ownerGroup: 'p05-1', healingWeeks: 4, material: 'Ti' })).toEqual({
      text: 'rat',
      type: ['raw'],
      ownerGroup: ['p05-1'],
      scientific: [
        { lhs: 'healingTime', relation: 'EQUAL_TO_NUMERIC', rhs: 4 },
        { lhs: 'material', relation: 'EQUAL_TO_STRING', rhs: 'Ti' }
      ]
    });
  });

  it('checks on fullquery answers what fullquery cannot ask, and refuses operators it cannot check', () => {
    const d = { creationLocation: '/DESY/PETRA III/P05', sampleId: 'R911', ownerGroup: 'g' } as DatasetV3;
    expect(matchesFullqueryExtras(d, { beamline: 'p05', sample: 'R911', where: { ownerGroup: 'g' } })).toBe(true);
    expect(matchesFullqueryExtras(d, { beamline: 'P07' })).toBe(false);
    expect(() => checkFullqueryWhere('http://x', { size: { $gt: 1 } })).toThrow(CatalogRequestError);
    expect(() => checkFullqueryWhere('http://x', { ownerGroup: 'g' })).not.toThrow();
  });
});

import { Widget } from '@lumino/widgets';
import { DEFAULT_CLASSES } from '@mdlma/kernel/protocol';

import { labelColormap, uncertaintyColormap } from './colormaps';
import { LayerControls, renderLegend } from './layer-controls';
import { formatReadout, fullVoxel, positionUm, shownVoxel } from './readout';
import { VolumeViewer } from './volume-viewer';

describe('viewer colour tables', () => {
  it('gives each class its project colour and keeps background transparent', () => {
    const table = labelColormap(DEFAULT_CLASSES);
    expect(table.I).toEqual([0, 1, 2, 3]);
    expect([table.R[2], table.G[2], table.B[2]]).toEqual([0xd9, 0x53, 0x4f]);
    expect(table.A[0]).toBe(0);
    expect(table.labels?.[3]).toBe('residual material (RM)');
  });

  it('makes certain voxels transparent and unsure ones opaque', () => {
    const map = uncertaintyColormap();
    expect(map.A[0]).toBe(255);
    expect(map.A[map.A.length - 1]).toBe(0);
  });
});

describe('readout', () => {
  const geometry = { shape: [64, 64, 64] as [number, number, number], spacing: [2.4, 2.4, 2.4] as [number, number, number], origin: [0, 10, 20] as [number, number, number] };

  it('maps binned voxels to full-resolution block centres and back', () => {
    expect(fullVoxel([10, 4, 7], 1)).toEqual([10, 4, 7]);
    expect(fullVoxel([10, 4, 7], 2)).toEqual([20, 8, 14]);
    expect(fullVoxel([10, 4, 7], 3)).toEqual([31, 13, 22]);
    expect(fullVoxel([40, 40, 40], 2, geometry.shape)).toEqual([63, 63, 63]);
    expect(shownVoxel([31, 13, 22], 3)).toEqual([10, 4, 7]);
  });

  it('places voxels of a full-resolution box at its offset in the full volume', () => {
    expect(fullVoxel([0, 5, 31], 1, geometry.shape, [16, 16, 32])).toEqual([16, 21, 63]);
    expect(shownVoxel([16, 21, 63], 1, [16, 16, 32])).toEqual([0, 5, 31]);
    expect(fullVoxel([40, 0, 0], 1, geometry.shape, [32, 0, 0])).toEqual([63, 0, 0]);
  });

  it('writes position in µm and values by kind', () => {
    const voxel: [number, number, number] = [1, 2, 3];
    const text = formatReadout(
      { voxel, um: positionUm(voxel, geometry), values: [
        { name: 'image', kind: 'image', value: 1234 },
        { name: 'labels', kind: 'labels', value: 2 },
        { name: 'confidence', kind: 'confidence', value: 0.87654 }
      ] },
      { 2: 'DL' }
    );
    expect(text).toBe('voxel z=1 y=2 x=3 · (2.4, 14.8, 27.2) µm · image: 1234 · labels: 2 DL · confidence: 0.877');
  });
});

describe('LayerControls', () => {
  it('reports toggles, opacity and layout changes', () => {
    const calls: unknown[] = [];
    const controls = new LayerControls({
      onLayer: (name, settings) => calls.push([name, settings]),
      onLayout: layout => calls.push(layout),
      onScreenshot: () => calls.push('png')
    });
    document.body.append(controls.node);
    controls.setLayers([{ name: 'labels', kind: 'labels', colormap: 'x', opacity: 0.5, visible: true, range: [0, 3], factor: 1 }]);
    const toggle = controls.node.querySelector<HTMLInputElement>('[data-layer="labels"] input[type=checkbox]')!;
    toggle.click();
    const slider = controls.node.querySelector<HTMLInputElement>('input[type=range]')!;
    slider.value = '0.25';
    slider.dispatchEvent(new Event('input'));
    const select = controls.node.querySelector('select')!;
    select.value = 'render';
    select.dispatchEvent(new Event('change'));
    controls.node.querySelector('button')!.click();
    expect(calls).toEqual([['labels', { visible: false }], ['labels', { opacity: 0.25 }], 'render', 'png']);
    controls.node.remove();
  });

  it('draws a legend only when there are labels', () => {
    const node = document.createElement('div');
    renderLegend(node, DEFAULT_CLASSES, true);
    expect(node.textContent).toContain('2 degradation layer (DL)');
    renderLegend(node, DEFAULT_CLASSES, false);
    expect(node.childElementCount).toBe(0);
  });
});

describe('VolumeViewer without WebGL', () => {
  it('says why there is no interactive view, and disposes cleanly', async () => {
    const viewer = new VolumeViewer({ geometry: { shape: [4, 4, 4], spacing: [1, 1, 1], origin: [0, 0, 0] } });
    Widget.attach(viewer, document.body);
    await expect(viewer.ready).rejects.toBeDefined();
    const note = viewer.node.querySelector<HTMLElement>('.mdlma-VolumeViewer-note')!;
    expect(note.hidden).toBe(false);
    expect(note.textContent).toMatch(/No interactive view/);
    expect(VolumeViewer.liveContexts).toBe(0);
    viewer.dispose();
    expect(viewer.isDisposed).toBe(true);
    expect(document.body.contains(viewer.node)).toBe(false);
  });
});

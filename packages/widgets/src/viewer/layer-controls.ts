/**
 * The viewer's toolbar: layout switch, one toggle and opacity slider per layer, a screenshot
 * button; and the legend of label classes. Plain DOM: it reports user input through callbacks
 * and knows nothing of niivue.
 *
 * @example
 * const controls = new LayerControls({ onLayer: (name, s) => stage.setLayer(name, s), onLayout, onScreenshot });
 * toolbar.append(controls.node);
 * controls.setLayers(stage.layers);
 */
import type { LabelClass, LayerSettings, ViewerLayout } from '@mdlma/kernel/protocol';

import type { ViewerLayer } from './types';

/** Toolbar of the volume viewer. */
export class LayerControls {
  constructor(private readonly _options: LayerControls.IOptions) {
    this.node = document.createElement('div');
    this.node.className = 'mdlma-VolumeViewer-toolbar';
    this._layout = document.createElement('select');
    this._layout.className = 'mdlma-VolumeViewer-layout';
    this._layout.title = 'Layout';
    for (const [value, text] of Private.LAYOUTS) this._layout.append(new Option(text, value));
    this._layout.addEventListener('change', () => _options.onLayout(this._layout.value as ViewerLayout));
    this._layers = document.createElement('span');
    this._layers.className = 'mdlma-VolumeViewer-layers';
    const shot = document.createElement('button');
    shot.className = 'mdlma-VolumeViewer-screenshot';
    shot.textContent = 'PNG';
    shot.title = 'Save the current view as PNG';
    shot.addEventListener('click', () => _options.onScreenshot());
    this.node.append(this._layout, this._layers, shot);
  }

  /** The toolbar element. */
  readonly node: HTMLDivElement;

  /** Show the current layout. */
  setLayout(layout: ViewerLayout): void {
    this._layout.value = layout;
  }

  /** One control group per layer. */
  setLayers(layers: ReadonlyArray<Omit<ViewerLayer, 'bytes'>>): void {
    this._layers.replaceChildren(...layers.map(layer => this._layerControl(layer)));
  }

  private _layerControl(layer: Omit<ViewerLayer, 'bytes'>): HTMLElement {
    const group = document.createElement('label');
    group.className = 'mdlma-VolumeViewer-layer';
    group.dataset.layer = layer.name;
    const visible = document.createElement('input');
    visible.type = 'checkbox';
    visible.checked = layer.visible;
    visible.title = `Show ${layer.name}`;
    visible.addEventListener('change', () => this._options.onLayer(layer.name, { visible: visible.checked }));
    const opacity = document.createElement('input');
    opacity.type = 'range';
    opacity.min = '0';
    opacity.max = '1';
    opacity.step = '0.05';
    opacity.value = String(layer.opacity);
    opacity.title = `Opacity of ${layer.name}`;
    opacity.addEventListener('input', () => this._options.onLayer(layer.name, { opacity: Number(opacity.value) }));
    group.append(visible, document.createTextNode(` ${layer.name} `), opacity);
    return group;
  }

  private readonly _layout: HTMLSelectElement;
  private readonly _layers: HTMLSpanElement;
}

export namespace LayerControls {
  /** Callbacks of the toolbar. */
  export interface IOptions {
    onLayer: (name: string, settings: LayerSettings) => void;
    onLayout: (layout: ViewerLayout) => void;
    onScreenshot: () => void;
  }
}

/** The legend of label classes (colour swatch and name), empty without label layers. */
export function renderLegend(node: HTMLElement, classes: Record<number, LabelClass>, show: boolean): void {
  node.replaceChildren();
  if (!show) return;
  for (const [value, cls] of Object.entries(classes)) {
    const item = document.createElement('span');
    item.className = 'mdlma-VolumeViewer-legendItem';
    const swatch = document.createElement('i');
    swatch.style.background = cls.color;
    item.append(swatch, document.createTextNode(`${value} ${cls.name}`));
    node.append(item);
  }
}

namespace Private {
  export const LAYOUTS: Array<[ViewerLayout, string]> = [
    ['multiplanar', 'Planes + 3D'],
    ['planes', 'Planes'],
    ['axial', 'Axial'],
    ['coronal', 'Coronal'],
    ['sagittal', 'Sagittal'],
    ['render', '3D']
  ];
}

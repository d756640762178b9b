/**
 * The annotation panel's controls as React components, rendered by the panel (a `ReactWidget`, annotation-panel.tsx)
 * from its state: the toolbar, the label palette, the queue of suggested slices, the slice navigation with the overlay
 * sliders, the summary and the status line. The slice canvas is not React's: the canvas area is an empty element that
 * the panel's slice stage fills (`mountStage`, a ref callback). Parts keep a `data-part` name (tests and styles find
 * them by it).
 *
 * @example
 * <PanelView state={state} actions={actions} mountStage={area => area && stage.mount(area)} />
 */
import { sliceKey, type OrthogonalAxis, type Suggestion } from '@mdlma/kernel/protocol';
import * as React from 'react';

import { BRUSH_SIZES } from './brush';
import { colorOf } from './slice-image';

/** The brush, the eraser or the fill tool. */
export type AnnotationTool = 'brush' | 'eraser' | 'fill';

/** What the panel's controls do (the panel's methods). */
export interface PanelControlActions {
  setTool(tool: AnnotationTool): void;
  setLabel(label: number): void;
  setBrushSize(size: number): void;
  undo(): void;
  redo(): void;
  acceptPrediction(): void;
  toggleDone(): void;
  updateModel(): void;
  exportLabels(): void;
  goTo(axis: OrthogonalAxis, slice: number): void;
  /** The next (+1) or previous (-1) slice along the current axis. */
  stepSlice(step: number): void;
  setOpacity(overlay: 'prediction' | 'confidence', opacity: number): void;
}

/** The panel's state, as its controls show it. */
export interface PanelViewState {
  tool: AnnotationTool;
  label: number;
  brushSize: number;
  canUndo: boolean;
  canRedo: boolean;
  /** Whether the current slice is marked done. */
  done: boolean;
  axis: OrthogonalAxis;
  slice: number;
  /** Slices along the axis (undefined before the kernel's hello). */
  sliceCount?: number;
  /** Class names, label 0 first (the palette). */
  classes: readonly string[];
  predictionOpacity: number;
  confidenceOpacity: number;
  queue: readonly Suggestion[];
  /** Annotated pixels per slice key (`axis:slice`); undefined before the kernel's hello. */
  counts?: ReadonlyMap<string, number>;
  /** Slices marked done, in all. */
  doneCount: number;
  isDone(axis: OrthogonalAxis, slice: number): boolean;
  status: { text: string; kind: string };
}

/** The panel's controls around the canvas area. */
export function PanelView(props: PanelView.IProps): React.ReactElement {
  const { state, actions } = props;
  return (
    <>
      <PanelToolbar state={state} actions={actions} />
      <LabelPalette classes={state.classes} label={state.label} onSelect={label => actions.setLabel(label)} />
      <div className="mdlma-AnnotationPanel-body">
        <SuggestionQueue state={state} onSelect={(axis, slice) => actions.goTo(axis, slice)} />
        <div className="mdlma-AnnotationPanel-stage">
          <SliceNav state={state} actions={actions} />
          <div data-part="canvas-area" className="mdlma-AnnotationPanel-canvas-area" ref={props.mountStage} />
        </div>
      </div>
      <div data-part="summary" className="mdlma-AnnotationPanel-summary">
        {state.counts ? Private.summary(state.counts, state.doneCount) : ''}
      </div>
      <div data-part="status" className="mdlma-AnnotationPanel-status" data-kind={state.status.kind}>
        {state.status.text}
      </div>
    </>
  );
}

export namespace PanelView {
  /** The panel's state and actions, and where the slice stage goes. */
  export interface IProps {
    state: PanelViewState;
    actions: PanelControlActions;
    /** Called with the canvas area when it enters the page (null when it leaves): the stage mounts itself there. */
    mountStage: (area: HTMLDivElement | null) => void;
  }
}

/** Tools, brush size, undo and redo, the slice's actions and the model's. */
function PanelToolbar(props: { state: PanelViewState; actions: PanelControlActions }): React.ReactElement {
  const { state, actions } = props;
  const tool = (name: AnnotationTool, text: string, title: string) => (
    <button data-part={name} title={title} className={Private.active(state.tool === name)} onClick={() => actions.setTool(name)}>
      {text}
    </button>
  );
  return (
    <div className="mdlma-AnnotationPanel-toolbar">
      {tool('brush', 'Brush', 'Brush (B)')}
      {tool('eraser', 'Eraser', 'Eraser (E)')}
      {tool('fill', 'Fill', 'Fill: click a region of this slice to fill it with the label (F)')}
      <label title="Brush size ([ and ])">
        Size{' '}
        <input
          data-part="size"
          type="range"
          min={BRUSH_SIZES.min}
          max={BRUSH_SIZES.max}
          step={1}
          value={state.brushSize}
          onChange={e => actions.setBrushSize(Number(e.currentTarget.value))}
        />
        <span data-part="size-value">{state.brushSize} px</span>
      </label>
      <button data-part="undo" title="Undo (Ctrl+Z)" disabled={!state.canUndo} onClick={() => actions.undo()}>
        Undo
      </button>
      <button data-part="redo" title="Redo (Ctrl+Shift+Z, Ctrl+Y)" disabled={!state.canRedo} onClick={() => actions.redo()}>
        Redo
      </button>
      <button data-part="accept" title="Accept the prediction for this slice, then correct it (A)" onClick={() => actions.acceptPrediction()}>
        Accept prediction
      </button>
      <button data-part="done" title="Mark this slice done (D)" className={Private.active(state.done)} onClick={() => actions.toggleDone()}>
        {state.done ? 'Done ✓' : 'Mark done'}
      </button>
      <button data-part="update" title="Train the fast head on the annotations and re-predict" onClick={() => actions.updateModel()}>
        Update model
      </button>
      <button
        data-part="export"
        title="Write the annotations as a NIfTI label volume (uint8, 255 = unlabelled) beside the notebook"
        onClick={() => actions.exportLabels()}
      >
        Export NIfTI
      </button>
    </div>
  );
}

/** One button per class: its colour swatch, its name, its key. */
function LabelPalette(props: { classes: readonly string[]; label: number; onSelect: (label: number) => void }): React.ReactElement {
  return (
    <div data-part="palette" className="mdlma-AnnotationPanel-palette">
      {props.classes.map((name, label) => (
        <button key={label} data-label={label} title={`${name} (key ${label})`} className={Private.active(label === props.label)} onClick={() => props.onSelect(label)}>
          <span className="mdlma-AnnotationPanel-swatch" style={{ background: colorOf(label) }} /> {name}
        </button>
      ))}
    </div>
  );
}

/** The suggested slices: rank, slice, score, and annotated pixels or done. */
function SuggestionQueue(props: { state: PanelViewState; onSelect: (axis: OrthogonalAxis, slice: number) => void }): React.ReactElement {
  const { state } = props;
  return (
    <ol data-part="queue" className="mdlma-AnnotationPanel-queue" title="Suggested slices (N / P)">
      {state.queue.map(s => {
        const voxels = state.counts?.get(sliceKey(s.axis, s.index)) ?? 0;
        const done = state.isDone(s.axis, s.index);
        const current = s.axis === state.axis && s.index === state.slice;
        return (
          <li
            key={sliceKey(s.axis, s.index)}
            data-axis={s.axis}
            data-slice={s.index}
            data-done={String(done)}
            data-voxels={voxels}
            className={current ? 'mdlma-mod-current' : undefined}
            title={s.reason}
            onClick={() => props.onSelect(s.axis, s.index)}
          >
            <span className="mdlma-AnnotationPanel-slice">{`${s.rank}. ${s.axis} ${s.index}`}</span>
            <span className="mdlma-AnnotationPanel-score">{s.score.toFixed(3)}</span>
            <span className="mdlma-AnnotationPanel-badge">{done ? '✓ done' : voxels ? `${voxels} px` : ''}</span>
          </li>
        );
      })}
    </ol>
  );
}

/** Previous and next slice, the position along the axis, and the overlays' opacity. */
function SliceNav(props: { state: PanelViewState; actions: PanelControlActions }): React.ReactElement {
  const { state, actions } = props;
  const opacity = (overlay: 'prediction' | 'confidence', value: number) => (
    <input
      data-part={`${overlay}-opacity`}
      type="range"
      min={0}
      max={1}
      step={0.05}
      value={value}
      onChange={e => actions.setOpacity(overlay, Number(e.currentTarget.value))}
    />
  );
  return (
    <div className="mdlma-AnnotationPanel-nav">
      <button data-part="prev-slice" title="Previous slice (Down)" onClick={() => actions.stepSlice(-1)}>
        ‹
      </button>
      <span data-part="slice">{state.sliceCount !== undefined ? `${state.axis} = ${state.slice} / ${state.sliceCount - 1}` : ''}</span>
      <button data-part="next-slice" title="Next slice (Up)" onClick={() => actions.stepSlice(1)}>
        ›
      </button>
      <label>Prediction {opacity('prediction', state.predictionOpacity)}</label>
      <label>Uncertainty {opacity('confidence', state.confidenceOpacity)}</label>
    </div>
  );
}

namespace Private {
  /** The class of a button that shows the current choice. */
  export function active(on: boolean): string | undefined {
    return on ? 'mdlma-mod-active' : undefined;
  }

  /** The summary line: annotated voxels and slices, slices done. */
  export function summary(counts: ReadonlyMap<string, number>, doneCount: number): string {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    return `${total} voxels annotated on ${counts.size} slice${counts.size === 1 ? '' : 's'}, ${doneCount} marked done`;
  }
}

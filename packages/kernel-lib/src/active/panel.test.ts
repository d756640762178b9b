import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { setDisplaySink, type MimeBundle } from '../display';
import { ActiveLearningError } from '../errors';
import { ANNOTATION_PANEL_MIME } from '../protocol';
import { AnnotationStore } from './annotations';
import { annotationSession } from './comm';
import { openAnnotationPanel } from './panel';

describe('openAnnotationPanel', () => {
  let dir: string;
  let shown: MimeBundle[];
  let restore: ReturnType<typeof setDisplaySink>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mdlma-panel-'));
    shown = [];
    restore = setDisplaySink(bundle => shown.push(bundle));
  });
  afterEach(() => {
    setDisplaySink(restore);
    rmSync(dir, { recursive: true, force: true });
  });

  const session = (name: string, store = new AnnotationStore({ shape: [4, 6, 8], classes: 3 })) => ({ name, shape: [4, 6, 8] as [number, number, number], classes: 3, store });

  it('registers the session and shows the output the labextension turns into the panel', () => {
    const s = session('panel-a');
    openAnnotationPanel(s, { file: join(dir, 'a.annot.yjs'), suggestions: 3 });
    expect(annotationSession('panel-a')).toBe(s);
    expect(shown).toHaveLength(1);
    expect(shown[0][ANNOTATION_PANEL_MIME]).toEqual({ protocol: 'mdlma.annotation/1', session: 'panel-a', shape: [4, 6, 8], classes: ['class 0', 'class 1', 'class 2'], file: join(dir, 'a.annot.yjs'), suggestions: 3 });
    expect(shown[0]['text/plain']).toMatch(/Annotation panel for "panel-a"/);
  });

  it('continues the annotations of an earlier kernel from the file, and keeps appending to it', () => {
    const file = join(dir, 'b.annot.yjs');
    const first = session('panel-b');
    openAnnotationPanel(first, { file });
    first.store.paint({ user: 'ana', axis: 'z', slice: 1, label: 2, runs: [0, 4] });
    // A new kernel: a fresh store, the same file.
    const second = session('panel-b');
    openAnnotationPanel(second, { file });
    expect(second.store.annotatedSlices()).toEqual([{ axis: 'z', index: 1, voxels: 4 }]);
    second.store.paint({ user: 'ana', axis: 'y', slice: 0, label: 1, runs: [0, 2] });
    const reread = AnnotationStore.load(file, { shape: [4, 6, 8], classes: 3 });
    expect(reread.annotatedSlices()).toHaveLength(2);
  });

  it('rejects a queue length that is not a positive whole number', () => {
    expect(() => openAnnotationPanel(session('panel-c'), { file: false, suggestions: 0 })).toThrow(ActiveLearningError);
  });
});

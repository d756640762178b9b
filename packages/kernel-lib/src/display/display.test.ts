import { MimeBundle, setDisplaySink } from './output';
import { plotBundle, VEGALITE_MIME } from './plot';
import { ProgressBar } from './progress';
import { tableBundle } from './table';

describe('display outside the kernel', () => {
  it('a progress bar shows one output and updates it in place to 100%', () => {
    const shown: { bundle: MimeBundle; update?: boolean; displayId?: string }[] = [];
    const previous = setDisplaySink((bundle, options) => shown.push({ bundle, ...options }));
    try {
      const bar = new ProgressBar({ total: 10, label: 'Denoising', minIntervalMs: 0 });
      for (let i = 0; i < 10; i++) bar.tick();
      bar.done();
    } finally {
      setDisplaySink(previous);
    }
    expect(shown[0].update).toBeFalsy();
    expect(new Set(shown.map(s => s.displayId)).size).toBe(1);
    const last = shown[shown.length - 1].bundle['text/plain'] as string;
    expect(last).toMatch(/^Denoising \[#{20}\] 100% 10\/10/);
    expect(last).toMatch(/done in/);
  });

  it('a table escapes HTML from data and aligns its text form', () => {
    const bundle = tableBundle([{ name: '<img src=x onerror=alert(1)>', dice: 0.912345 }], { caption: 'Dice' });
    expect(bundle['text/html']).not.toContain('<img');
    expect(bundle['text/html']).toContain('&#60;img');
    expect(bundle['text/plain']).toContain('0.9123');
  });

  it('a plot carries Vega-Lite and an SVG rendering of it', async () => {
    const bundle = await plotBundle({
      title: 'Dice per round',
      data: { values: [{ round: 1, dice: 0.5 }, { round: 2, dice: 0.8 }] },
      mark: 'line',
      encoding: { x: { field: 'round', type: 'quantitative' }, y: { field: 'dice', type: 'quantitative' } }
    });
    expect((bundle[VEGALITE_MIME] as any).mark).toBe('line');
    const svg = bundle['image/svg+xml'] as string;
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Dice per round');
    expect(svg).toMatch(/<path[^>]+d="M/); // the line itself
  });
});

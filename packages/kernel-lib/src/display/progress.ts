/**
 * Progress bars that update in place (one output, updated through its display id), with
 * rate and time left; what the last update says stays in a saved or exported notebook.
 *
 * @example
 * const bar = progressBar({ total: slices.length, label: 'Segmenting' });
 * for (const s of slices) { await predict(s); bar.tick(); }
 * bar.done();
 */
import { escapeHtml, newDisplayId, publishDisplay } from './output';

/** A progress bar in a notebook output. */
export class ProgressBar {
  constructor(options: progressBar.IOptions = {}) {
    this.total = options.total ?? 0;
    this.label = options.label ?? '';
    this._minIntervalMs = options.minIntervalMs ?? 100;
    publishDisplay(this._bundle(), { displayId: this.displayId });
  }

  /** The display id of the output this bar updates. */
  readonly displayId = newDisplayId();
  /** Steps to do. */
  readonly total: number;
  /** What is being done. */
  readonly label: string;

  /** Steps done so far. */
  get value(): number {
    return this._value;
  }

  /** Set the number of steps done. */
  update(value: number, note?: string): void {
    this._value = value;
    if (note !== undefined) {
      this._note = note;
    }
    const now = Date.now();
    if (now - this._lastSent >= this._minIntervalMs || (this.total > 0 && value >= this.total)) {
      this._send();
    }
  }

  /** Advance by `steps` (default 1). */
  tick(steps = 1): void {
    this.update(this._value + steps);
  }

  /** Mark finished (or failed) and send the final state. */
  done(status: 'done' | 'failed' | 'interrupted' = 'done'): void {
    this._status = status;
    if (status === 'done' && this.total > 0) {
      this._value = this.total;
    }
    this._send();
  }

  /** The text line the bar shows, e.g. "Segmenting [#####     ] 50% 5/10 2.0/s 3 s left". */
  text(): string {
    const parts = [this.label];
    if (this.total > 0) {
      const fraction = Math.min(1, this._value / this.total);
      const filled = Math.round(fraction * 20);
      parts.push(`[${'#'.repeat(filled)}${' '.repeat(20 - filled)}]`, `${Math.round(fraction * 100)}%`);
      parts.push(`${this._value}/${this.total}`);
    } else {
      parts.push(`${this._value}`);
    }
    const seconds = (Date.now() - this._started) / 1000;
    const rate = seconds > 0 ? this._value / seconds : 0;
    if (rate > 0) {
      parts.push(`${rate.toFixed(rate < 10 ? 1 : 0)}/s`);
    }
    if (this._status !== 'running') {
      parts.push(`${this._status} in ${seconds.toFixed(1)} s`);
    } else if (rate > 0 && this.total > 0) {
      parts.push(`${Math.ceil((this.total - this._value) / rate)} s left`);
    }
    if (this._note) {
      parts.push(this._note);
    }
    return parts.filter(Boolean).join(' ');
  }

  private _bundle(): Record<string, string> {
    const max = this.total > 0 ? ` max="${this.total}" value="${this._value}"` : '';
    const state = this._status === 'running' ? '' : ` data-state="${this._status}"`;
    return {
      'text/html':
        `<div class="mdlma-progress"${state}><progress${max} style="width:40%"></progress> ` +
        `<span>${escapeHtml(this.text())}</span></div>`,
      'text/plain': this.text()
    };
  }

  private _send(): void {
    this._lastSent = Date.now();
    publishDisplay(this._bundle(), { displayId: this.displayId, update: true });
  }

  private _value = 0;
  private _note = '';
  private _status: 'running' | 'done' | 'failed' | 'interrupted' = 'running';
  private _lastSent = 0;
  private readonly _started = Date.now();
  private readonly _minIntervalMs: number;
}

/** Show a new progress bar in the calling cell. */
export function progressBar(options: progressBar.IOptions = {}): ProgressBar {
  return new ProgressBar(options);
}

/** Types of `progressBar`. */
export namespace progressBar {
  /** Options of `progressBar`. */
  export interface IOptions {
    /** Number of steps; 0 or undefined shows a count without a bar. */
    total?: number;
    /** What is being done. */
    label?: string;
    /** Minimum time between two updates sent to the frontend (ms). */
    minIntervalMs?: number;
  }
}

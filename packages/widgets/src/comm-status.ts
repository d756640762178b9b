/**
 * `CommStatus`: a small status-bar widget that says whether the notebook's kernel speaks
 * MDLMA comms, with the measured round-trip time. The labextension feeds it; it knows
 * nothing of JupyterLab.
 *
 * @example
 * const status = new CommStatus();
 * status.setState({ kind: 'ok', roundTripMs: 12 });
 */
import { Widget } from '@lumino/widgets';

/** What the widget shows. */
export type CommState =
  | { kind: 'idle' }
  | { kind: 'checking' }
  | { kind: 'ok'; roundTripMs: number }
  | { kind: 'not-mdlma'; kernelName: string }
  | { kind: 'failed'; reason: string };

/** Status-bar item for the kernel's comm channel. */
export class CommStatus extends Widget {
  constructor() {
    super();
    this.addClass('mdlma-CommStatus');
    this.setState({ kind: 'idle' });
  }

  /** The current state. */
  get state(): CommState {
    return this._state;
  }

  /** Show a new state (text, tooltip and a data-state attribute for styling and tests). */
  setState(state: CommState): void {
    this._state = state;
    const { text, title } = CommStatus.describe(state);
    this.node.textContent = text;
    this.node.title = title;
    this.node.dataset.state = state.kind;
    this.setHidden(state.kind === 'idle' || state.kind === 'not-mdlma');
  }

  /** Text and tooltip of a state. */
  static describe(state: CommState): { text: string; title: string } {
    switch (state.kind) {
      case 'idle':
        return { text: '', title: '' };
      case 'checking':
        return { text: 'MDLMA: connecting…', title: 'Opening a comm to the MDLMA kernel' };
      case 'ok':
        return {
          text: `MDLMA comms ✓ ${Math.round(state.roundTripMs)} ms`,
          title: 'The kernel answered an echo over a Jupyter comm (round-trip time shown)'
        };
      case 'not-mdlma':
        return { text: '', title: `Kernel ${state.kernelName} is not the MDLMA kernel` };
      case 'failed':
        return { text: 'MDLMA comms ✗', title: `No comm round trip: ${state.reason}. Restart the kernel.` };
    }
  }

  private _state: CommState = { kind: 'idle' };
}

/**
 * The base of the catalog's views: a ReactWidget whose `draw()` resolves once React has committed the view with its
 * new data. The sidebar changes its `data-state` only when what that state shows is on the page, so whoever reads
 * the page then (a screen reader following the state, a test) finds it drawn.
 *
 * @example
 * class Notice extends CatalogView {
 *   async show(text: string) { this.#text = text; await this.draw(); }
 *   protected renderView() { return <p>{this.#text}</p>; }
 * }
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

/** A catalog view. */
export abstract class CatalogView extends ReactWidget {
  /** The view's content; `render` adds what tells `draw` that React committed it. */
  protected abstract renderView(): React.ReactElement | null;

  protected render(): React.ReactElement {
    return (
      <>
        {this.renderView()}
        <Private.Committed onCommit={this._resolveDrawn} />
      </>
    );
  }

  /** Draws the view with its current data; resolves once that drawing is in the DOM. */
  protected draw(): Promise<void> {
    const drawn = new Promise<void>(resolve => this._drawing.push(resolve));
    this.update();
    return drawn;
  }

  /** Every commit after a `draw` holds that draw's data: React renders a root's latest element. */
  private _resolveDrawn = (): void => {
    for (const resolve of this._drawing.splice(0)) resolve();
  };

  private _drawing: Array<() => void> = [];
}

namespace Private {
  /** Calls `onCommit` after each commit of its tree, once the DOM is updated. */
  export function Committed(props: { onCommit: () => void }): null {
    React.useLayoutEffect(() => props.onCommit());
    return null;
  }
}

/**
 * What the sidebar shows in place of results while it waits or after a request failed: a line such as
 * "Searching…", or a problem with what the user can do about it ("Try again", back to the results).
 *
 * @example
 * await notice.showProblem(describeProblem(error), [{ label: 'Try again', className: 'mdlma-CatalogSidebar-retry', onClick: again }]);
 */
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { CatalogView } from './catalog-view';
import type { CatalogProblem } from './problem';

/** A button under a problem. */
export interface NoticeAction {
  label: string;
  className?: string;
  onClick: () => void;
}

/** The sidebar's waiting and problem notice. */
export class CatalogStateNotice extends CatalogView {
  constructor() {
    super();
    this.addClass('mdlma-CatalogSidebar-state');
  }

  /** Shows a line of text; `state` becomes its `data-state`. */
  showMessage(state: string, message: string): Promise<void> {
    this._notice = { kind: 'message', state, message };
    return this.draw();
  }

  /** Shows a problem (role alert) with its actions; resolves once drawn. */
  showProblem(problem: CatalogProblem, actions: NoticeAction[]): Promise<void> {
    this._notice = { kind: 'problem', problem, actions };
    return this.draw();
  }

  protected renderView(): React.ReactElement | null {
    const notice = this._notice;
    if (!notice) return null;
    if (notice.kind === 'message') {
      return (
        <p className="mdlma-CatalogState" data-state={notice.state}>
          {notice.message}
        </p>
      );
    }
    const { problem, actions } = notice;
    return (
      <div className="mdlma-CatalogState" data-state={problem.kind} role="alert">
        <strong>{problem.title}</strong>
        <p>{problem.message}</p>
        {actions.map(action => (
          <Button key={action.label} type="button" className={`mdlma-CatalogButton ${action.className ?? ''}`.trim()} onClick={action.onClick}>
            {action.label}
          </Button>
        ))}
      </div>
    );
  }

  private _notice:
    | { kind: 'message'; state: string; message: string }
    | { kind: 'problem'; problem: CatalogProblem; actions: NoticeAction[] }
    | undefined;
}

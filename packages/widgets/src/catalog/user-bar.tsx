/**
 * The sidebar's header while logged in: who, at which SciCat, and "Log out".
 *
 * @example
 * const bar = new CatalogUserBar({ onLogout: () => sidebar.logout() });
 * await bar.showUser({ name: 'ana', url: 'https://scicat.example.org' });
 */
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { CatalogView } from './catalog-view';

/** The user and backend shown; null when logged out. */
export type CatalogUser = { name: string; url: string } | null;

/** The header of the catalog sidebar. */
export class CatalogUserBar extends CatalogView {
  constructor(options: CatalogUserBar.IOptions) {
    super();
    this.addClass('mdlma-CatalogSidebar-header');
    this._onLogout = options.onLogout;
  }

  /** Shows the user (or nothing); resolves once drawn. */
  showUser(user: CatalogUser): Promise<void> {
    this._user = user;
    return this.draw();
  }

  protected renderView(): React.ReactElement | null {
    const user = this._user;
    if (!user) return null;
    return (
      <>
        <span className="mdlma-CatalogSidebar-user" title={user.url}>{`${user.name} @ ${new URL(user.url).host}`}</span>
        <Button type="button" className="mdlma-CatalogButton mdlma-CatalogSidebar-logout" onClick={() => this._onLogout()}>
          Log out
        </Button>
      </>
    );
  }

  private _onLogout: () => void;
  private _user: CatalogUser = null;
}

/** The options of CatalogUserBar. */
export namespace CatalogUserBar {
  export interface IOptions {
    /** Forgets the token and shows the login form. */
    onLogout: () => void;
  }
}

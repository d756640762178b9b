/**
 * The sidebar's login: the SciCat URL (saved to the settings), then a username and password
 * (`POST /api/v3/auth/login`) or a pasted token (the SciCat web interface shows one). The password and token inputs
 * are emptied as soon as they are used: the token lives only in the client's memory, never in React's props or state.
 *
 * @example
 * const form = new CatalogLoginForm({ url, onLogin: credentials => sidebar.login(credentials) });
 */
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { CatalogView } from './catalog-view';

/** What the user typed: a password login or a token. */
export type CatalogCredentials = { url: string; username: string; password: string } | { url: string; token: string };

/** The login form. Its inputs are uncontrolled: the secrets are read from them once, then cleared. */
export class CatalogLoginForm extends CatalogView {
  constructor(options: CatalogLoginForm.IOptions) {
    super();
    this.addClass('mdlma-CatalogLogin');
    this._onLogin = options.onLogin;
    this._url = options.url ?? '';
  }

  /** The URL in the form. */
  get url(): string {
    return (this._inputs.url.current?.value ?? this._url).trim();
  }

  set url(value: string) {
    this._url = value;
    if (this._inputs.url.current) this._inputs.url.current.value = value;
  }

  /** Prefills the username (after a session expired, the user only retypes the password). */
  set username(value: string) {
    this._username = value;
    if (this._inputs.username.current) this._inputs.username.current.value = value;
  }

  /** Shows why the user has to log in (e.g. the session expired), or a failed login's reason; resolves once drawn. */
  setMessage(message: string, kind: 'info' | 'error' = 'info'): Promise<void> {
    this._message = { text: message, kind };
    return this.draw();
  }

  protected renderView(): React.ReactElement {
    const input = (name: 'url' | 'username' | 'password' | 'token', type: string, placeholder: string, autoComplete?: string, defaultValue?: string) => (
      <input ref={this._inputs[name]} name={name} type={type} placeholder={placeholder} aria-label={name} autoComplete={autoComplete} defaultValue={defaultValue} />
    );
    const row = (label: string, control: React.ReactElement) => (
      <label className="mdlma-CatalogLogin-field">
        <span>{label}</span>
        {control}
      </label>
    );
    return (
      <form
        onSubmit={event => {
          event.preventDefault();
          void this._login();
        }}
      >
        <h3>SciCat catalog</h3>
        {row('SciCat URL', input('url', 'url', 'https://scicat.example.org', undefined, this._url))}
        {row(
          'Log in with',
          <select
            className="mdlma-CatalogLogin-mode"
            aria-label="login with"
            onChange={event => {
              this._useToken = event.currentTarget.value === 'token';
              this.update();
            }}
          >
            <option value="password">Username and password</option>
            <option value="token">Token</option>
          </select>
        )}
        <fieldset className="mdlma-CatalogLogin-password" hidden={this._useToken}>
          {row('Username', input('username', 'text', 'username', 'username', this._username))}
          {row('Password', input('password', 'password', 'password', 'current-password'))}
        </fieldset>
        <fieldset className="mdlma-CatalogLogin-token" hidden={!this._useToken}>
          {row('Token', input('token', 'password', 'paste a SciCat token', 'off'))}
        </fieldset>
        <Button type="submit" className="mdlma-CatalogButton mdlma-CatalogLogin-submit" disabled={this._busy}>
          Log in
        </Button>
        <p className="mdlma-CatalogLogin-message" role="alert" data-kind={this._message.kind}>
          {this._message.text}
        </p>
      </form>
    );
  }

  private async _login(): Promise<void> {
    const url = this.url;
    if (!url) {
      void this.setMessage('Enter the SciCat URL first (the backend, e.g. https://scicat.example.org).', 'error');
      return;
    }
    const { username, password, token } = this._inputs;
    const credentials: CatalogCredentials = this._useToken
      ? { url, token: token.current!.value.trim() }
      : { url, username: username.current!.value.trim(), password: password.current!.value };
    // The secret leaves the inputs at once; only the client keeps the token.
    password.current!.value = '';
    token.current!.value = '';
    this._busy = true;
    void this.setMessage('Logging in…');
    try {
      await this._onLogin(credentials);
      this._message = { text: '', kind: 'info' };
    } catch (error) {
      this._message = { text: error instanceof Error ? error.message : String(error), kind: 'error' };
    } finally {
      this._busy = false;
      this.update();
    }
  }

  private _onLogin: CatalogLoginForm.IOptions['onLogin'];
  private _inputs = {
    url: React.createRef<HTMLInputElement>(),
    username: React.createRef<HTMLInputElement>(),
    password: React.createRef<HTMLInputElement>(),
    token: React.createRef<HTMLInputElement>()
  };
  private _url: string;
  private _username = '';
  private _useToken = false;
  private _busy = false;
  private _message: { text: string; kind: 'info' | 'error' } = { text: '', kind: 'info' };
}

/** The options of CatalogLoginForm. */
export namespace CatalogLoginForm {
  export interface IOptions {
    /** The URL from the settings. */
    url?: string;
    /** Logs in; a rejection's message is shown under the form. */
    onLogin: (credentials: CatalogCredentials) => Promise<void>;
  }
}

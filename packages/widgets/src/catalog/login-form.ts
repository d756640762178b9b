/**
 * The sidebar's login: the SciCat URL (saved to the settings), then a username and password
 * (`POST /api/v3/auth/login`) or a pasted token (the SciCat web interface shows one). The password and token inputs
 * are emptied as soon as they are used: the token lives only in the client's memory.
 *
 * @example
 * const form = new CatalogLoginForm({ url, onLogin: credentials => sidebar.login(credentials) });
 */
import { Widget } from '@lumino/widgets';

import { element } from './element';

/** What the user typed: a password login or a token. */
export type CatalogCredentials = { url: string; username: string; password: string } | { url: string; token: string };

/** The login form. */
export class CatalogLoginForm extends Widget {
  constructor(options: CatalogLoginForm.IOptions) {
    super();
    this.addClass('mdlma-CatalogLogin');
    this.#onLogin = options.onLogin;
    this.#url = this.#input('url', 'url', 'https://scicat.example.org');
    this.#url.value = options.url ?? '';
    this.#username = this.#input('username', 'text', 'username');
    this.#username.autocomplete = 'username';
    this.#password = this.#input('password', 'password', 'password');
    this.#password.autocomplete = 'current-password';
    this.#token = this.#input('token', 'password', 'paste a SciCat token');
    this.#token.autocomplete = 'off';
    this.#message = element('p', { className: 'mdlma-CatalogLogin-message', attrs: { role: 'alert' } });
    this.#submit = element('button', { className: 'jp-Button mdlma-CatalogButton mdlma-CatalogLogin-submit' }, 'Log in');
    this.#submit.type = 'submit';

    const withPassword = element('fieldset', { className: 'mdlma-CatalogLogin-password' }, this.#row('Username', this.#username), this.#row('Password', this.#password));
    const withToken = element('fieldset', { className: 'mdlma-CatalogLogin-token' }, this.#row('Token', this.#token));
    withToken.hidden = true;
    const mode = element('select', { className: 'mdlma-CatalogLogin-mode', attrs: { 'aria-label': 'login with' } }, element('option', { attrs: { value: 'password' } }, 'Username and password'), element('option', { attrs: { value: 'token' } }, 'Token'));
    mode.addEventListener('change', () => {
      this.#useToken = mode.value === 'token';
      withPassword.hidden = this.#useToken;
      withToken.hidden = !this.#useToken;
    });
    const form = element(
      'form',
      {},
      element('h3', {}, 'SciCat catalog'),
      this.#row('SciCat URL', this.#url),
      this.#row('Log in with', mode),
      withPassword,
      withToken,
      this.#submit,
      this.#message
    );
    form.addEventListener('submit', event => {
      event.preventDefault();
      void this.#login();
    });
    this.node.appendChild(form);
  }

  /** The URL in the form. */
  get url(): string {
    return this.#url.value.trim();
  }

  set url(value: string) {
    this.#url.value = value;
  }

  /** Shows why the user has to log in (e.g. the session expired), or a failed login's reason. */
  setMessage(message: string, kind: 'info' | 'error' = 'info'): void {
    this.#message.textContent = message;
    this.#message.dataset.kind = kind;
  }

  /** Prefills the username (after a session expired, the user only retypes the password). */
  set username(value: string) {
    this.#username.value = value;
  }

  async #login(): Promise<void> {
    const url = this.url;
    if (!url) {
      this.setMessage('Enter the SciCat URL first (the backend, e.g. https://scicat.example.org).', 'error');
      return;
    }
    const credentials: CatalogCredentials = this.#useToken ? { url, token: this.#token.value.trim() } : { url, username: this.#username.value.trim(), password: this.#password.value };
    // The secret leaves the inputs at once; only the client keeps the token.
    this.#password.value = '';
    this.#token.value = '';
    this.#submit.disabled = true;
    this.setMessage('Logging in…');
    try {
      await this.#onLogin(credentials);
      this.setMessage('');
    } catch (error) {
      this.setMessage(error instanceof Error ? error.message : String(error), 'error');
    } finally {
      this.#submit.disabled = false;
    }
  }

  #input(name: string, type: string, placeholder: string): HTMLInputElement {
    return element('input', { attrs: { name, type, placeholder, 'aria-label': name } });
  }

  #row(label: string, control: HTMLElement): HTMLLabelElement {
    return element('label', { className: 'mdlma-CatalogLogin-field' }, element('span', {}, label), control);
  }

  #onLogin: CatalogLoginForm.IOptions['onLogin'];
  #url: HTMLInputElement;
  #username: HTMLInputElement;
  #password: HTMLInputElement;
  #token: HTMLInputElement;
  #message: HTMLElement;
  #submit: HTMLButtonElement;
  #useToken = false;
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

/**
 * `JobComposer`: pick a job template, fill the form generated from its parameter schema (defaults,
 * help text, live validation with the command line's reasons), preview the exact batch script that
 * will run, edit it if need be, and submit (a spinner while sbatch answers).
 *
 * @example
 * const composer = new JobComposer({ service, defaults: { proxy_base: '/user/ana/proxy/absolute/' } });
 * composer.submitted.connect((_, job) => watch.add(job.jobId));
 * await composer.load();
 */
import { Notification } from '@jupyterlab/apputils';
import { Button, FormComponent, HTMLSelect, ReactWidget } from '@jupyterlab/ui-components';
import type { ReadonlyJSONObject } from '@lumino/coreutils';
import { ISignal, Signal } from '@lumino/signaling';
import type { JobTemplateInfo, ParameterValue, RenderedJob, SubmitRequest, SubmittedJob } from '@mdlma/kernel/protocol';
import * as React from 'react';

import { FormValues, checkParameters, formSchema, initialValues, parameterValidator, uiSchemaOf } from './parameter-form';
import type { IJobService } from './tokens';

/** A submission that went through: the job id and what it was made from. */
export interface ComposedJob extends SubmittedJob {
  template: string;
  name: string;
}

/** The job composer. */
export class JobComposer extends ReactWidget {
  constructor(options: JobComposer.IOptions) {
    super();
    this.addClass('mdlma-JobComposer');
    this._service = options.service;
    this._defaults = options.defaults ?? {};
  }

  /** Emitted after a successful submission. */
  get submitted(): ISignal<this, ComposedJob> {
    return this._submitted;
  }

  /** The templates offered. */
  get templates(): readonly JobTemplateInfo[] {
    return this._templates;
  }

  /** Loads the templates from the server (an error shows in place of the form). */
  async load(): Promise<void> {
    try {
      this.setTemplates(await this._service.templates());
    } catch (error) {
      this._error = (error as Error).message;
      this.update();
    }
  }

  /** Offers `templates`, selecting the first (or the one selected before, if still there). */
  setTemplates(templates: readonly JobTemplateInfo[]): void {
    this._templates = templates;
    const keep = templates.find(t => t.name === this._template?.name);
    this.choose(keep?.name ?? templates[0]?.name ?? '');
  }

  /** Selects a template: its form starts from its defaults. */
  choose(name: string): void {
    this._template = this._templates.find(t => t.name === name) ?? null;
    this._formData = this._template ? initialValues(this.schema()!) : {};
    this._preview = null;
    this._error = null;
    this.update();
  }

  /** The selected template's schema, with the panel's defaults in. */
  schema() {
    return this._template ? formSchema(this._template.parameters, this._defaults) : null;
  }

  /** Sets form values (what typing into the form does). */
  setValues(values: FormValues): void {
    this._formData = { ...this._formData, ...values };
    this._preview = null;
    this.update();
  }

  /** Asks the server for the exact script and options this submission would run. */
  async preview(): Promise<RenderedJob | null> {
    const request = this._request();
    if (!request) {
      return null;
    }
    this._busy = 'render';
    this.update();
    try {
      const rendered = await this._service.render(request);
      this._preview = { rendered, script: rendered.script };
      this._error = null;
      return rendered;
    } catch (error) {
      this._error = (error as Error).message;
      return null;
    } finally {
      this._busy = null;
      this.update();
    }
  }

  /**
   * Submits: the template with the form's values, or, when the previewed script was edited, that
   * script (template `custom`) with the options the template rendered.
   */
  async submit(): Promise<ComposedJob | null> {
    const request = this._request();
    if (!request || !this._template) {
      return null;
    }
    const edited = this._preview && this._preview.script !== this._preview.rendered.script ? this._preview : null;
    const sent: SubmitRequest = edited
      ? {
          template: 'custom',
          params: { script: edited.script },
          job: edited.rendered.job,
          workdir: request.workdir,
          origin: { template: request.template, params: request.params, edited: true }
        }
      : request;
    this._busy = 'submit';
    this.update();
    try {
      const result = await this._service.submit(sent);
      const name = String(edited?.rendered.job.name ?? request.params.name ?? this._template.name);
      const job: ComposedJob = { ...result, template: this._template.name, name };
      this._error = null;
      this._preview = null;
      Notification.success(`Submitted job ${result.jobId} (${name})`, { autoClose: 4000 });
      this._submitted.emit(job);
      return job;
    } catch (error) {
      this._error = (error as Error).message;
      return null;
    } finally {
      this._busy = null;
      this.update();
    }
  }

  protected render(): React.ReactElement {
    const template = this._template;
    const schema = this.schema();
    const problems = schema ? checkParameters(schema, this._formData).errors : {};
    const valid = !!template && Object.keys(problems).length === 0;
    return (
      <div className="mdlma-JobComposer-body">
        <label className="mdlma-JobComposer-template">
          Template
          <HTMLSelect
            aria-label="Job template"
            value={template?.name ?? ''}
            onChange={event => this.choose(event.currentTarget.value)}
            options={this._templates.map(t => ({ value: t.name, label: t.title }))}
          />
        </label>
        {template ? <p className="mdlma-JobComposer-description">{template.description}</p> : null}
        {template && schema ? (
          <FormComponent
            key={template.name}
            schema={schema as unknown as ReadonlyJSONObject}
            uiSchema={uiSchemaOf(schema) as never}
            formData={this._formData as ReadonlyJSONObject}
            validator={parameterValidator as never}
            liveValidate
            showErrorList={false}
            onChange={event => {
              this._formData = { ...(event.formData as FormValues) };
              this._preview = null;
              this.update();
            }}
          />
        ) : null}
        <label className="mdlma-JobComposer-workdir">
          Folder
          <input
            className="jp-mod-styled"
            aria-label="Job folder"
            placeholder="the server's root"
            value={this._workdir}
            onChange={event => {
              this._workdir = event.currentTarget.value;
              this.update();
            }}
          />
        </label>
        <div className="mdlma-JobComposer-buttons">
          <Button disabled={!valid || this._busy !== null} onClick={() => void this.preview()}>
            Preview script
          </Button>
          <Button className="jp-mod-accept" disabled={!valid || this._busy !== null} onClick={() => void this.submit()}>
            {this._busy === 'submit' ? 'Submitting…' : 'Submit'}
          </Button>
        </div>
        {this._error ? (
          <div className="mdlma-JobComposer-error" role="alert">
            {this._error}
          </div>
        ) : null}
        {this._preview ? (
          <div className="mdlma-JobComposer-preview">
            <h4>
              Script to submit
              {this._preview.script !== this._preview.rendered.script ? ' (edited: submitted as a custom script)' : ''}
            </h4>
            <p className="mdlma-JobComposer-options">
              sbatch {Object.entries(this._preview.rendered.job).map(([k, v]) => `--${k}=${v}`).join(' ')}
            </p>
            <textarea
              className="jp-mod-styled mdlma-JobComposer-script"
              aria-label="Script to submit"
              spellCheck={false}
              rows={Math.min(30, this._preview.script.split('\n').length + 1)}
              value={this._preview.script}
              onChange={event => {
                this._preview = this._preview && { ...this._preview, script: event.currentTarget.value };
                this.update();
              }}
            />
          </div>
        ) : null}
        {this._busy ? (
          <div className="jp-Spinner mdlma-JobComposer-spinner" aria-label={this._busy === 'submit' ? 'Submitting' : 'Rendering'}>
            <div className="jp-SpinnerContent" />
          </div>
        ) : null}
      </div>
    );
  }

  /** The request of the current form, or null (with the reason shown) when a field is refused. */
  private _request(): SubmitRequest | null {
    const schema = this.schema();
    if (!this._template || !schema) {
      return null;
    }
    const { values, errors } = checkParameters(schema, this._formData);
    const first = Object.entries(errors)[0];
    if (first) {
      this._error = `${schema.properties[first[0]].title ?? first[0]}: ${first[1]}`;
      this.update();
      return null;
    }
    return { template: this._template.name, params: values, workdir: this._workdir.trim() };
  }

  private _service: IJobService;
  private _defaults: Record<string, ParameterValue>;
  private _templates: readonly JobTemplateInfo[] = [];
  private _template: JobTemplateInfo | null = null;
  private _formData: FormValues = {};
  private _workdir = '';
  private _preview: { rendered: RenderedJob; script: string } | null = null;
  private _busy: 'render' | 'submit' | null = null;
  private _error: string | null = null;
  private _submitted = new Signal<this, ComposedJob>(this);
}

/** Types of `JobComposer`. */
export namespace JobComposer {
  export interface IOptions {
    service: IJobService;
    /** Defaults of this server for parameters a template may declare (e.g. `proxy_base`). */
    defaults?: Record<string, ParameterValue>;
  }
}

/**
 * Job templates: data files, each a parameter schema plus a batch-script template, shipped in
 * `templates/slurm/` of @mdlma/kernel and extended or overridden (by name) from the user's
 * `~/.config/mdlma/templates/` (or $MDLMA_SLURM_TEMPLATES). Rendering puts every parameter into
 * the script as one single-quoted shell word, so that values stay data and are never executed.
 *
 * A template is `<dir>/<name>/template.json` (with `script.sh` beside it) or `<dir>/<name>.json`
 * with the script inline. In the script, `{{param}}` is the quoted value, `{{#param}}...{{/param}}`
 * is kept only when the value is set and not false or 0 (`{{^param}}...{{/param}}`: the opposite),
 * `{{&param}}` inserts a parameter of format "script" (the user's own commands) as written, and
 * `{{@mdlma}}`, `{{@node}}`, `{{@repo}}` are the installation's own commands and folders.
 *
 * @example
 * const template = await findTemplate('segment-volume');
 * const { script, job } = renderTemplate(template, { input: 'scan.nii.gz', output: 'labels.nii.gz' });
 * await new SlurmClient().submit({ ...job, script });
 */
import { existsSync, promises as fs, realpathSync } from 'fs';
import { homedir } from 'os';
import { join, resolve } from 'path';

import { SlurmTemplateError } from '../errors';
import type { ParameterValue, ParametersSchema, SubmitOptions } from '../protocol';
import { shellQuote } from './safety';
import { validateParameters } from './schema';

/** Job options a template sets: a string with `{{param}}`, or one used only when a parameter is set. */
export type TemplateJobValue = string | { if: string; value: string };

/** A job template as loaded. */
export interface JobTemplate {
  name: string;
  title: string;
  description: string;
  parameters: ParametersSchema;
  /** sbatch options (name, partition, cpus, mem, time, gres, array, output, error) from parameters. */
  job: Partial<Record<TemplateJobKey, TemplateJobValue>>;
  /** The script template. */
  script: string;
  /** Where it was loaded from. */
  origin: 'shipped' | 'user';
  path: string;
}

/** The job options a template may set. */
export type TemplateJobKey = 'name' | 'partition' | 'cpus' | 'mem' | 'time' | 'gres' | 'array' | 'dependency' | 'output' | 'error';

/** A rendered template: the script and the job options, ready for `SlurmClient.submit`. */
export interface RenderedTemplate {
  script: string;
  job: Omit<SubmitOptions, 'script'>;
  /** The validated parameter values (defaults filled in). */
  values: Record<string, ParameterValue>;
}

/** Where templates are looked for. */
export interface TemplateFolders {
  /** Shipped templates (default: @mdlma/kernel's templates/slurm). */
  shipped?: string;
  /** The user's templates (default: $MDLMA_SLURM_TEMPLATES, else ~/.config/mdlma/templates); they win by name. */
  user?: string;
}

/** The folder of the shipped templates. */
export const SHIPPED_TEMPLATES = resolve(__dirname, '..', '..', 'templates', 'slurm');

/** The user's template folder. */
export function userTemplateFolder(): string {
  const config = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return process.env.MDLMA_SLURM_TEMPLATES || join(config, 'mdlma', 'templates');
}

/** All templates, the user's overriding shipped ones of the same name; sorted by name. */
export async function loadTemplates(folders: TemplateFolders = {}): Promise<JobTemplate[]> {
  const byName = new Map<string, JobTemplate>();
  for (const [dir, origin] of [
    [folders.shipped ?? SHIPPED_TEMPLATES, 'shipped'],
    [folders.user ?? userTemplateFolder(), 'user']
  ] as const) {
    for (const template of await Private.loadFolder(dir, origin)) {
      byName.set(template.name, template);
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The template called `name`; `SlurmTemplateError` when there is none. */
export async function findTemplate(name: string, folders: TemplateFolders = {}): Promise<JobTemplate> {
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) {
    throw new SlurmTemplateError(name, '', 'a template name holds only letters, digits and . _ -');
  }
  const templates = await loadTemplates(folders);
  const template = templates.find(t => t.name === name);
  if (!template) {
    throw new SlurmTemplateError(name, '', `no such template (templates: ${templates.map(t => t.name).join(', ')})`);
  }
  return template;
}

/** Validates `params` against the template's schema and renders its script and job options. */
export function renderTemplate(template: JobTemplate, params: Record<string, unknown> = {}): RenderedTemplate {
  const values = validateParameters(template.name, template.parameters, params);
  const script = Private.renderScript(template, values);
  const job: Record<string, string | number> = {};
  for (const [key, spec] of Object.entries(template.job)) {
    if (typeof spec === 'object' && !Private.isSet(values[spec.if])) {
      continue;
    }
    const text = Private.renderPlain(template, typeof spec === 'object' ? spec.value : spec, values);
    if (text !== undefined && text !== '') {
      job[key] = key === 'cpus' ? Number(text) : text;
    }
  }
  return { script, job: job as RenderedTemplate['job'], values };
}

/**
 * The installation's own values for `{{@...}}`: how to run mdlma and node on the compute node, and the repository.
 * Node is named by its absolute path: a job's PATH is the user's login PATH, not the server's (environment.ts).
 */
export function templateBuiltins(): Record<string, string> {
  const cli = resolve(__dirname, '..', 'cli', 'mdlma.js');
  const node = shellQuote(process.execPath);
  const configured = process.env.MDLMA_CLI;
  return {
    mdlma: configured ? (Private.isScript(configured) ? `${node} ${shellQuote(configured)}` : shellQuote(configured)) : `${node} ${shellQuote(cli)}`,
    node,
    repo: shellQuote(resolve(__dirname, '..', '..', '..', '..'))
  };
}

namespace Private {
  /** True when `file` is (or links to) a JavaScript file: node/.bin/mdlma's `#!/usr/bin/env node` needs node on PATH. */
  export function isScript(file: string): boolean {
    try {
      return /\.[cm]?js$/.test(realpathSync(file));
    } catch {
      return false;
    }
  }

  /** Templates in one folder; a missing folder has none. */
  export async function loadFolder(dir: string, origin: JobTemplate['origin']): Promise<JobTemplate[]> {
    if (!existsSync(dir)) {
      return [];
    }
    const templates: JobTemplate[] = [];
    for (const entry of (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const folder = entry.isDirectory() ? join(dir, entry.name) : undefined;
      const file = folder ? join(folder, 'template.json') : entry.name.endsWith('.json') ? join(dir, entry.name) : undefined;
      if (file && existsSync(file)) {
        templates.push(await loadFile(file, folder, origin));
      }
    }
    return templates;
  }

  /** One template file, checked. */
  export async function loadFile(file: string, folder: string | undefined, origin: JobTemplate['origin']): Promise<JobTemplate> {
    let data: Partial<JobTemplate> & { scriptFile?: string };
    try {
      data = JSON.parse(await fs.readFile(file, 'utf8'));
    } catch (error) {
      throw new SlurmTemplateError(file, '', `is not valid JSON (${(error as Error).message})`);
    }
    const name = data.name ?? '';
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) {
      throw new SlurmTemplateError(file, '', 'needs a "name" of letters, digits and . _ -');
    }
    let script = data.script;
    if (script === undefined && folder) {
      const scriptFile = join(folder, data.scriptFile ?? 'script.sh');
      script = await fs.readFile(scriptFile, 'utf8').catch(() => undefined);
    }
    if (typeof script !== 'string') {
      throw new SlurmTemplateError(name, '', `${file} has no "script" and no script.sh beside it`);
    }
    const parameters = data.parameters ?? { type: 'object', properties: {} };
    const template: JobTemplate = {
      name,
      title: data.title ?? name,
      description: data.description ?? '',
      parameters: { type: 'object', properties: parameters.properties ?? {}, required: parameters.required ?? [] },
      job: data.job ?? {},
      script,
      origin,
      path: file
    };
    checkPlaceholders(template);
    return template;
  }

  /** Every `{{...}}` of the script and job options names a parameter or a builtin. */
  export function checkPlaceholders(template: JobTemplate): void {
    const builtins = Object.keys(templateBuiltins());
    const texts = [template.script, ...Object.values(template.job).map(v => (typeof v === 'object' ? v.value : v))];
    for (const text of texts) {
      for (const [, mark, name] of text.matchAll(/\{\{([#^/@&]?)\s*([\w.-]+)\s*\}\}/g)) {
        const known = mark === '@' ? builtins.includes(name) : name in template.parameters.properties;
        if (!known) {
          throw new SlurmTemplateError(template.name, name, `is used in the template but not declared under "parameters"`);
        }
        if (mark === '&' && template.parameters.properties[name].format !== 'script') {
          throw new SlurmTemplateError(template.name, name, '{{&...}} (unquoted) is only allowed for parameters of format "script"');
        }
      }
    }
  }

  /** True for a value that turns a `{{#param}}` section on. */
  export function isSet(value: ParameterValue | undefined): boolean {
    return value !== undefined && value !== false && value !== 0 && value !== '';
  }

  /** The script with sections resolved and every value quoted. */
  export function renderScript(template: JobTemplate, values: Record<string, ParameterValue>): string {
    const builtins = templateBuiltins();
    const sections = template.script.replace(
      /\{\{([#^])\s*([\w.-]+)\s*\}\}([\s\S]*?)\{\{\/\s*\2\s*\}\}/g,
      (_, mark: string, name: string, body: string) => ((mark === '#') === isSet(values[name]) ? body : '')
    );
    return sections.replace(/\{\{([@&]?)\s*([\w.-]+)\s*\}\}/g, (_, mark: string, name: string) => {
      if (mark === '@') {
        return builtins[name];
      }
      if (mark === '&') {
        return String(values[name] ?? '');
      }
      const value = values[name];
      return value === undefined ? "''" : shellQuote(String(value));
    });
  }

  /** A job option with parameters filled in as plain text; undefined if one of them has no value. */
  export function renderPlain(template: JobTemplate, text: string, values: Record<string, ParameterValue>): string | undefined {
    let missing = false;
    const out = text.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (_, name: string) => {
      const value = values[name];
      if (value === undefined || value === '') {
        missing = true;
        return '';
      }
      return String(value);
    });
    return missing ? undefined : out;
  }
}

// Job templates: the shipped ones load and render; values stay one quoted shell word; unsafe values are refused.
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { SlurmTemplateError } from '../errors';
import { shellQuote } from './safety';
import { checkParameter } from '../protocol';
import { findTemplate, loadTemplates, renderTemplate, templateBuiltins } from './templates';

const noUser = { user: join(tmpdir(), 'mdlma-no-templates-here') };

describe('shipped templates', () => {
  it('are segment-volume, train-sun, register, jupyterlab and custom', async () => {
    const names = (await loadTemplates(noUser)).map(t => t.name);
    expect(names).toEqual(['custom', 'jupyterlab', 'register', 'segment-volume', 'train-sun']);
  });

  it('render with defaults filled in and job options from parameters', async () => {
    const template = await findTemplate('segment-volume', noUser);
    const { script, job, values } = renderTemplate(template, { input: 'scan.nii.gz', output: 'labels.nii.gz', axes: '3' });
    expect(values).toMatchObject({ axes: 3, voting: 'soft', model: 'sun-implant', cpus: 2 });
    expect(script).toContain("segment 'scan.nii.gz' --out 'labels.nii.gz' --model 'sun-implant' --axes '3'");
    expect(script).not.toContain('--confidence');
    expect(job).toEqual({ name: 'segment', cpus: 2, mem: '2G', time: '01:00:00' });
  });

  it('keep optional sections only when their parameter is set', async () => {
    const template = await findTemplate('segment-volume', noUser);
    const { script, job } = renderTemplate(template, { input: 'a', output: 'b', confidence: 'c.nii', gpus: 2 });
    expect(script).toContain("--confidence 'c.nii'");
    expect(job.gres).toBe('gpu:2');
  });

  it('serve the jupyterlab app under the proxy path when one is given', async () => {
    const template = await findTemplate('jupyterlab', noUser);
    const plain = renderTemplate(template, {}).script;
    expect(plain).toContain('base_url=/\n\n');
    const proxied = renderTemplate(template, { proxy_base: '/user/ana/proxy/absolute/' }).script;
    expect(proxied).toContain(`base_url='/user/ana/proxy/absolute/'"\${host}:\${port}/"`);
    expect(() => renderTemplate(template, { proxy_base: '/user/ana/' })).toThrow(/does not match/);
  });

  it('insert the custom script as written, and only there', async () => {
    const { script } = renderTemplate(await findTemplate('custom', noUser), { script: '#!/bin/bash\necho "$HOME"\n' });
    expect(script).toBe('#!/bin/bash\necho "$HOME"\n\n');
  });
});

describe('builtins', () => {
  it('run a JavaScript MDLMA_CLI with this node: a job has the login PATH, where node may be missing', () => {
    const folder = mkdtempSync(join(tmpdir(), 'mdlma-cli-'));
    writeFileSync(join(folder, 'cli.js'), '#!/usr/bin/env node\n');
    symlinkSync(join(folder, 'cli.js'), join(folder, 'mdlma')); // as node_modules/.bin/mdlma is
    writeFileSync(join(folder, 'wrapper'), '#!/bin/sh\n', { mode: 0o755 });
    const saved = process.env.MDLMA_CLI;
    try {
      process.env.MDLMA_CLI = join(folder, 'mdlma');
      expect(templateBuiltins().mdlma).toBe(`${shellQuote(process.execPath)} ${shellQuote(join(folder, 'mdlma'))}`);
      process.env.MDLMA_CLI = join(folder, 'wrapper');
      expect(templateBuiltins().mdlma).toBe(shellQuote(join(folder, 'wrapper')));
    } finally {
      saved === undefined ? delete process.env.MDLMA_CLI : (process.env.MDLMA_CLI = saved);
    }
  });
});

describe('parameter values', () => {
  const template = () => findTemplate('segment-volume', noUser);

  it.each(['a; touch x', '$(touch x)', '`touch x`', "it's", '"quoted"', '\\$HOME'])('%s stays one inert word', async value => {
    const { script } = renderTemplate(await template(), { input: value, output: 'o' });
    expect(script).toContain(`segment ${shellQuote(value)} --out`);
  });

  it.each([
    ['input', '../secret.nii', '".."'],
    ['input', 'a/../../b', '".."'],
    ['output', 'a\nrm -rf ~', 'newline'],
    ['model', 'x y', 'does not match'],
    ['axes', '4', 'one of 1, 3, 9'],
    ['axes', '3; ls', 'whole number'],
    ['cpus', '0', 'at least 1'],
    ['name', 'a;b', 'letters, digits'],
    ['nonsense', '1', 'not a parameter']
  ])('%s=%j is refused (%s)', async (name, value, message) => {
    const params = { input: 'a', output: 'b', [name]: value };
    const rendering = async () => renderTemplate(await template(), params);
    await expect(rendering()).rejects.toThrow(SlurmTemplateError);
    await expect(rendering()).rejects.toThrow(message);
  });

  it("are checked one by one with the same reasons (as the job panel's form shows them)", async () => {
    const { parameters } = await template();
    expect(checkParameter(parameters.properties.axes, '3')).toEqual({ value: 3 });
    expect(checkParameter(parameters.properties.input, '../x')).toEqual({ problem: expect.stringContaining('".."') });
    expect(checkParameter(parameters.properties.name, 'a b')).toEqual({ problem: expect.stringContaining('letters, digits') });
  });

  it('are required where the schema says so', async () => {
    await expect((async () => renderTemplate(await template(), { output: 'b' }))()).rejects.toThrow(/"input": is required/);
  });
});

describe('user templates', () => {
  it('override shipped ones by name and are checked for undeclared placeholders', async () => {
    const user = mkdtempSync(join(tmpdir(), 'mdlma-templates-'));
    writeFileSync(join(user, 'custom.json'), JSON.stringify({ name: 'custom', title: 'Site', script: '#!/bin/bash\n' }));
    mkdirSync(join(user, 'bad'));
    writeFileSync(join(user, 'bad', 'template.json'), JSON.stringify({ name: 'bad', script: 'echo {{undeclared}}' }));
    await expect(loadTemplates({ user })).rejects.toThrow(/undeclared.*not declared/);
    writeFileSync(join(user, 'bad', 'template.json'), JSON.stringify({
      name: 'bad', parameters: { type: 'object', properties: { x: { type: 'string' } } }, script: 'echo {{&x}}'
    }));
    await expect(loadTemplates({ user })).rejects.toThrow(/only allowed for parameters of format "script"/);
    writeFileSync(join(user, 'bad', 'template.json'), JSON.stringify({ name: 'bad', script: 'true' }));
    const templates = await loadTemplates({ user });
    expect(templates.find(t => t.name === 'custom')).toMatchObject({ title: 'Site', origin: 'user' });
  });

  it('refuse template names that are paths', async () => {
    await expect(findTemplate('../../etc/passwd', noUser)).rejects.toThrow(SlurmTemplateError);
  });
});

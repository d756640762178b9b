// The composer's form comes from a template's schema: defaults, help text, and the command line's own checks per field.
import type { ParametersSchema } from '@mdlma/kernel/protocol';

import { checkParameters, formSchema, initialValues, parameterValidator, uiSchemaOf } from './parameter-form';

/** The parameters of the shipped segment-volume template (kernel-lib templates/slurm), shortened. */
const SEGMENT: ParametersSchema = {
  type: 'object',
  required: ['input', 'output'],
  properties: {
    name: { type: 'string', format: 'job-name', default: 'segment', title: 'Job name' },
    input: { type: 'string', format: 'path', title: 'Input volume', description: 'Tomogram file' },
    output: { type: 'string', format: 'path', title: 'Labels file' },
    axes: { type: 'integer', enum: [1, 3, 9], default: 9, title: 'Slicing axes' },
    cpus: { type: 'integer', minimum: 1, maximum: 256, default: 2, title: 'CPUs' },
    mem: { type: 'string', pattern: '^[0-9]+[KMGT]?$', default: '2G', title: 'Memory' },
    script: { type: 'string', format: 'script', title: 'Script' }
  }
};

describe('form schema', () => {
  it('starts from the template defaults; the panel may set its own for declared parameters only', () => {
    expect(initialValues(SEGMENT)).toEqual({ name: 'segment', axes: 9, cpus: 2, mem: '2G' });
    const schema = formSchema(SEGMENT, { mem: '4G', proxy_base: '/user/ana/proxy/absolute/' });
    expect(initialValues(schema)).toEqual({ name: 'segment', axes: 9, cpus: 2, mem: '4G' });
    expect(schema.properties).not.toHaveProperty('proxy_base');
    expect(SEGMENT.properties.mem.default).toBe('2G'); // the template itself is left alone
  });

  it('puts required parameters first and scripts in a text area', () => {
    const ui = uiSchemaOf(SEGMENT);
    expect(ui['ui:order']).toEqual(['input', 'output', 'name', 'axes', 'cpus', 'mem', 'script']);
    expect(ui.script).toMatchObject({ 'ui:widget': 'textarea' });
    expect(ui['ui:submitButtonOptions']).toEqual({ norender: true });
  });
});

describe('checks', () => {
  it('accept good values and convert them to their types', () => {
    const { values, errors } = checkParameters(SEGMENT, { input: 'scan 1.nii.gz', output: 'l.nii.gz', axes: '3', cpus: 4 });
    expect(errors).toEqual({});
    expect(values).toEqual({ input: 'scan 1.nii.gz', output: 'l.nii.gz', axes: 3, cpus: 4 });
  });

  it('refuse per field with the reasons of mdlma slurm render', () => {
    const { errors } = checkParameters(SEGMENT, {
      output: 'a\nrm -rf ~',
      input: '../secret.nii',
      axes: 4,
      cpus: 0,
      mem: 'lots',
      name: 'a;touch x'
    });
    expect(errors.input).toMatch(/contains "\.\."/);
    expect(errors.output).toMatch(/newline/);
    expect(errors.axes).toMatch(/one of 1, 3, 9/);
    expect(errors.cpus).toMatch(/at least 1/);
    expect(errors.mem).toMatch(/does not match/);
    expect(errors.name).toMatch(/letters, digits/);
    expect(checkParameters(SEGMENT, {}).errors).toEqual({ input: 'is required', output: 'is required' });
  });

  it('are what the form validator reports, field by field', () => {
    const result = parameterValidator.validateFormData({ input: '../x', output: 'o' }, SEGMENT as never);
    expect(result.errorSchema).toEqual({ input: { __errors: [expect.stringContaining('".."')] } });
    expect(result.errors).toEqual([expect.objectContaining({ property: '.input', stack: expect.stringMatching(/^Input volume: /) })]);
    expect(parameterValidator.isValid(SEGMENT as never, { input: 'a', output: 'b' }, SEGMENT as never)).toBe(true);
    expect(parameterValidator.isValid(SEGMENT as never, { input: 'a' }, SEGMENT as never)).toBe(false);
  });
});

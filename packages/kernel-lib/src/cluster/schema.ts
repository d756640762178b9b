/**
 * A template's parameters checked against its schema (protocol/job-parameters.ts) as `renderTemplate` and the CLI
 * check them: every value through `checkParameter`, and a refusal as `SlurmTemplateError` naming the template.
 *
 * @example
 * const values = validateParameters('segment-volume', template.parameters, { input: 'scan.nii.gz', axes: '3' });
 */
import { SlurmTemplateError } from '../errors';
import { checkParameter, type ParametersSchema, type ParameterValue } from '../protocol';

/**
 * Checks `given` against `schema`: unknown names, missing required values, types, ranges,
 * patterns and unsafe text are refused with `SlurmTemplateError`; defaults fill the rest.
 */
export function validateParameters(
  template: string,
  schema: ParametersSchema,
  given: Record<string, unknown>
): Record<string, ParameterValue> {
  const values: Record<string, ParameterValue> = {};
  for (const name of Object.keys(given)) {
    if (!Object.prototype.hasOwnProperty.call(schema.properties, name)) {
      const known = Object.keys(schema.properties).join(', ');
      throw new SlurmTemplateError(template, name, `is not a parameter of this template (parameters: ${known})`);
    }
  }
  for (const [name, spec] of Object.entries(schema.properties)) {
    const raw = given[name] ?? spec.default;
    if (raw === undefined || raw === null || raw === '') {
      if (schema.required?.includes(name)) {
        throw new SlurmTemplateError(template, name, `is required${spec.description ? ` (${spec.description})` : ''}`);
      }
      continue;
    }
    const checked = checkParameter(spec, raw);
    if ('problem' in checked) {
      throw new SlurmTemplateError(template, name, checked.problem);
    }
    values[name] = checked.value;
  }
  return values;
}

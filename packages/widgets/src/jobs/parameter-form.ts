/**
 * The composer's form, generated from a template's parameter schema: JupyterLab's FormComponent
 * (react-jsonschema-form) draws it, and `parameterValidator` checks it with kernel-lib's own
 * per-parameter check, so that a field shows the very reason `mdlma slurm render` would give.
 *
 * @example
 * const schema = formSchema(template.parameters, { proxy_base: '/user/ana/proxy/absolute/' });
 * const { values, errors } = checkParameters(schema, { input: '../x' });   // errors.input: '"../x" contains ".."…'
 */
import { checkParameter, type ParameterSchema, type ParametersSchema, type ParameterValue } from '@mdlma/kernel/protocol';
import type { ErrorSchema, RJSFValidationError, UiSchema, ValidationData, ValidatorType } from '@rjsf/utils';

/** The values a form holds: parameter name to value (undefined while empty). */
export type FormValues = Record<string, unknown>;

/** The outcome of checking a form: the converted values and, per field, why it is refused. */
export interface CheckedParameters {
  values: Record<string, ParameterValue>;
  errors: Record<string, string>;
}

/**
 * The template's schema with `defaults` put in as the defaults of the parameters it declares
 * (the panel's own values, such as the proxy path of this server); others are ignored.
 */
export function formSchema(schema: ParametersSchema, defaults: Record<string, ParameterValue> = {}): ParametersSchema {
  const properties: Record<string, ParameterSchema> = {};
  for (const [name, spec] of Object.entries(schema.properties)) {
    properties[name] = name in defaults ? { ...spec, default: defaults[name] } : { ...spec };
  }
  return { type: 'object', properties, required: [...(schema.required ?? [])] };
}

/** The form's starting values: each parameter's default (empty where there is none). */
export function initialValues(schema: ParametersSchema): FormValues {
  const values: FormValues = {};
  for (const [name, spec] of Object.entries(schema.properties)) {
    if (spec.default !== undefined) {
      values[name] = spec.default;
    }
  }
  return values;
}

/** Checks every field as `mdlma slurm render` would: required ones, types, ranges, patterns, unsafe text. */
export function checkParameters(schema: ParametersSchema, data: FormValues): CheckedParameters {
  const values: Record<string, ParameterValue> = {};
  const errors: Record<string, string> = {};
  for (const [name, spec] of Object.entries(schema.properties)) {
    const raw = data[name];
    if (raw === undefined || raw === null || raw === '') {
      if (schema.required?.includes(name)) {
        errors[name] = 'is required';
      }
      continue;
    }
    const checked = checkParameter(spec, raw);
    if ('problem' in checked) {
      errors[name] = checked.problem;
    } else {
      values[name] = checked.value;
    }
  }
  return { values, errors };
}

/** The form's layout hints: a code area for scripts, the shell-safe formats named in the help. */
export function uiSchemaOf(schema: ParametersSchema): UiSchema {
  const ui: UiSchema = { 'ui:submitButtonOptions': { norender: true } };
  const required = new Set(schema.required ?? []);
  // Required parameters first: they are what the user must fill in.
  const names = Object.keys(schema.properties);
  ui['ui:order'] = [...names.filter(n => required.has(n)), ...names.filter(n => !required.has(n))];
  for (const [name, spec] of Object.entries(schema.properties)) {
    if (spec.format === 'script') {
      ui[name] = { 'ui:widget': 'textarea', 'ui:options': { rows: 10 }, classNames: 'mdlma-ParameterForm-script' };
    }
  }
  return ui;
}

/**
 * A react-jsonschema-form validator backed by `checkParameters`: no second schema engine in the
 * browser, and the messages are the command line's.
 */
export const parameterValidator: ValidatorType<FormValues> = {
  validateFormData(formData, schema): ValidationData<FormValues> {
    const { errors } = checkParameters(schema as unknown as ParametersSchema, formData ?? {});
    const errorSchema: Record<string, { __errors: string[] }> = {};
    const list: RJSFValidationError[] = [];
    for (const [name, message] of Object.entries(errors)) {
      const title = (schema.properties?.[name] as { title?: string } | undefined)?.title ?? name;
      errorSchema[name] = { __errors: [message] };
      list.push({ name: 'mdlma', property: `.${name}`, message, stack: `${title}: ${message}` });
    }
    return { errors: list, errorSchema: errorSchema as unknown as ErrorSchema<FormValues> };
  },
  toErrorList(errorSchema?: ErrorSchema<FormValues>): RJSFValidationError[] {
    return Object.entries((errorSchema ?? {}) as Record<string, { __errors?: string[] }>).flatMap(([name, entry]) =>
      (entry?.__errors ?? []).map(message => ({ property: `.${name}`, message, stack: `${name}: ${message}` }))
    );
  },
  isValid(schema, formData): boolean {
    const parameters = schema as unknown as ParametersSchema;
    return !parameters.properties || Object.keys(checkParameters(parameters, (formData ?? {}) as FormValues).errors).length === 0;
  },
  rawValidation<Result>(schema: object, formData?: FormValues) {
    const { errors } = checkParameters(schema as ParametersSchema, formData ?? {});
    return { errors: Object.entries(errors).map(([name, message]) => ({ name, message })) as Result[] };
  }
};

/**
 * The catalog views' logic without a server: the search form's query, the inserted notebook cell, the metadata
 * tree and the problem messages. Catalog strings with markup stay text, and a dataset name cannot become code.
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import { CatalogAuthError, CatalogForbiddenError, CatalogServerError, CatalogUnavailableError } from '@mdlma/kernel/catalog';
import * as React from 'react';
import ts from 'typescript';

import { MetadataTree } from './dataset-view';
import { openDatasetCode } from './notebook-cell';
import { describeProblem } from './problem';
import { EMPTY_SEARCH, queryFromValues, scientificCondition } from './search-form';

const XSS_NAME = '<img src=x onerror="window.__mdlmaXss=1"> <script>window.__mdlmaXss=2</script> P05 XSS probe';

describe('the search form', () => {
  it('sends only the filters that are filled in, with inclusive dates', () => {
    expect(queryFromValues(EMPTY_SEARCH)).toEqual({});
    const query = queryFromValues({ ...EMPTY_SEARCH, text: ' rat ', type: 'raw', ownerGroup: 'p05-11012345, p07-11016789', from: '2024-01-01', to: '2024-01-31', beamline: 'P05', sample: 'R911' });
    expect(query).toEqual({
      text: 'rat',
      type: 'raw',
      ownerGroup: ['p05-11012345', 'p07-11016789'],
      from: '2024-01-01T00:00:00.000Z',
      to: '2024-01-31T23:59:59.999Z',
      beamline: 'P05',
      sample: 'R911'
    });
  });

  it('reads a metadata value as a number, a comparison or a string', () => {
    expect(scientificCondition('healingTime', '8')).toEqual({ lhs: 'healingTime', relation: 'EQUAL_TO_NUMERIC', rhs: 8 });
    expect(scientificCondition('healingTime', '> 4')).toEqual({ lhs: 'healingTime', relation: 'GREATER_THAN', rhs: 4 });
    expect(scientificCondition('voxelSize', '<=2.4')).toEqual({ lhs: 'voxelSize', relation: 'LESS_THAN_OR_EQUAL', rhs: 2.4 });
    expect(scientificCondition('material', 'Mg-10Gd')).toEqual({ lhs: 'material', relation: 'EQUAL_TO_STRING', rhs: 'Mg-10Gd' });
    expect(scientificCondition('material', ' ')).toBeUndefined();
    expect(queryFromValues({ ...EMPTY_SEARCH, metadataKey: 'healingTime', metadataValue: '12' }).scientific).toEqual([{ lhs: 'healingTime', relation: 'EQUAL_TO_NUMERIC', rhs: 12 }]);
  });
});

describe('the "Open in notebook" cell', () => {
  const pid = '20.500.12269/1c9f3a0e-8e2b-4c1b-9f4e-6b0d2f7f0a11';

  it('connects, opens and shows the dataset, with the path mapping and without any token', () => {
    const code = openDatasetCode({ url: 'http://127.0.0.1:3000', pid, name: 'P05 Mg-10Gd rat R911 04 weeks', pathMap: { '/asap3/petra3/gpfs': '/data/beamline' } });
    expect(code).toContain('import { catalog, show } from "@mdlma/kernel";');
    expect(code).toContain('await catalog.connect({ url: "http://127.0.0.1:3000", pathMap: {"/asap3/petra3/gpfs":"/data/beamline"} });');
    expect(code).toContain(`await scicat.open("${pid}")`);
    expect(code).toContain('await show(volume, { title: "P05 Mg-10Gd rat R911 04 weeks" })');
    expect(code).not.toMatch(/token\s*[:=]/i);
    expect(openDatasetCode({ url: 'http://x', pid })).not.toContain('pathMap');
  });

  it('keeps a hostile dataset name inside one string literal', () => {
    const name = `${XSS_NAME}"); require("child_process").execSync("touch /tmp/pwned"); ("\n// \u2028`;
    const code = openDatasetCode({ url: 'http://x', pid: 'a/"b', name });
    const source = ts.createSourceFile('cell.ts', code, ts.ScriptTarget.ES2022, true);
    const diagnostics = (source as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics;
    expect(diagnostics).toEqual([]);
    const strings: string[] = [];
    const visit = (node: ts.Node) => {
      if (ts.isStringLiteral(node)) strings.push(node.text);
      ts.forEachChild(node, visit);
    };
    visit(source);
    expect(strings).toContain(name);
    expect(strings).toContain('a/"b');
    // The same statements as for a harmless name: nothing was injected.
    const harmless = ts.createSourceFile('cell.ts', openDatasetCode({ url: 'http://x', pid: 'a', name: 'ok' }), ts.ScriptTarget.ES2022, true);
    expect(source.statements.length).toBe(harmless.statements.length);
  });
});

describe('the metadata tree', () => {
  it('shows keys and values with markup as text', async () => {
    const value = { xss: '<img src=x onerror="window.__mdlmaXss=4">', '<b>key</b>': { nested: '<script>window.__mdlmaXss=3</script>' }, healingTime: { value: 8, unit: 'weeks' } };
    const widget = ReactWidget.create(React.createElement(MetadataTree, { value }));
    Widget.attach(widget, document.body);
    await widget.renderPromise;
    const tree = widget.node;
    expect(tree.querySelectorAll('img, script, b')).toHaveLength(0);
    expect(tree.textContent).toContain('xss: <img src=x onerror="window.__mdlmaXss=4">');
    expect(tree.textContent).toContain('<b>key</b>');
    expect(tree.textContent).toContain('nested: <script>window.__mdlmaXss=3</script>');
    expect(tree.textContent).toContain('healingTime: 8 weeks');
    expect((window as unknown as { __mdlmaXss?: number }).__mdlmaXss).toBeUndefined();
    widget.dispose();
  });
});

describe('the problem messages', () => {
  const url = 'http://scicat.example.org';
  it.each([
    ['401', new CatalogAuthError(url), 'auth', /log in again/i, false],
    ['403', new CatalogForbiddenError(url, 'dataset "x/y"'), 'forbidden', /refused access to dataset "x\/y" \(403\)/, false],
    ['502', new CatalogServerError(url, 502, 4), 'server', /server error \(502, 4 attempts\)/, true],
    ['offline', new CatalogUnavailableError(url, 'could not connect (ECONNREFUSED)'), 'offline', /No answer from http:\/\/scicat\.example\.org: could not connect/, true],
    ['a bug', new TypeError('x is undefined'), 'unexpected', /x is undefined/, true]
  ])('%s gets a kind and a message that says what to do', (_label, error, kind, message, retry) => {
    const problem = describeProblem(error);
    expect(problem.kind).toBe(kind);
    expect(problem.message).toMatch(message);
    expect(problem.message).not.toMatch(/\n\s+at /); // no stack trace
    expect(problem.retry).toBe(retry);
  });
});

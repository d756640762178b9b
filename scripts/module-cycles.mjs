/**
 * Circles between kernel-lib modules (the folders of packages/kernel-lib/src), from dependency-cruiser's module graph,
 * counting shipped code only: a test may use a module above its own (register's tests build their data with phantom/)
 * without making the two modules a circle. dependency-cruiser's folder-scoped rules cannot leave tests out.
 *
 * @example
 * import { moduleCycles } from './module-cycles.mjs';
 * moduleCycles(cruiseResult.modules); // ['cluster → segment → cluster (cluster/segment-array.ts → segment/index.ts; ...)']
 *
 * MDLMA Lab, BSD-3-Clause.
 */

/** A kernel-lib source file inside a module folder; group 1 is the module, group 2 the file inside it. */
const MODULE_FILE = /^packages\/kernel-lib\/src\/([^/]+)\/(.+)$/;
/** Tests, fixtures and benchmarks: the same as TEST_CODE in .dependency-cruiser.cjs. */
const TEST_CODE = /\.test\.tsx?$|\.fixture\.[jt]s$|\/fixtures\/|\/bench\/|\/__mocks__\//;

/**
 * Each circle of modules, once: its modules from the first in sort order, then for each step one import that makes it.
 * @param {Array<{source: string, dependencies: Array<{resolved: string}>}>} modules dependency-cruiser's modules
 * @returns {string[]} one line per circle; none when the modules form layers
 */
export function moduleCycles(modules) {
  const edges = Private.moduleEdges(modules);
  return Private.stronglyConnected(edges)
    .filter(component => component.length > 1)
    .map(component => {
      const path = Private.cycleThrough(component, edges);
      const steps = path.slice(0, -1).map((from, i) => edges.get(from).get(path[i + 1]));
      return `${path.join(' → ')} (${steps.join('; ')})`;
    });
}

/** Graph helpers of this file. */
const Private = {
  /** module → (imported module → one import that makes the edge, as `a/file.ts → b/file.ts`), shipped code only. */
  moduleEdges: modules => {
    const edges = new Map();
    for (const { source, dependencies } of modules) {
      const from = MODULE_FILE.exec(source);
      if (!from || TEST_CODE.test(source)) {
        continue;
      }
      const targets = edges.get(from[1]) ?? new Map();
      edges.set(from[1], targets);
      for (const { resolved } of dependencies) {
        const to = MODULE_FILE.exec(resolved);
        if (to && to[1] !== from[1] && !TEST_CODE.test(resolved) && !targets.has(to[1])) {
          targets.set(to[1], `${from[1]}/${from[2]} → ${to[1]}/${to[2]}`);
        }
      }
    }
    return edges;
  },

  /** Tarjan's strongly connected components of the graph, each sorted by name. */
  stronglyConnected: edges => {
    const index = new Map();
    const low = new Map();
    const stack = [];
    const components = [];
    const visit = node => {
      index.set(node, index.size);
      low.set(node, index.get(node));
      stack.push(node);
      for (const next of edges.get(node)?.keys() ?? []) {
        if (!index.has(next)) {
          visit(next);
          low.set(node, Math.min(low.get(node), low.get(next)));
        } else if (stack.includes(next)) {
          low.set(node, Math.min(low.get(node), index.get(next)));
        }
      }
      if (low.get(node) === index.get(node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          component.push(member);
        } while (member !== node);
        components.push(component.sort());
      }
    };
    for (const node of [...edges.keys()].sort()) {
      if (!index.has(node)) {
        visit(node);
      }
    }
    return components;
  },

  /** A shortest circle from the component's first module back to it, inside the component (breadth first). */
  cycleThrough: (component, edges) => {
    const [start] = component;
    const previous = new Map();
    const queue = [start];
    while (queue.length) {
      const node = queue.shift();
      for (const next of edges.get(node)?.keys() ?? []) {
        if (next === start) {
          const path = [node];
          while (path[0] !== start) {
            path.unshift(previous.get(path[0]));
          }
          return [...path, start];
        }
        if (component.includes(next) && !previous.has(next)) {
          previous.set(next, node);
          queue.push(next);
        }
      }
    }
    return component;
  }
};

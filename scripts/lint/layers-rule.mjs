// The ESLint rule behind the layering table in eslint.config.js
// (docs/ARCHITECTURE.md "Layers"). It resolves every relative import — static,
// type-only, re-export and dynamic `import()` — to the file it names, finds
// the part (layer) of both files by path prefix, and reports an import the
// table does not allow. A source file under a checked root whose folder is
// not in the table is reported too, so a new folder has to be placed in a
// layer before it can be used.
import { dirname, relative, resolve, sep } from 'node:path';

/**
 * @param {{
 *   root: string,
 *   parts: ReadonlyArray<readonly [prefix: string, part: string]>,
 *   allowed: Readonly<Record<string, readonly string[]>>,
 *   checked: readonly string[],
 * }} table
 *   root: the repository root; parts: path prefixes (relative to root, '/'
 *   separators, most specific first; 'dir/*' for the files directly in dir)
 *   and the part each belongs to;
 *   allowed: for each part, the parts it may import besides itself;
 *   checked: prefixes whose files must all belong to a part.
 */
export function layersRule({ root, parts, allowed, checked }) {
  const toRel = (file) => relative(root, file).split(sep).join('/');
  // 'dir/*' names the files directly in dir; any other prefix, everything under it.
  const matches = (rel, prefix) =>
    prefix.endsWith('/*')
      ? rel.startsWith(prefix.slice(0, -1)) && !rel.slice(prefix.length - 1).includes('/')
      : rel === prefix || rel.startsWith(prefix);
  const partOf = (rel) => parts.find(([prefix]) => matches(rel, prefix))?.[1];

  return {
    meta: {
      type: 'problem',
      docs: {
        description: 'Imports between folders follow the layering table (eslint.config.js).',
      },
      schema: [],
      messages: {
        upward:
          '{{from}} ({{fromPart}}) may not import {{to}} ({{toPart}}): {{fromPart}} may import only {{allowedList}}. Move the shared code down to a layer both may use, or the caller up (docs/ARCHITECTURE.md#layers).',
        unplaced:
          '{{file}} is in no layer of the table in eslint.config.js: add its folder to the table (docs/ARCHITECTURE.md#layers).',
      },
    },
    create(context) {
      const file = context.filename;
      const rel = toRel(file);
      if (rel.startsWith('..')) return {};
      const fromPart = partOf(rel);
      if (fromPart === undefined) {
        if (checked.some((p) => rel.startsWith(p)) && /\.ts$/.test(rel)) {
          return {
            Program(node) {
              context.report({ node, messageId: 'unplaced', data: { file: rel } });
            },
          };
        }
        return {};
      }
      const mayImport = new Set([fromPart, ...(allowed[fromPart] ?? [])]);

      function check(sourceNode) {
        if (!sourceNode || sourceNode.type !== 'Literal' || typeof sourceNode.value !== 'string')
          return;
        const spec = sourceNode.value;
        if (!spec.startsWith('.')) return;
        const target = toRel(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
        const toPart = partOf(target);
        if (toPart === undefined || mayImport.has(toPart)) return;
        context.report({
          node: sourceNode,
          messageId: 'upward',
          data: {
            from: rel,
            fromPart,
            to: target,
            toPart,
            allowedList: (allowed[fromPart] ?? []).join(', ') || 'nothing else',
          },
        });
      }

      return {
        ImportDeclaration: (node) => check(node.source),
        ExportNamedDeclaration: (node) => check(node.source),
        ExportAllDeclaration: (node) => check(node.source),
        ImportExpression: (node) => check(node.source),
      };
    },
  };
}

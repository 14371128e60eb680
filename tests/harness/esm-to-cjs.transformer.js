// NestJS 12 (and zod, file-type…) publish ES modules. Node 20 loads them from CommonJS through
// require(esm), but Jest's module runtime cannot before Node 24.9, so the test run compiles those
// files to CommonJS with swc. `import.meta` has no CommonJS form: it is mapped to __filename first.
const { createTransformer } = require('@swc/jest');

const swc = createTransformer({
  jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' },
  module: { type: 'commonjs' },
  sourceMaps: false,
});

const ESM_SYNTAX = /^\s*(import\s*[\w{*'"]|export\s)/m;

function toCommonJs(source) {
  return (
    source
      // Not require("node:url"): ESM code often declares its own `const require = createRequire(...)`.
      .replace(/\bimport\.meta\.url\b/g, '("file://" + __filename)')
      .replace(/\bimport\.meta\.dirname\b/g, '__dirname')
      .replace(/\bimport\.meta\.filename\b/g, '__filename')
  );
}

module.exports = {
  canInstrument: false,
  process(source, filename, options) {
    if (!ESM_SYNTAX.test(source) && !source.includes('import.meta')) return { code: source };
    return swc.process(toCommonJs(source), filename, options);
  },
  getCacheKey(source, filename, options) {
    return `esm-to-cjs-2:${swc.getCacheKey(source, filename, options)}`;
  },
};

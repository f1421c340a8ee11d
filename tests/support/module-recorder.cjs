// Preloaded into a spawned process (NODE_OPTIONS="--require …/module-recorder.cjs") with
// MODULE_RECORD=<file>: every module the process loads, CommonJS (require) and ES modules
// (import, through a resolve hook), is appended to <file>, one path or URL a line. The
// no-model-code test reads it to prove what a process never loaded.
const fs = require('node:fs');
const Module = require('node:module');
const { pathToFileURL } = require('node:url');

const file = process.env.MODULE_RECORD;
if (file) {
  const load = Module._load;
  Module._load = function recordedLoad(request, parent, isMain) {
    try {
      fs.appendFileSync(file, `${Module._resolveFilename(request, parent, isMain)}\n`);
    } catch {
      fs.appendFileSync(file, `${request}\n`);
    }
    return load.apply(this, arguments);
  };
  Module.register(pathToFileURL(`${__dirname}/module-recorder-hooks.mjs`), { data: { file } });
}

// Runs GitHub's own workflow parser (@actions/workflow-parser, the one behind the Actions
// language service) over workflow files and prints {file: [errors]} as JSON. A separate process
// because the package is ESM-only and jest runs the tests as CommonJS; run it with
// `node --import tsx` since the package imports its JSON schema without an import attribute.
import fs from 'node:fs';
import path from 'node:path';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';

const results = {};
for (const file of process.argv.slice(2)) {
  const parsed = parseWorkflow({ name: path.basename(file), content: fs.readFileSync(file, 'utf8') }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((error) => error.message);
  if (parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    errors.push(...(template.errors ?? []).map((error) => error.Message ?? error.message ?? String(error)));
  }
  results[path.basename(file)] = [...new Set(errors)];
}
process.stdout.write(JSON.stringify(results));

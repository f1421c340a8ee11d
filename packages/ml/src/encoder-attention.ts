import { fields, intAttribute, intsAttribute, join, onnxNode as node, payload, text, write, type Field } from './onnx-wire';

/**
 * The Whisper encoder's self-attention computed a slice of queries at a time, in the graph.
 *
 * Each of the encoder's layers computes softmax(q·kᵀ)·v over 1,500 frames: the scores and their
 * softmax are two [heads, 1500, 1500] float tensors, 72 MB each, alive together. That is most of
 * a transcription's memory peak (~150 MB on top of the loaded model per encoder run). Rows of the
 * attention are independent, so splitting the queries into `chunks` slices and joining the
 * results gives the same numbers, with two [heads, 1500 / chunks, 1500] tensors alive at a time.
 * onnxruntime's execution order (a depth-first topological sort) finishes one slice before the
 * next, so its memory planner reuses their buffers.
 *
 * The pattern, as the transformers.js Whisper exports have it: MatMul(q, kᵀ) → Softmax →
 * Reshape → Reshape (the attention map out to [batch, heads, …] and back, for the attention
 * outputs) → MatMul(·, v). Layers whose attention map is still a graph output are left alone, so
 * apply this after keepGraphOutputs. Returns undefined when no layer has the pattern.
 *
 * `frames` is the encoder's sequence length (1,500 for every Whisper: 30 s of 20 ms frames); the
 * graph's Split needs the sizes (opset 11), and the runtime always feeds whole 30 s windows.
 */
export function chunkEncoderAttention(model: Uint8Array, chunks: number, frames = 1500): Uint8Array | undefined {
  if (chunks < 2 || frames % chunks !== 0) return undefined;
  const modelFields = fields(model);
  const graphField = modelFields.find((field) => field.number === 7);
  if (!graphField) return undefined;
  const graph = payload(model, graphField);
  const graphFields = fields(graph);
  const outputs = new Set(graphFields.filter((field) => field.number === 12).map((field) => valueName(payload(graph, field))));
  const nodes = graphFields.filter((field) => field.number === 1).map((field) => readNode(graph, field));
  const consumers = new Map<string, NodeInfo[]>();
  for (const node of nodes) for (const input of node.inputs) consumers.set(input, [...(consumers.get(input) ?? []), node]);
  const only = (value: string, op: string) => {
    const users = consumers.get(value) ?? [];
    return users.length === 1 && users[0]!.op === op && !outputs.has(value) ? users[0] : undefined;
  };

  const removed = new Set<Field>();
  const replacements = new Map<Field, Uint8Array[]>();
  let layer = 0;
  for (const scores of nodes) {
    if (scores.op !== 'MatMul' || scores.inputs.length !== 2) continue;
    const softmax = only(scores.outputs[0]!, 'Softmax');
    if (!softmax) continue;
    const first = only(softmax.outputs[0]!, 'Reshape');
    const second = first && only(first.outputs[0]!, 'Reshape');
    const values = second && only(second.outputs[0]!, 'MatMul');
    if (!first || !second || !values || values.inputs[0] !== second.outputs[0]) continue;
    const [queries, keys] = scores.inputs as [string, string];
    const at = (suffix: string) => `babelfish/attention_${layer}/${suffix}`;
    const slice = (i: number) => at(`queries_${i}`);
    const parts: Uint8Array[] = [
      node('Split', [queries], Array.from({ length: chunks }, (_, i) => slice(i)), at('split'), [intAttribute('axis', 1), intsAttribute('split', Array(chunks).fill(frames / chunks))]),
    ];
    for (let i = 0; i < chunks; i++) {
      parts.push(
        node('MatMul', [slice(i), keys], [at(`scores_${i}`)], at(`scores_matmul_${i}`)),
        node('Softmax', [at(`scores_${i}`)], [at(`weights_${i}`)], at(`softmax_${i}`), softmax.attributes),
        node('MatMul', [at(`weights_${i}`), values.inputs[1]!], [at(`output_${i}`)], at(`values_matmul_${i}`)),
      );
    }
    parts.push(node('Concat', Array.from({ length: chunks }, (_, i) => at(`output_${i}`)), [values.outputs[0]!], at('concat'), [intAttribute('axis', 1)]));
    replacements.set(scores.field, parts);
    for (const done of [softmax, first, second, values]) removed.add(done.field);
    layer++;
  }
  if (layer === 0) return undefined;
  const newGraph = join(
    graphFields.flatMap((field): Uint8Array[] => {
      if (removed.has(field)) return [];
      const replacement = replacements.get(field);
      if (replacement) return replacement.flatMap((bytes) => write.bytes(1, bytes));
      return [graph.subarray(field.start, field.end)];
    }),
  );
  return join(modelFields.flatMap((field) => (field === graphField ? write.bytes(7, newGraph) : [model.subarray(field.start, field.end)])));
}

type NodeInfo = { field: Field; op: string; inputs: string[]; outputs: string[]; attributes: Uint8Array[] };

/** NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5. */
function readNode(graph: Uint8Array, field: Field): NodeInfo {
  const bytes = payload(graph, field);
  const nodeFields = fields(bytes);
  const strings = (number: number) => nodeFields.filter((entry) => entry.number === number).map((entry) => text(bytes, entry));
  return {
    field,
    op: strings(4)[0] ?? '',
    inputs: strings(1),
    outputs: strings(2),
    attributes: nodeFields.filter((entry) => entry.number === 5).map((entry) => payload(bytes, entry)),
  };
}

function valueName(valueInfo: Uint8Array): string {
  const name = fields(valueInfo).find((field) => field.number === 1);
  return name ? text(valueInfo, name) : '';
}

import { liveNodes, nodesOf, renameInputs, splitDecoder, valueName, initializerName, type NodeInfo } from './cross-attention-graphs';
import { fields, floatTensor, int64Tensor, intAttribute, join, onnxNode as node, payload, write } from './onnx-wire';

/**
 * The merged Whisper decoder with its `If` replaced by one branch: the with-past branch, given a
 * causal mask, run for every step (the first one with a zero-length self-attention past).
 *
 * The merged export holds two copies of the decoder, one per branch of an `If` on
 * `use_cache_branch`: the no-past branch (first step: the prompt) and the with-past branch (one
 * token per step). Their weights are shared initializers, but onnxruntime builds each branch's
 * kernels: with one branch the load's peak is ~50 MB lower and ~13 MB less stays resident
 * (bench/README.md, fourth round; less than the second pre-packed copy it was expected to save).
 *
 * The with-past branch cannot run the prompt as exported: it was traced with one query token, so
 * its self-attention has no causal mask (with one query, every key is allowed) and a 4-token
 * prompt would let each token attend to the ones after it. Here each self-attention Softmax of
 * that branch gets the mask added to its scores, built from the run's shapes as the no-past
 * branch builds its own: key position k is allowed for query position q iff k ≤ past + q (past =
 * the self-attention cache's length, `past_key_values.0.decoder.key` dimension 2); the mask adds
 * 0 where allowed and the lowest float where not — the constants of the no-past branch's mask —
 * so the first step's scores, and all that follows from them, are those of the no-past branch
 * bit for bit, and on later steps (one query, all keys allowed) the mask adds zeros.
 *
 * Expects the decoder as feedCrossAttention (cross-attention-graphs.ts) leaves it: the
 * cross-attention cache is an input of both branches (the with-past branch cannot compute it).
 * The graph then no longer reads `use_cache_branch` nor `encoder_hidden_states`; both inputs go.
 *
 * Returns undefined when the graph does not have the expected shape (another export).
 */

const SELF_KEY = /^present\.(\d+)\.decoder\.key$/;
const CROSS_PRESENT = /^present\.\d+\.encoder\.(key|value)$/;
const PAST_SELF_KEY = 'past_key_values.0.decoder.key';
/** The no-past branch's mask value for a key a query may not see (float32's lowest, −3.4028235e38). */
const MASKED = -3.4028234663852886e38;

export function singleDecoderBranch(model: Uint8Array): Uint8Array | undefined {
  const parts = splitDecoder(model);
  if (!parts) return undefined;
  const { graph, graphFields, withPast } = parts;
  const topNodes = nodesOf(graph);
  const ifInfo = topNodes.find((entry) => entry.field.start === parts.ifField.start)!;
  if (ifInfo.outputs.some((name) => CROSS_PRESENT.test(name))) return undefined; // the cache is not fed yet
  const branchOutputs = fields(withPast.graph)
    .filter((field) => field.number === 12)
    .map((field) => valueName(payload(withPast.graph, field)));
  if (branchOutputs.length !== ifInfo.outputs.length) return undefined;
  const inputs = graphFields.filter((field) => field.number === 11).map((field) => valueName(payload(graph, field)));
  if (!inputs.includes('input_ids') || !inputs.includes(PAST_SELF_KEY)) return undefined;

  const branchNodes = nodesOf(withPast.graph);
  const softmaxes = selfAttentionSoftmaxes(branchNodes);
  const layers = new Set(ifInfo.outputs.flatMap((name) => SELF_KEY.exec(name)?.[1] ?? []));
  if (softmaxes.size === 0 || softmaxes.size !== layers.size) return undefined;

  const at = (name: string) => `babelfish/causal_mask/${name}`;
  const mask = at('mask');
  const constants = [
    int64Tensor(at('zero'), [0], []),
    int64Tensor(at('one'), [1], []),
    int64Tensor(at('two'), [2], []),
    int64Tensor(at('column'), [-1, 1]),
    floatTensor(at('allowed'), [0], []),
    floatTensor(at('masked'), [MASKED], []),
  ];
  // Scalars from the shapes: T (query tokens) = input_ids' dimension 1, P (past) = the cache's
  // dimension 2; keys 0…P+T−1, queries P…P+T−1 as a column; masked where query < key. (Opset 11:
  // no LessOrEqual, and Unsqueeze takes attributes, so a Reshape makes the column.)
  const maskNodes = [
    node('Shape', ['input_ids'], [at('ids_shape')], at('ids_shape')),
    node('Gather', [at('ids_shape'), at('one')], [at('queries')], at('queries'), [intAttribute('axis', 0)]),
    node('Shape', [PAST_SELF_KEY], [at('past_shape')], at('past_shape')),
    node('Gather', [at('past_shape'), at('two')], [at('past')], at('past'), [intAttribute('axis', 0)]),
    node('Add', [at('past'), at('queries')], [at('keys')], at('keys')),
    node('Range', [at('zero'), at('keys'), at('one')], [at('key_positions')], at('key_positions')),
    node('Range', [at('past'), at('keys'), at('one')], [at('query_positions')], at('query_positions')),
    node('Reshape', [at('query_positions'), at('column')], [at('query_column')], at('query_column')),
    node('Less', [at('query_column'), at('key_positions')], [at('future')], at('future')),
    node('Where', [at('future'), at('masked'), at('allowed')], [mask], at('where')),
  ];

  // The branch's nodes, each self-attention Softmax reading its scores plus the mask.
  const inlined = branchNodes.flatMap((entry) => {
    if (!softmaxes.has(entry)) return [entry.bytes];
    const scores = entry.inputs[0]!;
    const maskedScores = `${scores}/babelfish_causal`;
    return [node('Add', [scores, mask], [maskedScores], `${maskedScores}/add`), renameInputs(entry.bytes, new Map([[scores, maskedScores]]))];
  });
  // Where a branch output is not named as the If's output, an Identity gives it that name.
  const renames = ifInfo.outputs.flatMap((name, index) => (branchOutputs[index] === name ? [] : [node('Identity', [branchOutputs[index]!], [name], `babelfish/branch_output/${name}`)]));
  const replacement = [...maskNodes, ...inlined, ...renames];

  // What the new top level reads: the live top nodes, the inlined ones, the graph outputs.
  const replacementInfo = replacement.map((bytes) => nodeInfo(bytes));
  const topOutputs = graphFields.filter((field) => field.number === 12).map((field) => valueName(payload(graph, field)));
  const others = topNodes.filter((entry) => entry !== ifInfo);
  const all = [...others, ...replacementInfo];
  const live = liveNodes(all, topOutputs);
  const read = new Set([...all.filter((_, index) => live.has(index)).flatMap((entry) => entry.inputs), ...topOutputs]);
  const liveOther = new Set(others.filter((_, index) => live.has(index)));
  const branchExtras = fields(withPast.graph).filter((field) => field.number === 5 || field.number === 13);

  // Joined once, into the model (77 MB for whisper-base: every intermediate copy adds to the load's peak).
  const graphParts = graphFields.flatMap((field): Uint8Array[] => {
    if (field.start === parts.ifField.start) return replacement.flatMap((bytes) => write.bytes(1, bytes));
    if (field.number === 1) return liveOther.has(topNodes.find((entry) => entry.field.start === field.start)!) ? [graph.subarray(field.start, field.end)] : [];
    if (field.number === 5 && !read.has(initializerName(payload(graph, field)))) return [];
    if (field.number === 11 && !read.has(valueName(payload(graph, field)))) return [];
    return [graph.subarray(field.start, field.end)];
  });
  // Then the branch's own initializers and shape annotations, and the mask's constants.
  graphParts.push(...branchExtras.map((extra) => withPast.graph.subarray(extra.start, extra.end)), ...constants.flatMap((tensor) => write.bytes(5, tensor)));
  return join(parts.modelFields.flatMap((field) => (field.start === parts.graphField.start ? write.parts(7, graphParts) : [model.subarray(field.start, field.end)])));
}

/**
 * The with-past branch's self-attention Softmax nodes: those whose scores are a MatMul against
 * the transposed keys of `present.L.decoder.key` (this step's keys joined to the past), as
 * opposed to the cross-attention ones (against `past_key_values.L.encoder.key`).
 */
function selfAttentionSoftmaxes(nodes: NodeInfo[]): Set<NodeInfo> {
  const byOutput = new Map(nodes.flatMap((entry) => entry.outputs.map((output) => [output, entry] as const)));
  const found = new Set<NodeInfo>();
  for (const softmax of nodes.filter((entry) => entry.op === 'Softmax')) {
    const matmul = byOutput.get(softmax.inputs[0] ?? '');
    const transpose = matmul?.op === 'MatMul' ? byOutput.get(matmul.inputs[1] ?? '') : undefined;
    const reshape = transpose?.op === 'Transpose' ? byOutput.get(transpose.inputs[0] ?? '') : undefined;
    if (reshape?.op === 'Reshape' && SELF_KEY.test(reshape.inputs[0] ?? '')) found.add(softmax);
  }
  return found;
}

function nodeInfo(bytes: Uint8Array): Pick<NodeInfo, 'op' | 'inputs' | 'outputs'> {
  const [parsed] = nodesOf(join(write.bytes(1, bytes)));
  return parsed!;
}

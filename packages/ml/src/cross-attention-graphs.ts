import { fields, int64Tensor, join, payload, text, write, type Field } from './onnx-wire';

/**
 * The decoder's cross-attention keys and values computed outside the decoder, one layer at a time.
 *
 * The merged decoder's first step (its no-past branch) computes every layer's cross-attention
 * keys/values from the encoder states and returns them as outputs, which later steps feed back.
 * onnxruntime-node copies every output into a new JavaScript buffer after the run, so at the end
 * of that step the batch's whole cache (37 MB per window) exists twice: onnxruntime's and
 * JavaScript's — the worker's peak. Here:
 *
 * - `feedCrossAttention(decoder)` edits the decoder so that its no-past branch reads the
 *   keys/values from its `past_key_values.*.encoder.*` inputs, like the other branch, and no
 *   longer outputs them (nor computes them);
 * - `crossAttentionGraphs(decoder)` builds one small graph per layer from the same nodes of that
 *   branch (the encoder states quantized by the same DynamicQuantizeLinear over the whole batch,
 *   the same 8-bit matmuls, scales and biases), so the values are bit-identical; run one after the
 *   other, only one layer's keys/values are ever held twice.
 *
 * Both return undefined when the graph does not have the expected shape (another export).
 */

export type NodeInfo = { field: Field; op: string; inputs: string[]; outputs: string[]; bytes: Uint8Array };

const ENCODER_PRESENT = /^present\.(\d+)\.encoder\.(key|value)$/;

export function nodesOf(graph: Uint8Array): NodeInfo[] {
  return fields(graph)
    .filter((field) => field.number === 1)
    .map((field) => {
      const bytes = payload(graph, field);
      const nodeFields = fields(bytes);
      const strings = (number: number) => nodeFields.filter((entry) => entry.number === number).map((entry) => text(bytes, entry));
      return { field, op: strings(4)[0] ?? '', inputs: strings(1), outputs: strings(2), bytes };
    });
}

export function valueName(valueInfo: Uint8Array): string {
  const name = fields(valueInfo).find((field) => field.number === 1);
  return name ? text(valueInfo, name) : '';
}

export function initializerName(tensor: Uint8Array): string {
  const name = fields(tensor).find((field) => field.number === 8);
  return name ? text(tensor, name) : '';
}

export type DecoderParts = {
  modelFields: Field[];
  graphField: Field;
  graph: Uint8Array;
  graphFields: Field[];
  ifField: Field;
  ifNode: Uint8Array;
  /** The no-past branch: its attribute field in the If node, the attribute, and the graph. */
  noPast: { attributeField: Field; attribute: Uint8Array; branchField: Field; graph: Uint8Array };
  withPast: { attributeField: Field; attribute: Uint8Array; branchField: Field; graph: Uint8Array };
};

/** The merged decoder's top graph, its one If node and the If's two branches (undefined: another shape). */
export function splitDecoder(model: Uint8Array): DecoderParts | undefined {
  const modelFields = fields(model);
  const graphField = modelFields.find((field) => field.number === 7);
  if (!graphField) return undefined;
  const graph = payload(model, graphField);
  const graphFields = fields(graph);
  const ifs = graphFields.filter((field) => field.number === 1 && nodesOf(graph).find((node) => node.field.start === field.start)?.op === 'If');
  if (ifs.length !== 1) return undefined;
  const ifField = ifs[0]!;
  const ifNode = payload(graph, ifField);
  const branches: Record<string, DecoderParts['noPast']> = {};
  for (const attributeField of fields(ifNode).filter((field) => field.number === 5)) {
    const attribute = payload(ifNode, attributeField);
    const attributeFields = fields(attribute);
    const name = attributeFields.find((field) => field.number === 1);
    const branchField = attributeFields.find((field) => field.number === 6);
    if (name && branchField) branches[text(attribute, name)] = { attributeField, attribute, branchField, graph: payload(attribute, branchField) };
  }
  // use_cache_branch true = then_branch (with past), false = else_branch (no past).
  if (!branches.then_branch || !branches.else_branch) return undefined;
  return { modelFields, graphField, graph, graphFields, ifField, ifNode, noPast: branches.else_branch, withPast: branches.then_branch };
}

/** The nodes of `graph` that `outputs` depend on, stopping at values not produced in it; in graph order. */
function producers(nodes: NodeInfo[], outputs: string[], skipInput: (node: NodeInfo, index: number) => boolean): NodeInfo[] {
  const byOutput = new Map(nodes.flatMap((node) => node.outputs.map((output) => [output, node] as const)));
  const needed = new Set<NodeInfo>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const node = byOutput.get(stack.pop()!);
    if (!node || needed.has(node)) continue;
    needed.add(node);
    node.inputs.forEach((input, index) => {
      if (input && !skipInput(node, index)) stack.push(input);
    });
  }
  return nodes.filter((node) => needed.has(node));
}

/** The decoder with its no-past branch reading the cross-attention cache from its inputs. */
export function feedCrossAttention(model: Uint8Array): Uint8Array | undefined {
  const parts = splitDecoder(model);
  if (!parts) return undefined;
  const { graph, graphFields, ifNode, noPast, withPast } = parts;
  const ifFields = fields(ifNode);
  const ifOutputs = ifFields.filter((field) => field.number === 2);
  const dropped = new Set(ifOutputs.flatMap((field, index) => (ENCODER_PRESENT.test(text(ifNode, field)) ? [index] : [])));
  if (dropped.size === 0) return undefined;
  const droppedNames = new Set([...dropped].map((index) => text(ifNode, ifOutputs[index]!)));

  const withoutOutputs = (branch: Uint8Array): Uint8Array => {
    let index = -1;
    return join(
      fields(branch).flatMap((field) => {
        if (field.number === 12 && dropped.has(++index)) return [];
        return [branch.subarray(field.start, field.end)];
      }),
    );
  };

  // No-past branch: the consumers of present.L.encoder.* read past_key_values.L.encoder.*; what
  // only computed them is removed.
  const branchOutputNames = fields(noPast.graph)
    .filter((field) => field.number === 12)
    .map((field) => valueName(payload(noPast.graph, field)));
  const renamed = new Map(branchOutputNames.flatMap((name, index) => (dropped.has(index) ? [[name, name.replace(/^present\./, 'past_key_values.')] as const] : [])));
  const nodes = nodesOf(noPast.graph);
  const keptOutputs = branchOutputNames.filter((_, index) => !dropped.has(index));
  const rewritten = nodes.map((node) => (node.inputs.some((input) => renamed.has(input)) ? { ...node, bytes: renameInputs(node.bytes, renamed) } : node));
  const live = liveNodes(
    rewritten.map((node) => ({ ...node, inputs: node.inputs.map((input) => renamed.get(input) ?? input) })),
    keptOutputs,
  );
  const noPastGraph = withoutOutputs(
    join(
      fields(noPast.graph).flatMap((field): Uint8Array[] => {
        if (field.number !== 1) return [noPast.graph.subarray(field.start, field.end)];
        const index = nodes.findIndex((node) => node.field.start === field.start);
        return live.has(index) ? write.bytes(1, rewritten[index]!.bytes) : [];
      }),
    ),
  );
  if (live.size === nodes.length) return undefined;
  // With-past branch: the (empty) constants it gave for those outputs go too.
  const withPastNodes = nodesOf(withPast.graph);
  const withPastOutputs = fields(withPast.graph)
    .filter((field) => field.number === 12)
    .map((field) => valueName(payload(withPast.graph, field)))
    .filter((_, index) => !dropped.has(index));
  const withPastLive = liveNodes(withPastNodes, withPastOutputs);
  const withPastGraph = withoutOutputs(
    join(
      fields(withPast.graph).flatMap((field): Uint8Array[] => {
        if (field.number !== 1) return [withPast.graph.subarray(field.start, field.end)];
        return withPastLive.has(withPastNodes.findIndex((node) => node.field.start === field.start)) ? [withPast.graph.subarray(field.start, field.end)] : [];
      }),
    ),
  );

  const newIf = join(
    (() => {
      let outputIndex = -1;
      return ifFields.flatMap((field): Uint8Array[] => {
        if (field.number === 2 && dropped.has(++outputIndex)) return [];
        if (field.start === noPast.attributeField.start) return write.bytes(5, replaceField(noPast.attribute, noPast.branchField, write.bytes(6, noPastGraph)));
        if (field.start === withPast.attributeField.start) return write.bytes(5, replaceField(withPast.attribute, withPast.branchField, write.bytes(6, withPastGraph)));
        return [ifNode.subarray(field.start, field.end)];
      });
    })(),
  );
  // The top level: the If node replaced, its dropped outputs no longer graph outputs, and nodes
  // that only fed them (the encoder states' quantization) removed.
  const topNodes = nodesOf(graph);
  const topOutputs = graphFields.filter((field) => field.number === 12).map((field) => valueName(payload(graph, field)));
  const ifInfo = topNodes.find((node) => node.field.start === parts.ifField.start)!;
  const ifInputs = new Set([...ifInfo.inputs, ...outerValues(noPastGraph), ...outerValues(withPastGraph)]);
  const topLive = liveNodes(
    topNodes.map((node) => (node === ifInfo ? { ...node, inputs: [...ifInputs] } : node)),
    topOutputs.filter((name) => !droppedNames.has(name)),
  );
  // Initializers only the removed nodes read (the cross-attention projections' weights) go too.
  const read = new Set([...ifInputs, ...topNodes.filter((_, index) => topLive.has(index)).flatMap((node) => node.inputs)]);
  const newGraph = join(
    graphFields.flatMap((field): Uint8Array[] => {
      if (field.number === 5 && !read.has(initializerName(payload(graph, field)))) return [];
      if (field.start === parts.ifField.start) return write.bytes(1, newIf);
      if (field.number === 12 && droppedNames.has(valueName(payload(graph, field)))) return [];
      if (field.number === 1 && !topLive.has(topNodes.findIndex((node) => node.field.start === field.start))) return [];
      return [graph.subarray(field.start, field.end)];
    }),
  );
  return join(parts.modelFields.flatMap((field) => (field.start === parts.graphField.start ? write.bytes(7, newGraph) : [model.subarray(field.start, field.end)])));
}

/**
 * One graph per decoder layer: encoder_hidden_states [B, 1500, d] → present.L.encoder.key/value
 * [B, heads, 1500, head size], from the decoder's own nodes (see above). Index = layer.
 */
export function crossAttentionGraphs(model: Uint8Array, heads: number, headSize: number): Uint8Array[] | undefined {
  const parts = splitDecoder(model);
  if (!parts) return undefined;
  const { graph, graphFields, noPast } = parts;
  const topNodes = nodesOf(graph);
  const initializers = new Map(graphFields.filter((field) => field.number === 5).map((field) => [initializerName(payload(graph, field)), graph.subarray(field.start, field.end)]));
  const hiddenInput = graphFields.find((field) => field.number === 11 && valueName(payload(graph, field)) === 'encoder_hidden_states');
  if (!hiddenInput) return undefined;
  const branchNodes = nodesOf(noPast.graph);
  const outputs = fields(noPast.graph)
    .filter((field) => field.number === 12)
    .map((field) => ({ name: valueName(payload(noPast.graph, field)), bytes: noPast.graph.subarray(field.start, field.end) }));
  const layers = new Map<number, typeof outputs>();
  for (const output of outputs) {
    const match = ENCODER_PRESENT.exec(output.name);
    if (match) layers.set(Number(match[1]), [...(layers.get(Number(match[1])) ?? []), output]);
  }
  if (layers.size === 0) return undefined;
  const opsets = parts.modelFields.filter((field) => field.number !== 7);
  const result: Uint8Array[] = [];
  for (let layer = 0; layer < layers.size; layer++) {
    const layerOutputs = layers.get(layer);
    if (!layerOutputs || layerOutputs.length !== 2) return undefined;
    const shape = `babelfish/cross_attention_${layer}/shape`;
    // The Reshape's target shape is computed from the token path in the decoder; here it is the
    // same [batch, frames, heads, head size] as a constant (Reshape and Transpose only move bytes).
    const chain = producers(branchNodes, layerOutputs.map((output) => output.name), (node, index) => node.op === 'Reshape' && index === 1);
    if (chain.some((node) => !['MatMulInteger', 'Cast', 'Mul', 'Add', 'Reshape', 'Transpose'].includes(node.op))) return undefined;
    const chainValues = new Set(chain.flatMap((node) => node.outputs));
    const outer = new Set(chain.flatMap((node) => node.inputs.filter((input, index) => input && !chainValues.has(input) && !(node.op === 'Reshape' && index === 1))));
    const top = producers(topNodes, [...outer], () => false);
    if (top.some((node) => node.op !== 'DynamicQuantizeLinear' || node.inputs[0] !== 'encoder_hidden_states')) return undefined;
    const topValues = new Set(top.flatMap((node) => node.outputs));
    const needed = [...outer].filter((value) => !topValues.has(value));
    if (needed.some((value) => !initializers.has(value))) return undefined;
    const nodes = [
      ...top.map((node) => node.bytes),
      ...chain.map((node) => (node.op === 'Reshape' ? renameInputs(node.bytes, new Map([[node.inputs[1]!, shape]])) : node.bytes)),
    ];
    const newGraph = join([
      ...nodes.flatMap((bytes) => write.bytes(1, bytes)),
      ...write.string(2, `cross_attention_${layer}`),
      ...needed.map((value) => initializers.get(value)!),
      ...write.bytes(5, int64Tensor(shape, [0, -1, heads, headSize])),
      graph.subarray(hiddenInput.start, hiddenInput.end),
      ...layerOutputs.map((output) => output.bytes),
    ]);
    result.push(join([...opsets.map((field) => model.subarray(field.start, field.end)), ...write.bytes(7, newGraph)]));
  }
  return result;
}

/** Indices of the nodes whose outputs reach `outputs` (dead ones are left out). */
export function liveNodes(nodes: Pick<NodeInfo, 'inputs' | 'outputs' | 'op'>[], outputs: string[]): Set<number> {
  const byOutput = new Map(nodes.flatMap((node, index) => node.outputs.map((output) => [output, index] as const)));
  const live = new Set<number>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const index = byOutput.get(stack.pop()!);
    if (index === undefined || live.has(index)) continue;
    live.add(index);
    stack.push(...nodes[index]!.inputs.filter(Boolean));
  }
  return live;
}

/** Values a subgraph reads from the enclosing graph (node inputs it does not produce). */
function outerValues(graph: Uint8Array): string[] {
  const nodes = nodesOf(graph);
  const produced = new Set(nodes.flatMap((node) => node.outputs));
  return [...new Set(nodes.flatMap((node) => node.inputs.filter((input) => input && !produced.has(input))))];
}

export function renameInputs(node: Uint8Array, renamed: ReadonlyMap<string, string>): Uint8Array {
  return join(
    fields(node).flatMap((field): Uint8Array[] => {
      if (field.number !== 1) return [node.subarray(field.start, field.end)];
      const name = text(node, field);
      return renamed.has(name) ? write.string(1, renamed.get(name)!) : [node.subarray(field.start, field.end)];
    }),
  );
}

export function replaceField(message: Uint8Array, old: Field, replacement: Uint8Array[]): Uint8Array {
  return join(fields(message).flatMap((field) => (field.start === old.start ? replacement : [message.subarray(field.start, field.end)])));
}

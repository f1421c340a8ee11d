import { fields, int32Tensor, intAttribute, join, onnxNode as node, payload, readVarint, text, uint8Tensor, write, type Field } from './onnx-wire';

/**
 * The q8 Whisper decoder's output projection as an 8-bit matmul, in the graph itself.
 *
 * The export shares the projection's weights with the token embedding (51,865 × 512, 8-bit), so
 * each branch of the merged decoder computes logits as Transpose(int8) → DequantizeLinear →
 * MatMul. Left as it is, onnxruntime re-expands the weights to float on every step (20 ms of a
 * 30 ms step); with QDQ handling off (what we did before) it folds them once at load, into a
 * float copy per branch: +250 MB resident and +430 MB at the peak of the session's creation.
 * Here both branches instead quantize the hidden state (DynamicQuantizeLinear, as every other
 * matmul of this dynamically quantized model does, and a second time for the rounding residue)
 * and multiply it with one shared, transposed 8-bit copy of the weights (MatMulInteger), then
 * scale back to float: 26 MB instead of 212 MB, and each step reads a quarter of the bytes. The
 * logits stay within a few thousandths of the float product (graph-edits.spec.ts).
 *
 * `matmuls`: how the two passes reach the weights. onnxruntime pre-packs an 8-bit matmul's
 * weights per node, so with a MatMulInteger per pass (`per-pass`, up to 2026-12-01) the 26 MB
 * table is held pre-packed twice. `joined` (default) stacks both quantized passes along the
 * batch axis and runs one MatMulInteger, with a zero point of 0 for the stacked input; each
 * pass's own zero point is then taken out in 32-bit integers (its zero point × the weights'
 * column sums, computed here), which is exact, so the logits are bit for bit those of `per-pass`
 * (graph-edits.spec.ts) with one pre-packed copy (the decoder session 141 → 121 MB, the worker's
 * peak −25 to −30 MB: bench/README.md, sixth round).
 *
 * Returns undefined when the graph does not have that shape (another export): the caller then
 * loads the file as it is.
 */
export type ProjectionMatmuls = 'joined' | 'per-pass';

export function quantizeOutputProjection(model: Uint8Array, matmuls: ProjectionMatmuls = 'joined'): Uint8Array | undefined {
  const modelFields = fields(model);
  const graphField = modelFields.find((field) => field.number === 7);
  if (!graphField) return undefined;
  const graph = payload(model, graphField);
  const graphFields = fields(graph);
  const initializers = new Map(graphFields.filter((field) => field.number === 5).map((field) => [initializerName(payload(graph, field)), field]));

  let shared: { name: string; bytes: Uint8Array; columnSums?: Uint8Array } | undefined;
  let rewritten = 0;
  const newGraphParts = graphFields.map((field): Uint8Array[] => {
    const whole = [graph.subarray(field.start, field.end)];
    if (field.number !== 1) return whole;
    const node = payload(graph, field);
    const nodeFields = fields(node);
    if (opType(node, nodeFields) !== 'If') return whole;
    const newNodeParts = nodeFields.map((nodeField): Uint8Array[] => {
      const same = [node.subarray(nodeField.start, nodeField.end)];
      if (nodeField.number !== 5) return same;
      const attribute = payload(node, nodeField);
      const attributeFields = fields(attribute);
      const branch = attributeFields.find((entry) => entry.number === 6);
      const name = attributeFields.find((entry) => entry.number === 1);
      if (!branch || !name) return same;
      const edit = rewriteBranch(payload(attribute, branch), text(attribute, name), initializers, graph, matmuls);
      if (!edit) return same;
      if (shared && shared.name !== edit.weights.name) return same; // two different projections: leave this one
      shared ??= {
        name: edit.weights.name,
        bytes: transposedInitializer(graph, initializers.get(edit.weights.source)!, edit.weights.name),
        columnSums: edit.columnSums ? columnSumsInitializer(graph, initializers.get(edit.weights.source)!, edit.columnSums.zeroPoint, edit.columnSums.name) : undefined,
      };
      rewritten++;
      const newAttribute = join(attributeFields.flatMap((entry) => (entry === branch ? write.bytes(6, edit.graph) : [attribute.subarray(entry.start, entry.end)])));
      return write.bytes(5, newAttribute);
    });
    return write.bytes(1, join(newNodeParts.flat()));
  });
  if (!shared || rewritten === 0) return undefined;
  const newGraph = join([
    ...newGraphParts.flat(),
    ...write.bytes(5, shared.bytes),
    ...(shared.columnSums ? [...write.bytes(5, shared.columnSums), ...write.bytes(5, uint8Tensor(NO_ZERO_POINT, [0], []))] : []),
  ]);
  return join(modelFields.flatMap((field) => (field === graphField ? write.bytes(7, newGraph) : [model.subarray(field.start, field.end)])));
}

type NodeInfo = { field: Field; op: string; inputs: string[]; outputs: string[]; bytes: Uint8Array };

function rewriteBranch(
  branch: Uint8Array,
  branchName: string,
  initializers: Map<string, Field>,
  graph: Uint8Array,
  matmuls: ProjectionMatmuls,
): { graph: Uint8Array; weights: { source: string; name: string }; columnSums?: { name: string; zeroPoint: number } } | undefined {
  const branchFields = fields(branch);
  const nodes: NodeInfo[] = branchFields
    .filter((field) => field.number === 1)
    .map((field) => {
      const bytes = payload(branch, field);
      const nodeFields = fields(bytes);
      const strings = (number: number) => nodeFields.filter((entry) => entry.number === number).map((entry) => text(bytes, entry));
      return { field, op: opType(bytes, nodeFields), inputs: strings(1), outputs: strings(2), bytes };
    });
  const consumers = (value: string) => nodes.filter((node) => node.inputs.includes(value));
  for (const transpose of nodes) {
    if (transpose.op !== 'Transpose' || !initializers.has(transpose.inputs[0]!)) continue;
    const source = transpose.inputs[0]!;
    if (!isTwoDimensionalInteger(payload(graph, initializers.get(source)!)) || hasPerm(transpose.bytes)) continue;
    const [dequantize, ...otherUses] = consumers(transpose.outputs[0]!);
    if (!dequantize || otherUses.length > 0 || dequantize.op !== 'DequantizeLinear' || dequantize.inputs[0] !== transpose.outputs[0]) continue;
    const [matmul, ...otherFloatUses] = consumers(dequantize.outputs[0]!);
    if (!matmul || otherFloatUses.length > 0 || matmul.op !== 'MatMul' || matmul.inputs[1] !== dequantize.outputs[0]) continue;
    const [scale, zeroPoint] = [dequantize.inputs[1], dequantize.inputs[2]];
    if (!scale || !zeroPoint) continue;

    const weights = `${source}/babelfish_transposed`;
    const at = (suffix: string) => `babelfish/${branchName}/logits_${suffix}`;
    const hidden = matmul.inputs[0]!;
    // Two passes: the hidden state quantized, then what that rounding left out quantized again,
    // each multiplied with the same 8-bit weights. One pass alone moved logits by up to 0.26
    // (enough to move P(no speech) across its threshold on a test tone); two leave the hidden
    // state's rounding ~1/256 of that, and the weights' own 8 bits are what the model has anyway.
    const pass = (input: string, n: number) => [
      node('DynamicQuantizeLinear', [input], [at(`quantized_${n}`), at(`scale_${n}`), at(`zero_point_${n}`)], at(`quantize_${n}`)),
      node('MatMulInteger', [at(`quantized_${n}`), weights, at(`zero_point_${n}`), zeroPoint], [at(`integer_${n}`)], at(`matmul_${n}`)),
      node('Cast', [at(`integer_${n}`)], [at(`float_${n}`)], at(`cast_${n}`), [castToFloat]),
      node('Mul', [at(`scale_${n}`), scale], [at(`product_scale_${n}`)], at(`scale_mul_${n}`)),
    ];
    const residual = [
      node('DequantizeLinear', [at('quantized_1'), at('scale_1'), at('zero_point_1')], [at('rounded_1')], at('dequantize_1')),
      node('Sub', [hidden, at('rounded_1')], [at('residual')], at('residual_sub')),
    ];
    const sum = [
      node('Mul', [at('float_1'), at('product_scale_1')], [at('part_1')], at('mul_1')),
      node('Mul', [at('float_2'), at('product_scale_2')], [at('part_2')], at('mul_2')),
      node('Add', [at('part_1'), at('part_2')], [matmul.outputs[0]!], at('add')),
    ];
    const weightsZeroPoint = matmuls === 'joined' ? scalarZeroPoint(graph, initializers.get(zeroPoint)) : undefined;
    let replacement: Uint8Array[];
    let columnSums: { name: string; zeroPoint: number } | undefined;
    if (weightsZeroPoint === undefined) {
      replacement = [...pass(hidden, 1), ...residual, ...pass(at('residual'), 2), ...sum];
    } else {
      // Σk (a−za)(b−zb) = Σk a(b−zb) − za·Σk (b−zb): one matmul of both passes with a zero point
      // of 0, then each pass's za times the weights' column sums, subtracted in int32 (exact:
      // |a(b−zb)| ≤ 255², times d_model rows — 512 here, 1,280 for large-v3 — is far inside int32).
      columnSums = { name: `${source}/babelfish_column_sums`, zeroPoint: weightsZeroPoint };
      const quantize = (input: string, n: number) =>
        node('DynamicQuantizeLinear', [input], [at(`quantized_${n}`), at(`scale_${n}`), at(`zero_point_${n}`)], at(`quantize_${n}`));
      const unshift = (n: number) => [
        node('Cast', [at(`zero_point_${n}`)], [at(`zero_point_int_${n}`)], at(`zero_point_cast_${n}`), [castToInt32]),
        node('Mul', [at(`zero_point_int_${n}`), columnSums!.name], [at(`offset_${n}`)], at(`offset_${n}`)),
        node('Sub', [at(`stacked_integer_${n}`), at(`offset_${n}`)], [at(`integer_${n}`)], at(`unshift_${n}`)),
        node('Cast', [at(`integer_${n}`)], [at(`float_${n}`)], at(`cast_${n}`), [castToFloat]),
        node('Mul', [at(`scale_${n}`), scale], [at(`product_scale_${n}`)], at(`scale_mul_${n}`)),
      ];
      replacement = [
        quantize(hidden, 1),
        ...residual,
        quantize(at('residual'), 2),
        node('Concat', [at('quantized_1'), at('quantized_2')], [at('stacked')], at('stack'), [intAttribute('axis', 0)]),
        node('MatMulInteger', [at('stacked'), weights, NO_ZERO_POINT, zeroPoint], [at('stacked_integer')], at('matmul')),
        node('Split', [at('stacked_integer')], [at('stacked_integer_1'), at('stacked_integer_2')], at('unstack'), [intAttribute('axis', 0)]),
        ...unshift(1),
        ...unshift(2),
        ...sum,
      ];
    }
    const removed = new Set([transpose.field, dequantize.field]);
    const parts = branchFields.flatMap((field): Uint8Array[] => {
      if (removed.has(field)) return [];
      if (field === matmul.field) return replacement.flatMap((bytes) => write.bytes(1, bytes));
      return [branch.subarray(field.start, field.end)];
    });
    return { graph: join(parts), weights: { source, name: weights }, columnSums };
  }
  return undefined;
}

/** TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9. */
function initializerName(tensor: Uint8Array): string {
  const name = fields(tensor).find((field) => field.number === 8);
  return name ? text(tensor, name) : '';
}

const UINT8 = 2;
const INT8 = 3;

function isTwoDimensionalInteger(tensor: Uint8Array): boolean {
  const tensorFields = fields(tensor);
  const dims = tensorFields.filter((field) => field.number === 1 && field.wire === 0);
  const type = tensorFields.find((field) => field.number === 2)?.value;
  const raw = tensorFields.find((field) => field.number === 9);
  return dims.length === 2 && (type === UINT8 || type === INT8) && raw !== undefined && raw.end - raw.dataStart === dims[0]!.value! * dims[1]!.value!;
}

/** The [rows, cols] initializer as a new [cols, rows] initializer named `name`. */
function transposedInitializer(graph: Uint8Array, field: Field, name: string): Uint8Array {
  const tensor = payload(graph, field);
  const tensorFields = fields(tensor);
  const [rows, cols] = tensorFields.filter((entry) => entry.number === 1).map((entry) => entry.value!);
  const type = tensorFields.find((entry) => entry.number === 2)!.value!;
  const raw = payload(tensor, tensorFields.find((entry) => entry.number === 9)!);
  const out = new Uint8Array(raw.length);
  // Row by row of the source, so reads are sequential; 26 MB for whisper-base, ~0.1 s.
  for (let r = 0; r < rows!; r++) {
    const row = raw.subarray(r * cols!, (r + 1) * cols!);
    for (let c = 0; c < cols!; c++) out[c * rows! + r] = row[c]!;
  }
  return join([write.varint(1, cols!), write.varint(1, rows!), write.varint(2, type), ...write.string(8, name), ...write.bytes(9, out)]);
}

/**
 * The projection's column sums less the zero point, as an INT32 [vocabulary] initializer named
 * `name`: for output v, Σk (w[k][v] − zp) over the transposed weights, which is the sum of row v
 * of the export's [vocabulary, width] table (`field`). What one unit of the input's zero point
 * takes from that output.
 */
function columnSumsInitializer(graph: Uint8Array, field: Field, zeroPoint: number, name: string): Uint8Array {
  const tensor = payload(graph, field);
  const tensorFields = fields(tensor);
  const [rows, cols] = tensorFields.filter((entry) => entry.number === 1).map((entry) => entry.value!);
  const signed = tensorFields.find((entry) => entry.number === 2)!.value === INT8;
  const raw = payload(tensor, tensorFields.find((entry) => entry.number === 9)!);
  const values = signed ? new Int8Array(raw.buffer, raw.byteOffset, raw.length) : raw;
  const sums = new Int32Array(rows!);
  for (let r = 0; r < rows!; r++) {
    let sum = 0;
    for (let c = r * cols!, end = c + cols!; c < end; c++) sum += values[c]! - zeroPoint;
    sums[r] = sum;
  }
  return int32Tensor(name, sums);
}

/** A scalar 8-bit zero point's value (raw_data or int32_data), or undefined when it is not one. */
function scalarZeroPoint(graph: Uint8Array, field: Field | undefined): number | undefined {
  if (!field) return undefined;
  const tensorFields = fields(payload(graph, field));
  const tensor = payload(graph, field);
  if (tensorFields.some((entry) => entry.number === 1 && entry.wire === 0 && entry.value !== 1)) return undefined;
  const type = tensorFields.find((entry) => entry.number === 2)?.value;
  if (type !== UINT8 && type !== INT8) return undefined;
  const raw = tensorFields.find((entry) => entry.number === 9);
  if (raw) {
    const bytes = payload(tensor, raw);
    if (bytes.length !== 1) return undefined;
    return type === INT8 ? new Int8Array(bytes.buffer, bytes.byteOffset, 1)[0] : bytes[0];
  }
  // int32_data (field 5): one varint, or packed.
  const int32 = tensorFields.find((entry) => entry.number === 5);
  if (!int32) return undefined;
  const value = int32.wire === 0 ? int32.value! : readVarint(tensor, int32.dataStart)[0];
  return type === INT8 && value > 127 ? value - 256 : value;
}

function opType(node: Uint8Array, nodeFields: Field[]): string {
  const op = nodeFields.find((field) => field.number === 4);
  return op ? text(node, op) : '';
}

/** A Transpose with an explicit `perm` attribute (the pattern expects the default, a full reversal). */
function hasPerm(node: Uint8Array): boolean {
  return fields(node)
    .filter((field) => field.number === 5)
    .some((field) => {
      const attribute = payload(node, field);
      const name = fields(attribute).find((entry) => entry.number === 1);
      return name !== undefined && text(attribute, name) === 'perm';
    });
}

/** Cast's `to` = FLOAT (1). */
const castToFloat = intAttribute('to', 1);
/** Cast's `to` = INT32 (6). */
const castToInt32 = intAttribute('to', 6);
/** The stacked input's zero point: 0 (each pass's own comes off after the matmul). */
const NO_ZERO_POINT = 'babelfish/logits_no_zero_point';

/**
 * A minimal ONNX file writer (test-only): enough of onnx.proto's ModelProto, GraphProto,
 * NodeProto, TensorProto and ValueInfoProto, encoded as protobuf by hand, to build the tiny
 * models the text-engine tests run through onnxruntime-node. No Python `onnx` package is
 * available offline, and a hand-written encoder of ~150 lines avoids a generated-protobuf
 * dependency. Field numbers are those of onnx/onnx.proto (IR version 8).
 */

export type ElemType = 'float' | 'float16' | 'int64' | 'bool';
/** A fixed size, or a named (symbolic) dimension such as 'batch_size'. */
export type Dim = number | string;

export type ValueInfo = { name: string; type: ElemType; shape: Dim[] };
export type Tensor = { name: string; type: 'float' | 'int64'; dims: number[]; values: number[] };
export type Attribute = { name: string } & ({ int: number } | { ints: number[] } | { float: number } | { tensor: Tensor });
export type Node = { op: string; inputs: string[]; outputs: string[]; attributes?: Attribute[] };
export type Graph = { name: string; inputs: ValueInfo[]; outputs: ValueInfo[]; nodes: Node[]; initializers?: Tensor[] };

const ELEM_TYPE: Record<ElemType, number> = { float: 1, int64: 7, bool: 9, float16: 10 };
const ATTRIBUTE_TYPE = { float: 1, int: 2, tensor: 4, ints: 7 } as const;
const OPSET = 17;
const IR_VERSION = 8;

/** Serialises `graph` as an ONNX model (default opset domain, version 17). */
export function encodeModel(graph: Graph): Uint8Array {
  const opset = message([field.string(1, ''), field.varint(2, OPSET)]);
  return message([
    field.varint(1, IR_VERSION),
    field.string(2, 'babelfish-tests'),
    field.bytes(7, encodeGraph(graph)),
    field.bytes(8, opset),
  ]);
}

function encodeGraph(graph: Graph): Uint8Array {
  return message([
    ...graph.nodes.map((node, index) => field.bytes(1, encodeNode(node, index))),
    field.string(2, graph.name),
    ...(graph.initializers ?? []).map((tensor) => field.bytes(5, encodeTensor(tensor))),
    ...graph.inputs.map((input) => field.bytes(11, encodeValueInfo(input))),
    ...graph.outputs.map((output) => field.bytes(12, encodeValueInfo(output))),
  ]);
}

function encodeNode(node: Node, index: number): Uint8Array {
  return message([
    ...node.inputs.map((input) => field.string(1, input)),
    ...node.outputs.map((output) => field.string(2, output)),
    field.string(3, `${node.op.toLowerCase()}_${index}`),
    field.string(4, node.op),
    ...(node.attributes ?? []).map((attribute) => field.bytes(5, encodeAttribute(attribute))),
  ]);
}

function encodeAttribute(attribute: Attribute): Uint8Array {
  const parts = [field.string(1, attribute.name)];
  if ('int' in attribute) parts.push(field.varint(3, attribute.int), field.varint(20, ATTRIBUTE_TYPE.int));
  else if ('ints' in attribute) parts.push(...attribute.ints.map((value) => field.varint(8, value)), field.varint(20, ATTRIBUTE_TYPE.ints));
  else if ('float' in attribute) parts.push(field.float(2, attribute.float), field.varint(20, ATTRIBUTE_TYPE.float));
  else parts.push(field.bytes(5, encodeTensor(attribute.tensor)), field.varint(20, ATTRIBUTE_TYPE.tensor));
  return message(parts);
}

/** Values go in raw_data (little-endian), which every runtime reads for any element type. */
function encodeTensor(tensor: Tensor): Uint8Array {
  const raw = tensor.type === 'float' ? new Float32Array(tensor.values) : BigInt64Array.from(tensor.values, (value) => BigInt(value));
  return message([
    ...tensor.dims.map((dim) => field.varint(1, dim)),
    field.varint(2, ELEM_TYPE[tensor.type]),
    field.string(8, tensor.name),
    field.bytes(9, new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength)),
  ]);
}

function encodeValueInfo(info: ValueInfo): Uint8Array {
  const dims = info.shape.map((dim) => field.bytes(1, message([typeof dim === 'number' ? field.varint(1, dim) : field.string(2, dim)])));
  const tensorType = message([field.varint(1, ELEM_TYPE[info.type]), field.bytes(2, message(dims))]);
  return message([field.string(1, info.name), field.bytes(2, message([field.bytes(1, tensorType)]))]);
}

// Protobuf wire format: a key (field number << 3 | wire type), then a varint, a 32-bit value, or
// a length-prefixed payload. Negative int64 values are 10-byte two's-complement varints.

function varint(value: number | bigint): number[] {
  let rest = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest > 0n ? low | 0x80 : low);
  } while (rest > 0n);
  return bytes;
}

const key = (fieldNumber: number, wireType: number) => varint((fieldNumber << 3) | wireType);

const field = {
  varint: (fieldNumber: number, value: number): Uint8Array => Uint8Array.from([...key(fieldNumber, 0), ...varint(value)]),
  float: (fieldNumber: number, value: number): Uint8Array => {
    const bytes = new Uint8Array(new Float32Array([value]).buffer);
    return Uint8Array.from([...key(fieldNumber, 5), ...bytes]);
  },
  bytes: (fieldNumber: number, payload: Uint8Array): Uint8Array => message([Uint8Array.from([...key(fieldNumber, 2), ...varint(payload.length)]), payload]),
  string: (fieldNumber: number, text: string): Uint8Array => field.bytes(fieldNumber, new TextEncoder().encode(text)),
};

function message(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

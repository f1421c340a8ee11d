/**
 * The protobuf wire format, as far as our ONNX graph edits need it (onnx-outputs.ts,
 * decoder-projection.ts): split a message into its top-level fields, and write fields back.
 * Every byte that is not edited is copied as it is, so a model keeps whatever it held.
 */

export type Field = { number: number; wire: number; start: number; dataStart: number; end: number; value?: number };

/** The top-level fields of a protobuf message, in order. */
export function fields(bytes: Uint8Array): Field[] {
  const result: Field[] = [];
  let position = 0;
  while (position < bytes.length) {
    const start = position;
    let key: number;
    [key, position] = readVarint(bytes, position);
    const wire = key % 8;
    let dataStart = position;
    let value: number | undefined;
    if (wire === 0) [value, position] = readVarint(bytes, position);
    else if (wire === 1) position += 8;
    else if (wire === 5) position += 4;
    else if (wire === 2) {
      let length: number;
      [length, position] = readVarint(bytes, position);
      dataStart = position;
      position += length;
    } else throw new Error(`Unsupported protobuf wire type ${wire} in ONNX model`);
    result.push({ number: Math.floor(key / 8), wire, start, dataStart, end: position, value });
  }
  return result;
}

/** A length-delimited field's payload. */
export const payload = (bytes: Uint8Array, field: Field): Uint8Array => bytes.subarray(field.dataStart, field.end);
/** A string field's text. */
export const text = (bytes: Uint8Array, field: Field): string => Buffer.from(payload(bytes, field)).toString('utf8');

/** Varints up to 2^53 (lengths, keys, dims; never a 64-bit payload we need to read). */
export function readVarint(bytes: Uint8Array, start: number): [number, number] {
  let value = 0;
  let scale = 1;
  let position = start;
  for (;;) {
    const byte = bytes[position++];
    if (byte === undefined) throw new Error('Truncated protobuf varint in ONNX model');
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) return [value, position];
  }
}

export function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return out;
}

export const write = {
  varint: (fieldNumber: number, value: number): Uint8Array => Uint8Array.from([...varint(fieldNumber * 8), ...varint(value)]),
  bytes: (fieldNumber: number, data: Uint8Array): Uint8Array[] => [Uint8Array.from([...varint(fieldNumber * 8 + 2), ...varint(data.length)]), data],
  string: (fieldNumber: number, value: string): Uint8Array[] => write.bytes(fieldNumber, new TextEncoder().encode(value)),
  /** A length-delimited field whose payload is `parts` in order, not joined (a model is joined once, at the end). */
  parts: (fieldNumber: number, parts: readonly Uint8Array[]): Uint8Array[] => [
    Uint8Array.from([...varint(fieldNumber * 8 + 2), ...varint(parts.reduce((sum, part) => sum + part.length, 0))]),
    ...parts,
  ],
};

/** Concatenates parts into one buffer (Buffer.concat copies once). */
export function join(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts as Uint8Array[]);
}

/** NodeProto bytes: input = 1, output = 2, name = 3, op_type = 4, attribute = 5 (AttributeProto bytes), domain = 7. */
export function onnxNode(op: string, inputs: string[], outputs: string[], name: string, attributes: Uint8Array[] = [], domain?: string): Uint8Array {
  return join([
    ...inputs.flatMap((input) => write.string(1, input)),
    ...outputs.flatMap((output) => write.string(2, output)),
    ...write.string(3, name),
    ...write.string(4, op),
    ...attributes.flatMap((attribute) => write.bytes(5, attribute)),
    ...(domain ? write.string(7, domain) : []),
  ]);
}

/** AttributeProto: name = 1, i = 3, ints = 8, type = 20 (INT = 2, INTS = 7). */
export function intAttribute(name: string, value: number): Uint8Array {
  return join([...write.string(1, name), write.varint(3, value), write.varint(20, 2)]);
}

export function intsAttribute(name: string, values: number[]): Uint8Array {
  return join([...write.string(1, name), ...values.map((value) => write.varint(8, value)), write.varint(20, 7)]);
}

/** TensorProto: dims = 1, data_type = 2 (INT64 = 7), name = 8, raw_data = 9; `dims` [] is a scalar. */
export function int64Tensor(name: string, values: number[], dims: number[] = [values.length]): Uint8Array {
  return tensor(name, 7, dims, new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer));
}

/** An INT32 (6) TensorProto, as int64Tensor. */
export function int32Tensor(name: string, values: ArrayLike<number>, dims: number[] = [values.length]): Uint8Array {
  return tensor(name, 6, dims, new Uint8Array(Int32Array.from(values).buffer));
}

/** A UINT8 (2) TensorProto, as int64Tensor. */
export function uint8Tensor(name: string, values: number[], dims: number[] = [values.length]): Uint8Array {
  return tensor(name, 2, dims, Uint8Array.from(values));
}

/** A FLOAT (1) TensorProto, as int64Tensor. */
export function floatTensor(name: string, values: number[], dims: number[] = [values.length]): Uint8Array {
  return tensor(name, 1, dims, new Uint8Array(Float32Array.from(values).buffer));
}

function tensor(name: string, type: number, dims: number[], raw: Uint8Array): Uint8Array {
  return join([...dims.map((dim) => write.varint(1, dim)), write.varint(2, type), ...write.string(8, name), ...write.bytes(9, raw)]);
}

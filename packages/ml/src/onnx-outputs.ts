/**
 * Drops graph outputs from an ONNX model (protobuf bytes), keeping `keep`. A value that is a
 * graph output must live until the end of a run, even when the caller does not fetch it; the
 * Whisper encoder export lists its six attention maps (6 × 8 × 1500 × 1500 floats) as outputs,
 * so without this they would be kept alive and counted into onnxruntime's memory arena.
 *
 * Only the wire format is walked (ModelProto.graph = field 7, GraphProto.output = field 12,
 * ValueInfoProto.name = field 1); every other byte is copied as it is.
 */
export function keepGraphOutputs(model: Uint8Array, keep: ReadonlySet<string>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const field of fields(model)) {
    if (field.number !== 7) {
      parts.push(model.subarray(field.start, field.end));
      continue;
    }
    const graph = model.subarray(field.dataStart, field.end);
    const kept = fields(graph)
      .filter((entry) => entry.number !== 12 || keep.has(valueName(graph.subarray(entry.dataStart, entry.end))))
      .map((entry) => graph.subarray(entry.start, entry.end));
    const length = kept.reduce((sum, part) => sum + part.length, 0);
    parts.push(Uint8Array.from([...varint(7 * 8 + 2), ...varint(length)]), ...kept);
  }
  return Buffer.concat(parts);
}

type Field = { number: number; start: number; dataStart: number; end: number };

/** The top-level fields of a protobuf message. */
function fields(bytes: Uint8Array): Field[] {
  const result: Field[] = [];
  let position = 0;
  while (position < bytes.length) {
    const start = position;
    let key: number;
    [key, position] = readVarint(bytes, position);
    const wire = key % 8;
    let dataStart = position;
    if (wire === 0) [, position] = readVarint(bytes, position);
    else if (wire === 1) position += 8;
    else if (wire === 5) position += 4;
    else if (wire === 2) {
      let length: number;
      [length, position] = readVarint(bytes, position);
      dataStart = position;
      position += length;
    } else throw new Error(`Unsupported protobuf wire type ${wire} in ONNX model`);
    result.push({ number: Math.floor(key / 8), start, dataStart, end: position });
  }
  return result;
}

function valueName(valueInfo: Uint8Array): string {
  const name = fields(valueInfo).find((field) => field.number === 1);
  return name ? Buffer.from(valueInfo.subarray(name.dataStart, name.end)).toString('utf8') : '';
}

/** Varints up to 2^53 (lengths and keys; never a 64-bit payload we need to read). */
function readVarint(bytes: Uint8Array, start: number): [number, number] {
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

function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return out;
}

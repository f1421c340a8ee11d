import { fields, text, varint } from './onnx-wire';

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

function valueName(valueInfo: Uint8Array): string {
  const name = fields(valueInfo).find((field) => field.number === 1);
  return name ? text(valueInfo, name) : '';
}

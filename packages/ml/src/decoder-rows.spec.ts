import { Tensor } from 'onnxruntime-node';
import { compactRows, takeRows } from './whisper-decoder';

/** A finished window's rows leave the decoder's caches: in place (compactRows) or copied (takeRows), same result. */
describe('dropping batch rows from a decoder cache', () => {
  const batch = (rows: number) => {
    const data = Float32Array.from({ length: rows * 2 * 3 * 4 }, (_, i) => Math.sin(i) * 100);
    return new Tensor('float32', data, [rows, 2, 3, 4]);
  };

  it.each([[[0, 2, 3]], [[1, 3]], [[3]], [[0, 1, 2, 3]], [[0]]])('keeps rows %j in order, in the same buffer', (rows) => {
    const copied = takeRows(batch(4), rows);
    const source = batch(4);
    const compacted = compactRows(source, rows);
    expect(compacted.dims).toEqual([rows.length, 2, 3, 4]);
    expect(Array.from(compacted.data as Float32Array)).toEqual(Array.from(copied.data as Float32Array));
    expect((compacted.data as Float32Array).buffer).toBe((source.data as Float32Array).buffer);
  });
});

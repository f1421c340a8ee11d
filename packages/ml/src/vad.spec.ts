import { arraySource } from './audio-source';
import { speechRegions } from './speech-regions';
import { decodeSample, useOfflineModels } from './test-fixtures';
import { findVadModel, getVad } from './vad';

/** Real Silero VAD (snakers4/silero-vad) from the offline models folder. */
describe('Silero VAD', () => {
  beforeAll(() => useOfflineModels());

  it('finds JFK speaking from about 0.3 s to 10.5 s, and nothing in digital silence or faint noise', async () => {
    const vad = await getVad(findVadModel()!);
    const jfk = decodeSample('jfk.wav');
    const regions = speechRegions(await vad.probabilities(arraySource(jfk)), jfk.length);
    expect(regions.length).toBeGreaterThan(0);
    expect(regions[0]!.start / 16_000).toBeGreaterThan(0.05);
    expect(regions[0]!.start / 16_000).toBeLessThan(0.5);
    expect(regions.at(-1)!.end / 16_000).toBeGreaterThan(10.3);
    const speech = regions.reduce((sum, region) => sum + region.end - region.start, 0) / 16_000;
    expect(speech).toBeGreaterThan(7);
    expect(speech).toBeLessThan(10.8);

    const silence = new Float32Array(16_000 * 3);
    expect(speechRegions(await vad.probabilities(arraySource(silence)), silence.length)).toEqual([]);
    const noise = silence.map((_, i) => Math.sin(i * 12.9898) * 0.003);
    expect(speechRegions(await vad.probabilities(arraySource(noise)), noise.length)).toEqual([]);
  });

  it('scans only the range asked for, one probability per 512 samples', async () => {
    const vad = await getVad(findVadModel()!);
    const jfk = decodeSample('jfk.wav');
    expect((await vad.probabilities(arraySource(jfk), 16_000, 16_000 + 512 * 10)).length).toBe(10);
  });

  it('scans a long recording in parallel lanes with the same result per stretch of speech', async () => {
    const vad = await getVad(findVadModel()!);
    const jfk = decodeSample('jfk.wav');
    // Seven copies with about 3 s of silence after each: 98 s, scanned as three lanes whose
    // boundaries (32.7 s, 65.4 s) fall inside speech. Each copy starts on a frame boundary, so
    // that every copy is cut into frames the same way.
    const period = Math.ceil((jfk.length + 3 * 16_000) / 512) * 512;
    const talk = new Float32Array(7 * period);
    for (let i = 0; i < 7; i++) talk.set(jfk, i * period);
    const regions = speechRegions(await vad.probabilities(arraySource(talk)), talk.length);
    expect(regions).toHaveLength(7);
    const alone = speechRegions(await vad.probabilities(arraySource(jfk)), jfk.length)[0]!;
    for (const [i, region] of regions.entries()) {
      expect(Math.abs(region.start - i * period - alone.start)).toBeLessThan(16_000 * 0.1);
      expect(Math.abs(region.end - i * period - alone.end)).toBeLessThan(16_000 * 0.1);
    }
  });
});

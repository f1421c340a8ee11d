import { arraySource } from './audio-source';
import { speechRegions, VAD_FRAME_SAMPLES, type SampleRange } from './speech-regions';
import { frameEnergies, loudStretches } from './energy-gate';
import { atLevel, decodeSample, mixAt, pinkNoise, useOfflineModels } from './test-fixtures';
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

  describe('with the energy first pass (the default)', () => {
    const jfk = decodeSample('jfk.wav');
    const scan = async (audio: Float32Array) => {
      const vad = await getVad(findVadModel()!);
      const full = await vad.probabilities(arraySource(audio), 0, audio.length, { firstPass: 'none' });
      const gated = await vad.probabilities(arraySource(audio), 0, audio.length);
      return { full, gated, fullRegions: speechRegions(full, audio.length), gatedRegions: speechRegions(gated, audio.length) };
    };
    const seconds = (regions: SampleRange[]) => regions.map((region) => [region.start / 16_000, region.end / 16_000]);

    it('finds speech at -30 dBFS over -50 dBFS noise as the full scan does, and never scans the noise around it', async () => {
      const audio = mixAt(pinkNoise(60, -50), atLevel(jfk, -30), 20);
      const { full, gated, fullRegions, gatedRegions } = await scan(audio);
      expect(fullRegions).toHaveLength(1);
      expect(gatedRegions).toHaveLength(1);
      expect(Math.abs(gatedRegions[0]!.start - fullRegions[0]!.start) / 16_000).toBeLessThan(0.15);
      expect(Math.abs(gatedRegions[0]!.end - fullRegions[0]!.end) / 16_000).toBeLessThan(0.05);
      const energies = new Float32Array(full.length);
      frameEnergies(audio, energies);
      const [stretch] = loudStretches(energies);
      // Silero never says exactly 0: the frames outside the stretch were not run through it.
      for (const frame of [0, stretch!.start - 1, stretch!.end, full.length - 1]) {
        expect(full[frame]).toBeGreaterThan(0);
        expect(gated[frame]).toBe(0);
      }
      expect(gated.slice(stretch!.start, stretch!.end).every((p) => p > 0)).toBe(true);
    });

    it('keeps a soft onset below the energy threshold (the margin before the stretch)', async () => {
      // The first 1.5 s of JFK faded in from silence: his first words are below the threshold.
      const faded = atLevel(jfk, -30).map((sample, i) => sample * Math.min(1, i / (1.5 * 16_000)));
      const { fullRegions, gatedRegions } = await scan(mixAt(pinkNoise(40, -50), faded, 20));
      expect(seconds(gatedRegions)).toHaveLength(1);
      expect(gatedRegions[0]!.start).toBeLessThanOrEqual(fullRegions[0]!.start + 0.05 * 16_000);
      expect(gatedRegions[0]!.start / 16_000).toBeLessThan(20.6);
    });

    it('loses none of what the full scan finds in quiet speech near the floor, and finds more of it', async () => {
      // JFK at -42 dBFS over -50 dBFS noise. After 20 s of noise Silero's state is less ready
      // for speech than a state started 5 s before it, so the gated scan finds more.
      const { fullRegions, gatedRegions } = await scan(mixAt(pinkNoise(40, -50), atLevel(jfk, -42), 20));
      const total = (regions: SampleRange[]) => regions.reduce((sum, region) => sum + region.end - region.start, 0) / 16_000;
      for (const region of fullRegions) {
        expect(gatedRegions.some((gated) => gated.start <= region.start + VAD_FRAME_SAMPLES && gated.end >= region.end - VAD_FRAME_SAMPLES)).toBe(true);
      }
      expect(total(gatedRegions)).toBeGreaterThan(5);
      expect(total(gatedRegions)).toBeGreaterThanOrEqual(total(fullRegions));
    });
  });
});

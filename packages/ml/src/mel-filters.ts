/**
 * Whisper's feature-extractor settings computed from preprocessor_config.json alone (what
 * transformers.js computes for it): the periodic Hann window of n_fft points and the mel filter
 * bank (Slaney's mel scale and area normalisation, 0 Hz to half the sampling rate), as
 * librosa.filters.mel builds it for openai/whisper.
 */

export function hannWindow(length: number): Float64Array {
  return Float64Array.from({ length }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / length));
}

/** One row of n_fft / 2 + 1 weights per mel band. */
export function slaneyMelFilters(nFft: number, mels: number, samplingRate: number): Float64Array[] {
  const bins = nFft / 2 + 1;
  const fftFrequencies = Array.from({ length: bins }, (_, i) => (i * samplingRate) / 2 / (bins - 1));
  const melMax = hertzToMel(samplingRate / 2);
  const edges = Array.from({ length: mels + 2 }, (_, i) => melToHertz((i * melMax) / (mels + 1)));
  return Array.from({ length: mels }, (_, m) => {
    const [low, centre, high] = [edges[m]!, edges[m + 1]!, edges[m + 2]!];
    const norm = 2 / (high - low);
    return Float64Array.from(fftFrequencies, (f) => Math.max(0, Math.min((f - low) / (centre - low), (high - f) / (high - centre))) * norm);
  });
}

const LINEAR_STEP = 200 / 3;
const LOG_START_HZ = 1000;
const LOG_START_MEL = LOG_START_HZ / LINEAR_STEP;
const LOG_STEP = Math.log(6.4) / 27;

function hertzToMel(hz: number): number {
  return hz < LOG_START_HZ ? hz / LINEAR_STEP : LOG_START_MEL + Math.log(hz / LOG_START_HZ) / LOG_STEP;
}

function melToHertz(mel: number): number {
  return mel < LOG_START_MEL ? mel * LINEAR_STEP : LOG_START_HZ * Math.exp(LOG_STEP * (mel - LOG_START_MEL));
}

import { renderOpenAi } from './openai-format';
import type { TranscriptionResult } from './result';
import { detectionJson, renderWhisperAsr } from './whisper-asr-format';

// Two segments past the hour (hours appear in whisper-asr's VTT only then) and a translated cue cut into two lines.
const result: TranscriptionResult = {
  task: 'transcribe',
  spokenLanguage: 'en',
  textLanguage: 'en',
  durationSeconds: 3700.25,
  segments: [
    { start: 1.5, end: 3.2506, text: 'Hello --> there.', tokens: [1, 2], avgLogprob: -0.2, compressionRatio: 1.1, noSpeechProb: 0.01, temperature: 0, words: [{ text: 'Hello', start: 1.5, end: 2 }] },
    { start: 3661.001, end: 3662, text: 'Second\nline\tend' },
  ],
};

describe('transcription formats', () => {
  it("writes whisper-asr-webservice's outputs: txt, vtt with short times, srt, tsv in integer ms, json", () => {
    expect(renderWhisperAsr('txt', result, { words: false })).toBe('Hello -> there.\nSecond line\tend\n');
    expect(renderWhisperAsr('vtt', result, { words: false })).toBe('WEBVTT\n\n00:01.500 --> 00:03.251\nHello -> there.\n\n01:01:01.001 --> 01:01:02.000\nSecond\nline\tend\n\n');
    expect(renderWhisperAsr('srt', result, { words: false })).toBe('1\n00:00:01,500 --> 00:00:03,251\nHello -> there.\n\n2\n01:01:01,001 --> 01:01:02,000\nSecond\nline\tend\n\n');
    expect(renderWhisperAsr('tsv', result, { words: false })).toBe('start\tend\ttext\n1500\t3251\tHello -> there.\n3661001\t3662000\tSecond line end\n');
    const json = JSON.parse(renderWhisperAsr('json', result, { words: true }));
    expect(Object.keys(json)).toEqual(['language', 'segments', 'text']);
    expect(json.text).toBe(' Hello --> there. Second line\tend');
    expect(json.segments[0]).toMatchObject({ id: 1, seek: 150, tokens: [1, 2], words: [{ start: 1.5, end: 2, word: ' Hello' }] });
    expect(detectionJson({ language: 'es', probability: 0.912345 })).toEqual({ detected_language: 'spanish', language_code: 'es', confidence: 0.9123 });
  });

  it("writes OpenAI's formats; verbose_json lists words only when asked and segments unless left out", () => {
    expect(JSON.parse(renderOpenAi('json', result, { words: false }))).toEqual({ text: 'Hello --> there. Second line\tend' });
    expect(renderOpenAi('text', result, { words: false })).toBe('Hello --> there. Second line\tend\n');
    expect(renderOpenAi('vtt', result, { words: false })).toBe('WEBVTT\n\n00:00:01.500 --> 00:00:03.251\nHello -> there.\n\n01:01:01.001 --> 01:01:02.000\nSecond\nline\tend\n');
    const verbose = JSON.parse(renderOpenAi('verbose_json', result, { words: false }));
    expect(verbose).toMatchObject({ task: 'transcribe', language: 'english', duration: 3700.25 });
    expect(verbose.words).toBeUndefined();
    expect(verbose.segments[1]).toEqual({ id: 1, seek: 366100, start: 3661.001, end: 3662, text: ' Second line\tend', tokens: [], temperature: 0, avg_logprob: 0, compression_ratio: 0, no_speech_prob: 0 });
    const wordsOnly = JSON.parse(renderOpenAi('verbose_json', result, { words: true, segments: false }));
    expect(wordsOnly.segments).toBeUndefined();
    expect(wordsOnly.words).toEqual([{ word: 'Hello', start: 1.5, end: 2 }]);
  });
});

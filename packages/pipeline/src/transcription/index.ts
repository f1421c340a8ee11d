export * from './result';
export * from './openai-format';
export * from './whisper-asr-format';
export * from './transcription-stage';
export * from './transcription-finish';

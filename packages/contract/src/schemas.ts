import { z } from 'zod';
import { jobStatuses, stages } from '@babelfish/core';

/**
 * The REST API's response shapes, as zod schemas: the OpenAPI document is generated from them,
 * the API checks its own responses against them when API_RESPONSE_VALIDATION is on (the test
 * suites run that way), and the dashboard's types are inferred from them (types only: no zod in
 * the browser bundle). Objects are open: a field added to a view is legal before it is listed
 * here, but a listed field must have its listed type.
 */

const isoTime = z.string().describe('ISO-8601 date and time');
const nullable = <T extends z.ZodType>(schema: T) => schema.nullable();

export const errorBodySchema = z
  .object({
    error: z.strictObject({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
    requestId: z.string().optional(),
  })
  .meta({ id: 'Error' });

export const stageProgressSchema = z.strictObject({
  transcribe: z.number().optional(),
  translate: z.record(z.string(), z.number()).optional(),
  mux: z.number().optional(),
});

export const audioTrackInfoSchema = z.strictObject({
  track: z.number().int(),
  codec: z.string(),
  language: z.string().optional(),
  title: z.string().optional(),
  channels: z.number().int().optional(),
  channelLayout: z.string().optional(),
  isDefault: z.boolean(),
});

export const jobMediaSchema = z
  .object({
    video: nullable(z.strictObject({ codec: z.string(), width: z.number().optional(), height: z.number().optional(), rotation: z.number().optional() })),
    audioTrack: nullable(z.number().int()),
    audioTrackChosenBy: nullable(z.enum(['audioTrack', 'language', 'default', 'first'])),
    audioStartOffsetSeconds: z.number(),
    audioTracks: z.array(audioTrackInfoSchema),
    subtitles: z.array(z.strictObject({ index: z.number().int(), codec: z.string(), language: z.string().optional(), title: z.string().optional() })),
  })
  .meta({ id: 'JobMedia' });

/** What the submission asked for beyond languages (see packages/core/src/job-options.ts). */
export const jobOptionsSchema = z
  .looseObject({
    glossary: z.looseObject({ terms: z.record(z.string(), z.string()), byLanguage: z.record(z.string(), z.record(z.string(), z.string())), doNotTranslate: z.array(z.string()) }).optional(),
    burnIn: z.boolean().optional(),
    dub: z.boolean().optional(),
    subtitleRules: z.record(z.string(), z.union([z.number(), z.boolean()])).optional(),
    audioTrack: z.number().int().optional(),
    llmModel: z.string().optional(),
    style: z.string().optional(),
    bilingual: z.boolean().optional(),
    webhook: z.strictObject({ url: z.string(), keyId: z.string() }).optional(),
    importedSubtitles: z.strictObject({ format: z.enum(['srt', 'vtt', 'ass']), cues: z.number().int(), withoutMedia: z.boolean().optional() }).optional(),
    inputLimits: z
      .strictObject({ maxDurationSeconds: z.number(), maxMediaStreams: z.number().int() })
      .optional()
      .describe("Set by the API when it accepted the upload before probing it: the limits the job's first step (the probe) holds it to"),
  })
  .meta({ id: 'JobOptions' });

export const jobSchema = z
  .object({
    id: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
    status: z.enum(jobStatuses),
    stage: z.enum(stages),
    percent: z.number().min(0).max(100),
    stageProgress: stageProgressSchema,
    sourceLanguage: nullable(z.string()),
    detectedLanguage: nullable(z.string()),
    targetLanguages: z.array(z.string()),
    engine: nullable(z.string()),
    originalName: z.string(),
    durationSeconds: nullable(z.number()),
    error: nullable(z.string()),
    errorCode: nullable(z.string()).describe('Why the job failed, as a code (UNSUPPORTED_MEDIA, NO_AUDIO_TRACK, MEDIA_PROCESSING_FAILED, …); null unless it failed'),
    createdAt: isoTime,
    updatedAt: isoTime,
    completedAt: nullable(isoTime),
    thumbnailUrl: nullable(z.string()),
    options: jobOptionsSchema,
    media: nullable(jobMediaSchema),
    translations: z
      .array(
        z.strictObject({
          language: z.string(),
          engine: z.string().describe('The engine that translated it (not only the one asked for)'),
          model: z.string().optional(),
          fallbackEngine: z.string().optional(),
          fallbackLines: z.number().int(),
          promptTokens: z.number().int(),
          completionTokens: z.number().int(),
        }),
      )
      .describe('Per target language translated so far'),
    usage: z.strictObject({ promptTokens: z.number().int(), completionTokens: z.number().int(), totalTokens: z.number().int() }).describe('LLM tokens spent by the job'),
    kind: z.enum(['video', 'transcription']).describe('transcription: made through the OpenAI or whisper-asr compatible API; one output, no videos'),
    transcription: nullable(
      z.strictObject({
        api: z.enum(['openai', 'whisper-asr']),
        format: z.string(),
        task: z.enum(['transcribe', 'translate', 'detect-language']),
        words: z.boolean(),
        segments: z.boolean().optional(),
        model: z.string().optional(),
        whisperModel: z.string().optional().describe('The installed Whisper model named by the request; absent: the configured WHISPER_MODEL'),
        prompt: z.string().optional(),
        temperature: z.number().optional(),
      }),
    ),
  })
  .meta({ id: 'Job' });

export const outputSchema = z
  .object({ id: z.string(), kind: z.string(), language: nullable(z.string()), name: z.string(), bytes: z.number().int(), url: z.string() })
  .meta({ id: 'Output' });

const qualityCountsSchema = z.record(z.string(), z.number().int());

export const qualityReportSchema = z
  .object({
    rules: z.record(z.string(), z.unknown()),
    tracks: z.array(
      z.strictObject({
        language: z.string(),
        kind: z.enum(['source', 'translation', 'bilingual']),
        cues: z.number().int(),
        counts: qualityCountsSchema,
        issues: z.array(z.strictObject({ cue: z.number().int(), rule: z.string(), message: z.string() })),
        rules: z.record(z.string(), z.unknown()).optional(),
      }),
    ),
    warnings: z.array(z.string()),
    translations: z.array(z.record(z.string(), z.unknown())).optional(),
    checkedAt: isoTime,
  })
  .meta({ id: 'QualityReport' });

export const cueSchema = z.strictObject({ start: z.number(), end: z.number(), text: z.string() });

export const subtitleTrackSchema = z
  .object({
    language: z.string(),
    name: z.string(),
    kind: z.enum(['source', 'translation']),
    version: z.number().int(),
    origin: z.string().optional(),
    segments: z.array(cueSchema),
    vttUrl: z.string(),
  })
  .meta({ id: 'SubtitleTrack' });

export const uploadSchema = z
  .object({ id: z.string(), name: z.string(), size: z.number().int(), offset: z.number().int(), createdAt: isoTime })
  .meta({ id: 'Upload' });

export const webhookDeliverySchema = z.strictObject({
  messageId: z.string(),
  event: z.string(),
  url: z.string(),
  attempt: z.number().int(),
  statusCode: nullable(z.number().int()),
  error: nullable(z.string()),
  durationMs: z.number(),
  createdAt: isoTime,
});

export const languageInfoSchema = z
  .strictObject({
    code: z.string().describe('BCP-47 tag: the public code'),
    name: z.string(),
    nativeName: z.string().optional(),
    bcp47: z.string(),
    iso6391: z.string().optional(),
    iso6392B: z.string(),
    iso6392T: z.string(),
    iso6393: z.string(),
    script: z.string().describe('ISO 15924'),
    direction: z.enum(['ltr', 'rtl']),
    transcribe: z.boolean().describe('The configured Whisper model can transcribe it'),
    nllb: z.string().optional().describe("NLLB-200's FLORES-200 code"),
  })
  .meta({ id: 'Language' });
/** Every `from` language into every `to` language but itself. */
export const pairRouteSchema = z.strictObject({ from: z.array(z.string()), to: z.array(z.string()) });
export const engineRoutesSchema = z.strictObject({ name: z.string(), routes: z.array(pairRouteSchema) });

// --- Response bodies, by endpoint.
export const jobBodySchema = z.strictObject({ job: jobSchema });
export const jobListBodySchema = z.strictObject({ jobs: z.array(jobSchema) });
export const outputsBodySchema = z.strictObject({ jobId: z.string(), status: z.string(), outputs: z.array(outputSchema), quality: nullable(qualityReportSchema) });
export const qualityBodySchema = z.strictObject({ jobId: z.string(), status: z.string(), quality: nullable(qualityReportSchema) });
export const subtitlesBodySchema = z.strictObject({ jobId: z.string(), tracks: z.array(subtitleTrackSchema) });
export const trackBodySchema = z.strictObject({ track: subtitleTrackSchema });
export const uploadBodySchema = z.strictObject({ upload: uploadSchema });
export const sessionBodySchema = z.strictObject({ ownerId: z.string(), authMode: z.enum(['api-key', 'none']).optional() });
export const languagesBodySchema = z.strictObject({ languages: z.array(languageInfoSchema), engines: z.array(engineRoutesSchema) });
export const languagePairsBodySchema = z.strictObject({
  from: nullable(z.string()),
  to: nullable(z.string()),
  pairs: z.array(z.strictObject({ from: z.string(), to: z.string(), engines: z.array(z.string()) })),
});
export const webhookSettingsBodySchema = z.strictObject({ url: nullable(z.string()), secret: z.string().optional(), events: z.array(z.string()).optional() });
export const webhookSecretBodySchema = z.strictObject({ secret: z.string() });
export const webhookDeliveriesBodySchema = z.strictObject({ url: nullable(z.string()), deliveries: z.array(webhookDeliverySchema) });
export const healthBodySchema = z.strictObject({ status: z.literal('ok') });
export const readinessBodySchema = z.strictObject({ status: z.enum(['ready', 'not ready']), checks: z.record(z.string(), z.looseObject({ ok: z.boolean() })) });

export type ErrorBody = z.infer<typeof errorBodySchema>;
export type JobView = z.infer<typeof jobSchema>;
export type JobMediaView = z.infer<typeof jobMediaSchema>;
export type OutputView = z.infer<typeof outputSchema>;
export type SubtitleTrackView = z.infer<typeof subtitleTrackSchema>;
export type QualityReportView = z.infer<typeof qualityReportSchema>;
export type UploadView = z.infer<typeof uploadSchema>;
export type LanguagesView = z.infer<typeof languagesBodySchema>;
export type LanguageView = z.infer<typeof languageInfoSchema>;
export type LanguagePairsView = z.infer<typeof languagePairsBodySchema>;
export type WebhookDeliveryView = z.infer<typeof webhookDeliverySchema>;

// --- The compatibility APIs speak their own error shapes and bodies.
export const openAiErrorBodySchema = z
  .strictObject({ error: z.strictObject({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }) })
  .meta({ id: 'OpenAiError' });
export const openAiModelSchema = z.strictObject({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.string() });
export const openAiModelListSchema = z.strictObject({ object: z.literal('list'), data: z.array(openAiModelSchema) });
export const whisperAsrErrorBodySchema = z.strictObject({ detail: z.string() }).meta({ id: 'WhisperAsrError' });
export const whisperAsrStatusSchema = z.looseObject({ status: z.string(), version: z.string() });

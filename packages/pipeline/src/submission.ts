import { z } from 'zod';
import { AppError, canonicalLanguageCode, engineNames, findLanguage, type EngineName, type JobOptions } from '@babelfish/core';
import type { EngineRegistry } from '@babelfish/ml';
import { assertLanguagePlan } from './language-plan';
import { isGlossaryEmpty, parseGlossary, resolveRules } from '@babelfish/subtitles';

const listField = z
  .union([z.string(), z.array(z.string())])
  .transform((value) =>
    (Array.isArray(value) ? value : [value])
      .flatMap((item) => item.split(','))
      .map((item) => item.trim().toLowerCase())
      .filter(Boolean),
  );

/** Multipart sends every field as text: "true"/"false" (also 1/0, yes/no, on/off) or a JSON boolean. */
const flag = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])])
  .transform((value) => value === true || value === 'true' || value === '1' || value === 'yes' || value === 'on');

/**
 * An audio track number (from 0): a JSON number or multipart text; an empty form field means
 * "not given". Whether the track exists is checked against the probe, when the file is in.
 */
const trackNumber = z
  .union([z.number(), z.string().trim()])
  .transform((value) => (value === '' ? undefined : Number(value)))
  .refine((value) => value === undefined || (Number.isInteger(value) && value >= 0 && value < 1000), 'must be a whole number from 0 (the first audio track)');

export const submissionSchema = z.object({
  to: listField.refine((list) => list.length > 0, 'give at least one target language, e.g. to=es'),
  from: z.string().trim().toLowerCase().optional(),
  engine: z.enum(engineNames).optional(),
  burnIn: flag.optional(),
  dub: flag.optional(),
  bilingual: flag.optional(),
  audioTrack: trackNumber.optional(),
  // Objects in a JSON body, JSON text in a multipart field; checked in parseOptions.
  glossary: z.unknown().optional(),
  subtitleRules: z.unknown().optional(),
  // The llm engine's model (a name on LLM_BASE_URL's server) and a note on register.
  llmModel: z.string().trim().max(200).regex(/^[\w.:/@+-]*$/, 'letters, digits and . : / @ + - _ only').optional(),
  style: z.string().max(200).transform((value) => value.replace(/\s+/g, ' ').trim()).optional(),
  // Checked (form, then where it resolves) by the API, which knows the submitting key.
  webhookUrl: z.string().trim().max(2000).optional(),
});

export type Submission = { targets: string[]; source: string | null; engine: EngineName | null; options: JobOptions; webhookUrl?: string };

/** Validates a job submission's form fields, including that some engine can do each pair. */
export async function parseSubmission(body: unknown, engines: EngineRegistry, defaultEngine?: EngineName): Promise<Submission> {
  const parsed = submissionSchema.safeParse(body ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
    throw new AppError('BAD_REQUEST', `Invalid submission: ${problems}`);
  }
  const { to, from, engine } = parsed.data;
  // Stored, named in files and tagged in containers by the table's code: `zh` and `ZH-hans` are zh-Hans.
  const source = from && from !== 'auto' ? canonicalLanguageCode(from) : null;
  const spoken = source ? findLanguage(source) : undefined;
  // The job starts by transcribing: NLLB's languages Whisper never learned (Zulu, Dinka…) are targets only.
  if (spoken && !spoken.whisper) {
    throw new AppError('UNKNOWN_LANGUAGE', `Whisper cannot transcribe ${spoken.name} (${spoken.code}); it can be a target language, not the spoken one`);
  }
  const submission: Submission = {
    targets: [...new Set(to.map(canonicalLanguageCode))],
    source,
    engine: engine ?? defaultEngine ?? null,
    options: parseOptions(parsed.data),
    ...(parsed.data.webhookUrl ? { webhookUrl: parsed.data.webhookUrl } : {}),
  };
  await assertLanguagePlan(engines, { ...submission, llmModel: submission.options.llmModel });
  return submission;
}

/** The optional job options, validated (glossary size limits, subtitle rule ranges); only what was given is kept. */
function parseOptions(fields: {
  burnIn?: boolean;
  dub?: boolean;
  bilingual?: boolean;
  audioTrack?: number;
  glossary?: unknown;
  subtitleRules?: unknown;
  llmModel?: string;
  style?: string;
}): JobOptions {
  const options: JobOptions = {};
  if (fields.llmModel) options.llmModel = fields.llmModel;
  if (fields.style) options.style = fields.style;
  if (fields.burnIn) options.burnIn = true;
  if (fields.dub) options.dub = true;
  if (fields.bilingual) options.bilingual = true;
  if (fields.audioTrack !== undefined) options.audioTrack = fields.audioTrack;
  if (fields.glossary !== undefined && fields.glossary !== '') {
    const glossary = parseGlossary(fields.glossary);
    if (!isGlossaryEmpty(glossary)) options.glossary = glossary;
  }
  if (fields.subtitleRules !== undefined && fields.subtitleRules !== '') {
    const overrides = parseJsonObject(fields.subtitleRules, 'subtitleRules');
    resolveRules(overrides); // throws BAD_REQUEST naming the bad rule
    options.subtitleRules = Object.fromEntries(Object.entries(overrides).map(([key, value]) => [key, Number(value)]));
  }
  return options;
}

function parseJsonObject(value: unknown, field: string): Record<string, unknown> {
  let parsed = value;
  if (typeof value === 'string') {
    if (value.length > 4096) throw new AppError('BAD_REQUEST', `${field} is too large`);
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new AppError('BAD_REQUEST', `${field} must be a JSON object`);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new AppError('BAD_REQUEST', `${field} must be a JSON object`);
  return parsed as Record<string, unknown>;
}

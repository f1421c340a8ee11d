import { z } from 'zod';
import { AppError, engineNames, type EngineName } from '@babelfish/core';
import type { EngineRegistry } from '@babelfish/ml';
import { assertLanguagePlan } from '@babelfish/pipeline';

const listField = z
  .union([z.string(), z.array(z.string())])
  .transform((value) =>
    (Array.isArray(value) ? value : [value])
      .flatMap((item) => item.split(','))
      .map((item) => item.trim().toLowerCase())
      .filter(Boolean),
  );

const submissionSchema = z.object({
  to: listField.refine((list) => list.length > 0, 'give at least one target language, e.g. to=es'),
  from: z.string().trim().toLowerCase().optional(),
  engine: z.enum(engineNames).optional(),
});

export type Submission = { targets: string[]; source: string | null; engine: EngineName | null };

/** Validates a job submission's form fields, including that some engine can do each pair. */
export async function parseSubmission(body: unknown, engines: EngineRegistry, defaultEngine?: EngineName): Promise<Submission> {
  const parsed = submissionSchema.safeParse(body ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
    throw new AppError('BAD_REQUEST', `Invalid submission: ${problems}`);
  }
  const { to, from, engine } = parsed.data;
  const submission: Submission = {
    targets: [...new Set(to)],
    source: from && from !== 'auto' ? from : null,
    engine: engine ?? defaultEngine ?? null,
  };
  await assertLanguagePlan(engines, submission);
  return submission;
}

import type { OutputRecord } from '@babelfish/db';
import type { StageContext } from './context';
import { failJob } from './fail-job';
import { runMuxStage } from './mux-stage';
import { runTranscribeStage } from './transcribe-stage';
import { runTranslateStage } from './translate-stage';

/** The whole pipeline in one process, without Redis: the CLI's path through the same stage code. */
export async function runJobInProcess(ctx: StageContext, jobId: string): Promise<OutputRecord[]> {
  try {
    await runTranscribeStage(ctx, jobId);
    const job = await ctx.jobs.get(jobId);
    for (const language of job?.targetLanguages ?? []) await runTranslateStage(ctx, jobId, language);
    return await runMuxStage(ctx, jobId);
  } catch (error) {
    await failJob(ctx, jobId, error);
    throw error;
  }
}

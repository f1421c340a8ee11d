import { AppError, findLanguage, routeTargets, type EngineName } from '@babelfish/core';
import type { EngineRegistry } from '@babelfish/ml';

/**
 * Checks that every target can be reached before any work is queued or done. With a known
 * source each pair must have an engine (the named one, when the job names one); with the source
 * still unknown (to be detected), a named engine must at least be able to run and translate into
 * each target from some language, and otherwise some engine must reach each target. Throws a
 * 400/422 AppError saying why and listing what is available.
 */
export async function assertLanguagePlan(
  engines: EngineRegistry,
  plan: { source: string | null; targets: string[]; engine?: EngineName | null; llmModel?: string },
): Promise<void> {
  const unknown = [...plan.targets, ...(plan.source ? [plan.source] : [])].filter((code) => !findLanguage(code));
  if (unknown.length > 0) throw new AppError('UNKNOWN_LANGUAGE', `Unknown language code(s): ${unknown.join(', ')}`);
  const named = plan.engine ?? undefined;
  if (plan.source) {
    for (const target of plan.targets) {
      if (target !== plan.source) await engines.resolve(plan.source, target, named, { llmModel: plan.llmModel });
    }
    return;
  }
  if (named) {
    const engine = await engines.assertUsable(named, { llmModel: plan.llmModel });
    const into = new Set((await engine.pairs()).map((pair) => pair.to));
    const unreachable = plan.targets.filter((target) => !into.has(target));
    if (unreachable.length > 0) {
      const reason = `it translates into none of ${unreachable.join(', ')} from any language`;
      throw new AppError('ENGINE_UNAVAILABLE', `The ${named} engine cannot be used here: ${reason}`, { engine: named, reason, available: await engines.available() });
    }
    return;
  }
  const available = await engines.available();
  const reachable = new Set(available.flatMap((entry) => [...routeTargets(entry.routes)]));
  const unreachable = plan.targets.filter((target) => !reachable.has(findLanguage(target)!.code));
  if (unreachable.length > 0) {
    throw new AppError('UNSUPPORTED_LANGUAGE_PAIR', `No installed engine translates into ${unreachable.join(', ')}`, { available });
  }
}

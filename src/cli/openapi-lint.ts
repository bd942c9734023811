import { createConfig, formatProblems, getTotals, lintFromString } from '@redocly/openapi-core';

/**
 * Redocly's recommended rules over the document. Clean means no error and no warning: a warning
 * (an operation without a 4xx, say) is trouble for some generator too, so none is let through.
 */
export async function lintOpenApi(json: string, absoluteRef: string) {
  const config = await createConfig({ extends: ['recommended'] });
  const problems = await lintFromString({ source: json, absoluteRef, config });
  const totals = getTotals(problems);
  return {
    clean: totals.errors === 0 && totals.warnings === 0,
    rules: problems.map((problem) => problem.ruleId),
    print: () => {
      if (problems.length > 0) formatProblems(problems, { format: 'stylish', totals, version: 'openapi:check' });
    },
  };
}

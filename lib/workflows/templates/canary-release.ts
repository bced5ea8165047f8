// The shipped template: a new prompt version is evaluated against what production serves, gated, then rolled out
// as a canary (rolled back automatically by the rollout's analysis). "New from template" in the console starts
// from this text; replace the names (support-bot, the dataset version, the evaluator) with yours.
export const CANARY_RELEASE_TEMPLATE = `name: canary-release
description: New prompt version → eval against production → gate → canary rollout
triggers:
  - new_version: { prompt: support-bot }
  - manual
inputs:
  dataset_version_id:
    type: string
    description: The dataset version the eval runs over
    default: 00000000-0000-4000-8000-000000000000
steps:
  eval:
    uses: eval
    with:
      name: "canary \${{ trigger.prompt }} v\${{ trigger.version }}"
      dataset_version_id: \${{ inputs.dataset_version_id }}
      targets:
        - { prompt: "\${{ trigger.prompt }}@production", label: production }
        - { promptVersionId: "\${{ trigger.version_id }}", label: candidate }
      evaluators:
        - { name: exact-match }
      baseline_target: 0
      thresholds:
        - { metric: overall, stat: mean, minAbsoluteChange: -0.02 }
    timeout: 2h
  gate:
    uses: gate
    needs: eval
    with:
      run_id: \${{ steps.eval.outputs.run_id }}
  canary:
    uses: rollout
    needs: gate
    if: steps.gate.outputs.passed == true
    with:
      prompt: \${{ trigger.prompt }}
      label: production
      version: \${{ trigger.version }}
      steps:
        - { percent: 5, durationSeconds: 600 }
        - { percent: 25, durationSeconds: 1200 }
        - { percent: 100, durationSeconds: 60 }
      analysis: { minSamples: 50, maxErrorRateIncrease: 0.02, maxLatencyP95Ratio: 1.5 }
    timeout: 1d
`;

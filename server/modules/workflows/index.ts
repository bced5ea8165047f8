// YAML workflows (issue 17).

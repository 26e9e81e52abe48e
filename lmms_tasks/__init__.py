"""lmms-eval tasks for ROSE: YAML configs plus thin hooks into rose_bench.scoring."""

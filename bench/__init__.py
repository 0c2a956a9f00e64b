"""Tools that stand above the pipeline stages: generated plan families and the benchmarks that
read them. They import the stages; no stage imports them."""

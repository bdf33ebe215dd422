#pragma once

namespace uw::cli {

// LibTorch's OpenMP runtime (libgomp) keeps idle worker threads spinning for a long while
// before they sleep. On a machine where another process holds a core, training on 2 threads
// then ran 12x slower than on 1 (docs/benchmarks.md, "Training on a busy machine"). libgomp
// reads its settings when it loads, before main, so when the user has chosen none this runs
// the program again, once, with a short spin (GOMP_SPINCOUNT). Returns only when it did not
// (already set, or the re-execution failed: the run goes on with libgomp's defaults).
void shorten_openmp_spin(char** argv);

}  // namespace uw::cli

#pragma once

// Counts the allocations (operator new) of this test binary while counting is on. The
// replacement operators live in their own file so that the compiler never sees a `new` and the
// matching `free` together (g++ 12 warns on that). AddressSanitizer brings its own operator
// new, so the sanitizer build leaves the counter out: UMWELT_COUNTS_ALLOCATIONS is 0 there.
#ifdef __SANITIZE_ADDRESS__
#define UMWELT_COUNTS_ALLOCATIONS 0
#else
#define UMWELT_COUNTS_ALLOCATIONS 1
#endif

namespace uw::test {

void start_counting_allocations();
// Stops counting and returns the number of allocations since the start.
long stop_counting_allocations();

}  // namespace uw::test

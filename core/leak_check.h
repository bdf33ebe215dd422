#pragma once

namespace uw {

// Runs LeakSanitizer's end-of-process leak check now, in a sanitizer build (a no-op otherwise),
// which also turns off the check at exit. Mains call it last: at exit, Mesa's worker threads
// (the software rasteriser's) end while LeakSanitizer stops the world to scan it, which now and
// then crashes its tracer ("Tracer caught signal 11") and fails a run that leaked nothing.
void run_leak_check_now();

}  // namespace uw

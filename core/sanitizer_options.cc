// The sanitizers' defaults in the sanitizer build (-DUMWELT_SANITIZE=...), compiled into every
// executable: the runtime looks these hooks up in the program itself, whatever runs it (CTest,
// a script, a test that starts `umwelt`).
#if defined(__SANITIZE_ADDRESS__)

// intercept_tls_get_addr=0: GCC 12's LeakSanitizer, tracking the dynamic TLS blocks that
// __tls_get_addr hands out, records a bogus one under glibc 2.36 ("DTLS 12 at
// 0xe30-0x1800001f32", seen once MuJoCo 4.0 and Mesa are loaded) and its tracer crashes
// ("Tracer caught signal 11") in a run that leaked nothing. Static TLS and thread-specific data
// are still scanned for pointers, so the per-thread buffers of glibc and HDF5 are not reported.
extern "C" const char* __asan_default_options() { return "intercept_tls_get_addr=0"; }

// Not ours to free: urdfdom 3.0 leaks the links of a file whose joints form a cycle (they hold
// shared_ptrs to each other when parseURDF gives up on it: tests/data/urdf/cycle.urdf).
extern "C" const char* __lsan_default_suppressions() { return "leak:liburdfdom_model.so\n"; }

#endif

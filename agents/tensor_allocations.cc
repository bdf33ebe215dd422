#include "agents/tensor_allocations.h"

#include <c10/core/Allocator.h>
#include <c10/util/ThreadLocalDebugInfo.h>
#include <torch/torch.h>

#include <memory>

namespace uw::agents {
namespace {

// Counts allocations (positive sizes; frees report negative ones).
struct AllocationCounter : c10::MemoryReportingInfoBase {
  int64_t allocations = 0;

  // LibTorch 1.13 passes the totals as int64_t, later versions as size_t: both are declared,
  // and whichever the base class has is the override.
  void reportMemoryUsage(void*, int64_t size, int64_t, int64_t, c10::Device) {
    if (size > 0) ++allocations;
  }
  void reportMemoryUsage(void*, int64_t size, size_t, size_t, c10::Device) {
    if (size > 0) ++allocations;
  }
  bool memoryProfilingEnabled() const override { return true; }
};

}  // namespace

int64_t count_tensor_allocations(const std::function<void()>& work) {
  auto counter = std::make_shared<AllocationCounter>();
  {
    c10::DebugInfoGuard guard(c10::DebugInfoKind::PROFILER_STATE, counter);
    work();
  }
  return counter->allocations;
}

}  // namespace uw::agents

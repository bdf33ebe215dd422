#pragma once

#include <cstdint>
#include <functional>

namespace uw::agents {

// The number of LibTorch CPU tensor allocations `work` makes on the calling thread (counted
// through c10's memory-reporting hook, which every CPU tensor allocation passes). For tests of
// the allocation-free inference path.
int64_t count_tensor_allocations(const std::function<void()>& work);

}  // namespace uw::agents

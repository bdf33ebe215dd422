#include "envs/env.h"

namespace uw::envs {

std::string_view end_reason_name(EndReason reason) {
  switch (reason) {
    case EndReason::kNone:
      return "none";
    case EndReason::kSuccess:
      return "success";
    case EndReason::kFailure:
      return "failure";
    case EndReason::kTimeLimit:
      return "time_limit";
    case EndReason::kPhysics:
      return "physics";
  }
  return "?";
}

}  // namespace uw::envs

#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace uw {

template <class Signature>
class FunctionRef;

// A non-owning reference to a callable: no allocation, two pointers. The callable must outlive
// the call it is passed to (the usual case for a lambda argument).
template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  // Implicit, like std::function, so that a lambda can be passed where a FunctionRef is taken.
  template <class F>
  FunctionRef(F&& f)  // NOLINT(google-explicit-constructor)
      requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> &&
               std::is_invocable_r_v<R, F&, Args...>)
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(object))(std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace uw

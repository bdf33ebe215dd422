#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "envs/env_spec.h"
#include "sim/renderer.h"
#include "sim/world.h"

namespace uw::envs {

// Why an episode ended. Success and failure are terminations (the task ended); the time limit
// and a physics fault are truncations.
enum class EndReason : uint8_t { kNone, kSuccess, kFailure, kTimeLimit, kPhysics };

// "none", "success", "failure", "time_limit", "physics".
std::string_view end_reason_name(EndReason reason);

struct Info {
  std::optional<bool> success;  // goal tasks: whether the goal is reached now
  EndReason reason = EndReason::kNone;
  std::string detail;  // what went wrong, for a physics fault
};

struct TimeStep {
  std::span<const float> obs;  // owned by the env; valid until its next reset or step
  // pixel envs (spec().pixel_space): the RGB picture [H, W, 3], top row first; else empty.
  // Owned by the env like obs.
  std::span<const uint8_t> pixels;
  float reward = 0.0f;
  bool terminated = false;
  bool truncated = false;
  Info info;

  bool done() const { return terminated || truncated; }
};

// What to draw, and how (see sim::Renderer).
struct RenderRequest {
  std::string_view camera;  // a camera of the scene by name; "" = the task's default view
  int width = 0;
  int height = 0;
  sim::RenderQuality quality = sim::RenderQuality::kPretty;
  bool markers = true;  // draw the task markers (sim::kMarkerGeomGroup)
};

// The goal of a goal task (reaching, pushing), reached through Env::goal(). Planners in latent
// space compare against observation(); the success test is the task's own.
class Goal {
 public:
  virtual ~Goal() = default;
  // The goal of the current episode, in spec().goal_space.
  virtual std::span<const float> values() const = 0;
  // The observation of the goal state (the agent at rest at the goal), in the observation space;
  // empty when the env observes pixels only.
  virtual std::span<const float> observation() const = 0;
  // The part of an observation that is compared with the goal (goal-sized output).
  virtual void achieved(std::span<const float> obs, std::span<float> out) const = 0;
  // Whether an observation reaches a goal. Throws uw::Error on sizes that do not fit the spec.
  virtual bool success(std::span<const float> obs, std::span<const float> goal) const = 0;
  // What planners minimise to bring an observation to `goal`: by default the squared distance
  // of what it achieves to the goal. Pushing tasks add a price on the pusher's way to the
  // object (the goal distance alone stays flat until the pusher touches it); push-t prices the
  // T's keypoints, position and angle in one unit. Throws uw::Error on sizes that do not fit
  // the spec.
  virtual double cost(std::span<const float> obs, std::span<const float> goal) const = 0;
  // Whether the env's current state reaches the episode's goal (info.success of the last step).
  virtual bool reached() const = 0;
  // The picture of the goal state (as observation() poses it), drawn as the env's pixel
  // observation is: for planners with pixel models. Empty for an env without pixels, and in a
  // clone or after restore_state brought another episode's goal, until the next reset.
  virtual std::span<const uint8_t> pixels() const { return {}; }
};

// A Gymnasium-style environment. Errors: step and restore_state throw uw::Error on bad input
// (an action of the wrong length or with NaN, stepping an ended episode, a state of the wrong
// size) and then leave the env as it was; reset throws uw::Error when the initial state itself
// is broken (the physics faults in it). Physics faults during a step never throw: they end the
// episode as truncated with reason kPhysics.
class Env {
 public:
  virtual ~Env() = default;

  virtual const EnvSpec& spec() const = 0;
  // Starts an episode. A seed reseeds the env's generator; without one the generator goes on
  // (a never-seeded env starts from seed 0, so runs are reproducible by default).
  virtual TimeStep reset(std::optional<uint64_t> seed = std::nullopt) = 0;
  // Applies the action (clipped into the action space) for one control step.
  virtual TimeStep step(std::span<const float> action) = 0;

  // The whole env state (physics, goal, step count, generator): restoring it makes every later
  // reset and step bit-identical. For oracle planning and exact replay.
  virtual std::vector<double> save_state() const = 0;
  // The number of values save_state() gives; the same for the whole life of the env.
  virtual int64_t state_size() const { return static_cast<int64_t>(save_state().size()); }
  // save_state into `out` of state_size() values, without allocating (task envs; planners call
  // it for every candidate).
  virtual void save_state_to(std::span<double> out) const;
  // save_state appended to `out`: without allocating when `out` has room (recorders call it at
  // every step).
  void append_state(std::vector<double>& out) const {
    const size_t at = out.size();
    out.resize(at + static_cast<size_t>(state_size()));
    save_state_to(std::span(out).subspan(at));
  }
  virtual void restore_state(std::span<const double> state) = 0;
  // Whether the current episode has ended (by termination or truncation), or none has started:
  // step() then throws until the next reset. Restoring a state restores this too.
  virtual bool episode_ended() const = 0;
  // The current observation (after reset, step or restore_state).
  virtual std::span<const float> observation() const = 0;
  // The current pixel observation when the spec has a pixel space, else empty.
  virtual std::span<const uint8_t> pixels() const { return {}; }

  // Draws the current state into rgb ([height, width, 3] bytes, top row first), offscreen with
  // no display. Throws uw::Error on an unknown camera (listing the known ones), a bad size, or
  // when no OpenGL context can be made. The env makes its renderer on the first call.
  virtual void render_into(const RenderRequest& request, std::span<uint8_t> rgb) = 0;
  // render_into as a new picture, with the pretty settings: for looking at.
  sim::Image render(std::string_view camera, int width, int height);
  // The named cameras render() takes, in model order.
  virtual std::vector<std::string> camera_names() const { return {}; }
  // Goal tasks: from now on draw each new goal state (posed as for Goal::observation()) with
  // `request` when the goal is set; goal_picture() gives the latest (the pixel wrapper's
  // Goal::pixels()). Empty until then, and after restore_state brings another goal. Envs
  // without goals ignore it.
  virtual void draw_goal_pictures(const RenderRequest& /*request*/) {}
  virtual std::span<const uint8_t> goal_picture() const { return {}; }

  // An independent env of the same spec in the same state; shares immutable assets.
  virtual std::unique_ptr<Env> clone() const = 0;

  // Poses the world as observation `obs` shows it: the positions it holds, every velocity zero,
  // what it does not show as it was. For drawing an observation that was never simulated (what
  // a world model imagines); the episode is spoilt, so pose a clone made for drawing and
  // restore or reset it before stepping. Returns false for an env that does not know how its
  // observation maps to positions. Throws uw::Error when obs is not the observation's size.
  virtual bool pose_observation(std::span<const float> /*obs*/) { return false; }
  // The goal of the current episode, or nullptr for a task without one. Valid as long as the env.
  virtual const Goal* goal() const { return nullptr; }
  // The simulation behind the env (through any wrapper), for drawing and inspecting it; nullptr
  // for an env without one.
  virtual const sim::World* world() const { return nullptr; }

  // Warnings from the engine since the last reset (a full contact buffer, a model the compiler
  // warned about), "; "-separated; empty when all is well. Not faults: the episode goes on.
  virtual std::string engine_warnings() const { return {}; }
};

}  // namespace uw::envs

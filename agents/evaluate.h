#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agents/world_model.h"
#include "datagen/window_sampler.h"

namespace uw::agents {

// Predictor steps an evaluation imagines from each window's start.
inline constexpr int64_t kEvalSteps = 10;
// The k of pred_error_ratio_k and probe_r2_k.
inline constexpr int64_t kEvalHorizons[] = {1, 5, 10};

// The seed of the windows a training run evaluates on: `umwelt model eval` draws the same ones
// by default, so that its numbers are the run's own.
uint64_t eval_seed(uint64_t training_seed);

// The env steps of an evaluation window for a model: its history, then kEvalSteps chunks.
int64_t eval_window_steps(const ModelConfig& config);

// How well a model predicts, measured on held-out windows: imagined k predictor steps open loop
// from the encoded start, against what the encoder makes of the real observations.
struct EvalReport {
  int64_t windows = 0;
  // k -> mean squared latent error of the imagined latent / that of the copy-last baseline
  // (predicting no change): below 1 the model predicts something
  std::map<int64_t, double> pred_error_ratio;
  // R^2 of the observation decoded by the state probe, at the start (k = 0) and after k
  // imagined steps, averaged over the observation's dimensions (those that vary); per
  // dimension too (probe_r2_dims at k = 0)
  std::map<int64_t, double> probe_r2;
  std::vector<double> probe_r2_dims;
  std::vector<double> latent_std;  // per latent dimension
  double effective_rank = 0;       // exp(entropy of the latent covariance's spectrum)
  double relative_spread = 0;      // the latents' standard deviation over their RMS size
  bool collapsed = false;
  std::string collapse_reason;
  std::optional<double> idm_error;  // inverse-dynamics MSE in normalised action units
  // Spearman rank correlation of latent distance with (normalised) observation distance over
  // pairs of held-out states: whether nearer in latent space means nearer in fact, as a planner
  // that minimises latent distance needs
  std::optional<double> plannability;
};

// Evaluates on `windows` windows drawn with `seed` from `heldout` (whose window length must be
// eval_window_steps). Throws uw::Error when it holds no such window.
EvalReport evaluate_model(const WorldModel& model, const data::WindowSampler& heldout,
                          int64_t windows, uint64_t seed);

// The collapse alarm: fires when the latents barely vary (their spread under 5% of their
// size) or span less than 1.5 effective dimensions in a latent of 4 or more.
bool is_collapsed(double relative_spread, double effective_rank, int64_t latent_dim,
                  std::string& reason);

// JSON keys: probe_r2, probe_r2_1, probe_r2_5, probe_r2_10, pred_error_ratio_1, _5, _10,
// effective_rank, collapsed, idm_error (null without the head), plannability, latent_std, ...
nlohmann::json report_to_json(const EvalReport& report);
// One line for logs: "pred 0.05/0.12/0.21, probe r2 0.99 -> 0.97, rank 3.8, plan 0.74".
std::string report_line(const EvalReport& report);

// Spearman's rank correlation (ties get their mean rank); 0 when either side is constant.
double spearman(const std::vector<double>& a, const std::vector<double>& b);
// The eigenvalues of a symmetric matrix [n, n] (Jacobi rotations).
std::vector<double> symmetric_eigenvalues(std::vector<double> matrix, int64_t n);

}  // namespace uw::agents
